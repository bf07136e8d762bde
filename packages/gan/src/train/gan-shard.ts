// One thread's share of a data-parallel step of the relu GAN (train/parallel-gan.ts): the main
// thread and each worker run a GanShard on views of the same G and D (the shared kernel memory).
// A shard owns a contiguous range of D's packs in every phase: D on its real packs and its fakes (G
// run on their noise, the records kept), then G through the updated D on the same fakes; each
// writes its gradients into the shard's own buffers. A part of the parameters it sums over the
// shards' buffers, in shard order, and updates (Adam or SGD), side by side with the other shards.
import {
  applyUpdatePart,
  attachArray,
  attachNetwork,
  attachUpdateArrays,
  partRanges,
  reducePart,
  SpikingPass,
  type GradientSink,
  type Network,
  type SharedArray,
  type SharedNetwork,
  type SharedUpdateArrays,
  type UpdateArrays,
  type UpdatePlan,
  type ValuePass,
} from '@spiking-gan/core';
import type { GanConfig } from '../models/config.ts';
import { digitCode, dSeesDigit, PIXELS, reluImageSize } from '../models/networks.ts';
import { ReluDLoss } from './discriminator-loss.ts';
import { moveAverage } from './parameters.ts';

/** What every shard gets at start (structured-clone safe). */
export interface GanShardSetup {
  cfg: GanConfig;
  shards: number;
  G: SharedNetwork;
  D: SharedNetwork;
  /** The optimisers' update arrays: parameters, summed gradients, Adam moments. */
  optG: SharedUpdateArrays;
  optD: SharedUpdateArrays;
  /**
   * Gradients [shard][array of the optimiser's update] of G and of D: shard 0's are the optimiser's own
   * gradient arrays (summed from zero, they hold what a buffer would), the others' are buffers.
   */
  gradG: SharedArray[][];
  gradD: SharedArray[][];
  /** The moving average of G, array by array in the order of G's update arrays (null: none, or moved elsewhere). */
  ema: SharedArray[] | null;
  /** The step's draws, written by the main thread before each phase (see `StepInputs`). */
  inputs: StepBuffers;
}

/** The shared buffers of a step's draws. */
export interface StepBuffers {
  real: SharedArrayBuffer;
  realDigits: SharedArrayBuffer;
  noise: SharedArrayBuffer;
  digits: SharedArrayBuffer;
  masks: SharedArrayBuffer;
}

/** Views of a step's draws: D's real inputs and their digits, G's noise and digits, D's dropout masks. */
export class StepInputs {
  /** D's input values of each real image (pack q: images q·pack … q·pack + pack − 1, one after the other). */
  readonly real: Float64Array;
  readonly realDigits: Int32Array;
  /** G's input values of fake b at b·(G's inputs). */
  readonly noise: Float64Array;
  readonly digits: Int32Array;
  /** 1 where a neuron of D's hidden layer is dropped, per D input: real packs, fake packs, then G's packs. */
  readonly masks: Uint8Array;

  constructor(readonly buffers: StepBuffers) {
    this.real = new Float64Array(buffers.real);
    this.realDigits = new Int32Array(buffers.realDigits);
    this.noise = new Float64Array(buffers.noise);
    this.digits = new Int32Array(buffers.digits);
    this.masks = new Uint8Array(buffers.masks);
  }

  /** Buffers for a config whose G has `gInputs` inputs and D `dHidden` hidden neurons. */
  static allocate(cfg: GanConfig, gInputs: number, dHidden: number): StepInputs {
    const B = cfg.batch,
      packs = B / cfg.pack,
      f64 = (n: number) => new SharedArrayBuffer(8 * n),
      i32 = (n: number) => new SharedArrayBuffer(4 * n);
    return new StepInputs({
      real: f64(B * reluImageSize(cfg)),
      realDigits: i32(B),
      noise: f64(B * gInputs),
      digits: i32(B),
      masks: new SharedArrayBuffer(cfg.dDropout > 0 ? 3 * packs * dHidden : 0),
    });
  }
}

/** The packs [from, to) of shard s of n, of `packs` in all (contiguous, nearly equal). */
export function shardPacks(packs: number, s: number, n: number): [number, number] {
  return [Math.floor((packs * s) / n), Math.floor((packs * (s + 1)) / n)];
}

/** A phase of a step for one shard; `scales` are the lazy weight scales of G's and D's projections. */
export type GanShardTask =
  | { kind: 'd'; scalesG: number[]; scalesD: number[] }
  | { kind: 'g'; scalesG: number[]; scalesD: number[] }
  | UpdateTask;

/**
 * A part of G's or D's update: the shards' gradients summed into the optimiser's (`reduce`), the plan
 * applied, the moving average of G moved (`ema`: β and G's lazy scales), the part checked to be finite.
 */
export interface UpdateTask {
  kind: 'update';
  which: 'G' | 'D';
  reduce: boolean;
  plan: UpdatePlan | null;
  ema: { beta: number; scales: number[] } | null;
}

/** What an update's part reports: whether every value of its part is finite after the update. */
export interface UpdateResult {
  finite: boolean;
}

/** Per pack of the shard (in order): D's loss, verdict (1: says real), decision time and spikes. */
export interface DVerdicts {
  loss: Float64Array;
  real: Uint8Array;
  time: Float64Array;
  spikes: Float64Array;
}

/** What a D phase reports: its real packs' verdicts, then its fake packs'. */
export interface DPhaseResult {
  real: DVerdicts;
  fake: DVerdicts;
}

/** What G's phase reports: D's verdicts on its packs, G's spikes per fake and the lit count per pixel. */
export interface GPhaseResult {
  verdicts: DVerdicts;
  gSpikes: Float64Array;
  litCount: Int32Array;
}

export type GanShardResult = DPhaseResult | GPhaseResult | UpdateResult | null;

function verdicts(n: number): DVerdicts {
  return { loss: new Float64Array(n), real: new Uint8Array(n), time: new Float64Array(n), spikes: new Float64Array(n) };
}

/** A sink adding a pass's gradients into one shard's buffers (in the optimiser's update order). */
function bufferSink(net: Network, grads: Float64Array[]): GradientSink {
  const biasAt = new Int32Array(net.populations.length).fill(-1);
  let a = net.projections.length;
  for (const p of net.populations) if (p.relu) biasAt[p.index] = a++;
  if (a !== grads.length) throw new Error(`bufferSink: ${grads.length} gradient buffers for ${a} arrays`);
  return {
    target: (k) => ({ array: grads[k], coef: 1 }),
    afterProjection() {},
    biasTarget: (p) => (biasAt[p] < 0 ? null : { array: grads[biasAt[p]], coef: 1 }),
  };
}

/** One thread's share of the data-parallel steps (shard `shard` of `setup.shards`). */
export class GanShard {
  private readonly cfg: GanConfig;
  private readonly G: Network;
  private readonly D: Network;
  private readonly passesG: ValuePass[];
  private readonly gOut: Float64Array[];
  private readonly passD: ValuePass;
  private readonly loss: ReluDLoss;
  private readonly sinkG: GradientSink;
  private readonly sinkD: GradientSink;
  private readonly opt: Record<'G' | 'D', UpdateArrays[]>;
  private readonly ema: Float64Array[] | null;
  private readonly grads: Record<'G' | 'D', Float64Array[][]>;
  private readonly inputs: StepInputs;
  private readonly img: Float64Array;
  private readonly heads: Int32Array;
  private readonly spikes = new Float64Array(2);
  /** D's hidden biases (shared) and this thread's copy that dropout writes, or null without dropout. */
  private readonly dropBias: { shared: Float64Array; own: Float64Array } | null;
  private readonly from: number;
  private readonly to: number;

  constructor(
    setup: GanShardSetup,
    readonly shard: number,
  ) {
    const c = (this.cfg = setup.cfg);
    this.G = attachNetwork(setup.G);
    this.D = attachNetwork(setup.D, { ownBiases: c.dDropout > 0 ? [1] : [] });
    [this.from, this.to] = shardPacks(c.batch / c.pack, shard, setup.shards);
    const images = (this.to - this.from) * c.pack;
    this.passesG = Array.from(
      { length: images },
      () => new SpikingPass(this.G, { readout: false, clipSurrogate: c.silentPixel === 'late' }),
    );
    this.gOut = new Array<Float64Array>(images);
    this.passD = new SpikingPass(this.D, { readout: c.loss === 'bce' });
    this.loss = new ReluDLoss(c, this.D.output.size);
    this.grads = {
      G: setup.gradG.map((s) => s.map(attachArray)),
      D: setup.gradD.map((s) => s.map(attachArray)),
    };
    this.sinkG = bufferSink(this.G, this.grads.G[shard]);
    this.sinkD = bufferSink(this.D, this.grads.D[shard]);
    this.opt = { G: attachUpdateArrays(setup.optG), D: attachUpdateArrays(setup.optD) };
    this.ema = setup.ema?.map(attachArray) ?? null;
    this.inputs = new StepInputs(setup.inputs);
    this.img = new Float64Array(this.D.populations[0].size);
    this.heads = new Int32Array(c.pack);
    this.dropBias =
      c.dDropout > 0 ? { shared: this.opt.D[this.D.projections.length].w, own: this.D.populations[1].bias } : null;
  }

  /** Runs one phase of a step. */
  run(task: GanShardTask): GanShardResult {
    if (task.kind === 'update') return this.update(task);
    task.scalesG.forEach((s, k) => (this.G.projections[k].scale = s));
    task.scalesD.forEach((s, k) => (this.D.projections[k].scale = s));
    return task.kind === 'd' ? this.dPhase() : this.gPhase();
  }

  /** D on the shard's real packs, then on its fakes (G run on their noise), gradients into the shard's buffers. */
  private dPhase(): DPhaseResult {
    const c = this.cfg,
      m = c.pack,
      S = reluImageSize(c),
      n = this.to - this.from,
      packs = c.batch / m,
      inp = this.inputs;
    const real = verdicts(n),
      fake = verdicts(n);
    for (let q = this.from; q < this.to; q++) {
      this.img.set(inp.real.subarray(q * m * S, (q + 1) * m * S));
      for (let k = 0; k < m; k++) this.heads[k] = inp.realDigits[q * m + k];
      this.dSample(0, c.realTarget, q, real, q - this.from);
    }
    const nIn = this.G.populations[0].size;
    for (let q = this.from; q < this.to; q++) {
      for (let k = 0; k < m; k++) {
        const b = q * m + k,
          local = b - this.from * m;
        this.gOut[local] = this.passesG[local].forward(inp.noise.subarray(b * nIn, (b + 1) * nIn));
        this.fakeImage(b, k);
      }
      this.dSample(1, 1, packs + q, fake, q - this.from);
    }
    return { real, fake };
  }

  /** Writes fake b (G's last output for it, then its digit where D sees one) as image k of D's input. */
  private fakeImage(b: number, k: number): Float64Array {
    const S = reluImageSize(this.cfg),
      img = this.img.subarray(k * S, (k + 1) * S),
      digit = this.inputs.digits[b];
    img.set(this.gOut[b - this.from * this.cfg.pack]);
    this.heads[k] = digit;
    if (dSeesDigit(this.cfg)) digitCode(digit, img, PIXELS);
    return img;
  }

  /** D's hidden biases for D input `at` of the step: the shared ones with that input's dropped neurons at −∞. */
  private dropOut(at: number): void {
    const d = this.dropBias;
    if (!d) return;
    d.own.set(d.shared);
    const H = d.own.length,
      mask = this.inputs.masks.subarray(at * H, (at + 1) * H);
    for (let j = 0; j < H; j++) if (mask[j]) d.own[j] = -Infinity;
  }

  /** One D sample on `img` for class y: dropout, forward, loss, backward into the shard's buffers. */
  private dSample(y: 0 | 1, realTarget: number, at: number, out: DVerdicts, i: number): void {
    this.dropOut(at);
    const r = this.loss.compute(this.passD.forward(this.img), y, this.heads, realTarget, false);
    out.loss[i] = r.loss;
    out.real[i] = r.saysReal ? 1 : 0;
    out.time[i] = r.time;
    out.spikes[i] = this.layerSpikes(this.passD);
    this.passD.backward(this.loss.err, this.sinkD);
  }

  /** G on the shard's fakes through the updated D: D's error at its input flows on through G into the buffers. */
  private gPhase(): GPhaseResult {
    const c = this.cfg,
      m = c.pack,
      S = reluImageSize(c),
      n = this.to - this.from,
      packs = c.batch / m;
    const v = verdicts(n),
      gSpikes = new Float64Array(n * m),
      litCount = new Int32Array(PIXELS);
    for (let q = this.from; q < this.to; q++) {
      for (let k = 0; k < m; k++) {
        const local = q * m + k - this.from * m,
          img = this.fakeImage(q * m + k, k);
        gSpikes[local] = this.layerSpikes(this.passesG[local]);
        for (let p = 0; p < PIXELS; p++) if (img[p] > 0) litCount[p]++;
      }
      this.dropOut(2 * packs + q);
      const r = this.loss.compute(this.passD.forward(this.img), 0, this.heads, 1, true),
        i = q - this.from;
      v.loss[i] = r.loss;
      v.real[i] = r.saysReal ? 1 : 0;
      v.time[i] = r.time;
      const dx = this.passD.backward(this.loss.err, null, true);
      for (let k = 0; k < m; k++) {
        this.passesG[q * m + k - this.from * m].backward(dx.subarray(k * S, k * S + PIXELS), this.sinkG);
      }
    }
    return { verdicts: v, gSpikes, litCount };
  }

  /**
   * This shard's part of an update of G or D: the shards' gradients summed into the optimiser's, in
   * shard order (`reduce`), then the plan applied (when given) to the same part of the parameters,
   * G's moving average moved there (as `followAverage`), and the part checked.
   */
  private update(t: UpdateTask): UpdateResult {
    const arrays = this.opt[t.which],
      parts = this.grads[t.which].length;
    if (t.reduce) reducePart(arrays, this.grads[t.which].slice(1), this.shard, parts);
    if (!t.plan) return { finite: true };
    applyUpdatePart(arrays, t.plan, this.shard, parts);
    let finite = true;
    for (const [a, from, to] of partRanges(
      arrays.map((x) => x.w.length),
      this.shard,
      parts,
    )) {
      const w = arrays[a].w;
      for (let i = from; i < to; i++) if (!Number.isFinite(w[i])) finite = false;
      if (!t.ema || !this.ema) continue;
      moveAverage(this.ema[a], w, t.ema.beta, a < t.ema.scales.length ? t.ema.scales[a] : 1, from, to);
    }
    return { finite };
  }

  private layerSpikes(p: ValuePass): number {
    p.spikesPerLayer(this.spikes);
    return this.spikes[0] + this.spikes[1];
  }
}
