// The phases of a relu GAN step over a range of D's packs, the one code that the one-thread trainer
// (relu-trainer.ts: every pack, the optimisers as sinks) and each thread of data-parallel training
// (gan-shard.ts: its packs, its own gradient buffers) run: D on real packs and on fakes (G run on
// their noise, its records kept), then G through the updated D on the same fakes. Everything
// stochastic is drawn up front into `StepInputs` (`StepDraws`, in the one order of a seed), so a
// phase reads the step's draws and never an RNG.
import type { GradientSink, Network, Rng, ValuePass } from '@spiking-gan/core';
import { MNIST_CLASSES, type ImageSet } from '../data/mnist.ts';
import type { GanConfig } from '../models/config.ts';
import { BiasDropout } from '../models/bias-dropout.ts';
import { digitCode, dSeesDigit, PIXELS, reluImageSize, reluNoise, reluRealInput } from '../models/networks.ts';
import { ReluDLoss } from './discriminator-loss.ts';
import type { StepStats } from './stats.ts';

/** Draws a real image from `data` as D's input into `into` (pixels, then the digit where D sees one); its digit. */
export function drawReal(c: GanConfig, data: ImageSet, rng: Rng, into: Float64Array): number {
  const idx = rng.int(data.n);
  reluRealInput(c, data.image(idx), data.labels[idx], into);
  return data.labels[idx];
}

/** Draws a fake's digit: the data's (conditional), an InfoGAN code uniform over the 10 (`infoCode`), else 0. */
export function drawFakeDigit(c: GanConfig, data: ImageSet, rng: Rng): number {
  return c.conditional ? data.labels[rng.int(data.n)] : c.infoCode ? rng.int(MNIST_CLASSES) : 0;
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

/** The random sources of a trainer that a step draws from (the trainer's own, so a checkpoint restores them). */
export interface StepRngs {
  readonly cfg: GanConfig;
  readonly data: ImageSet;
  readonly rngData: Rng;
  readonly rngNoise: Rng;
  readonly rngDropout: Rng;
}

/** Draws a step's inputs into `StepInputs`, in the order every trainer of the relu GAN draws them. */
export class StepDraws {
  constructor(
    private readonly src: StepRngs,
    readonly inputs: StepInputs,
    private readonly gInputs: number,
    private readonly dHidden: number,
  ) {}

  /** One D step's draws: the real images, the fakes' digits and noise, and the dropout masks of D's 2·packs inputs. */
  forD(): void {
    const { cfg: c, data, rngData, rngNoise } = this.src,
      S = reluImageSize(c),
      n = this.gInputs,
      inp = this.inputs;
    for (let b = 0; b < c.batch; b++)
      inp.realDigits[b] = drawReal(c, data, rngData, inp.real.subarray(b * S, (b + 1) * S));
    for (let b = 0; b < c.batch; b++) {
      const digit = drawFakeDigit(c, data, rngData);
      inp.digits[b] = digit;
      reluNoise(c, rngNoise, digit, inp.noise.subarray(b * n, (b + 1) * n));
    }
    this.masks(0, 2 * this.packs);
  }

  /** The G step's draws: the dropout masks of D's inputs in G's phase (the fakes are the last D step's). */
  forG(): void {
    this.masks(2 * this.packs, this.packs);
  }

  private get packs(): number {
    return this.src.cfg.batch / this.src.cfg.pack;
  }

  /** Dropout masks of D's hidden layer for D's inputs [from, from + count) of the step (one draw per neuron). */
  private masks(from: number, count: number): void {
    const p = this.src.cfg.dDropout;
    if (!(p > 0)) return;
    const H = this.dHidden,
      masks = this.inputs.masks,
      rng = this.src.rngDropout;
    for (let i = from * H; i < (from + count) * H; i++) masks[i] = rng.next() < p ? 1 : 0;
  }
}

/** Per pack (in order): D's loss, verdict (1: says real), decision time and spikes. */
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

function verdicts(n: number): DVerdicts {
  return { loss: new Float64Array(n), real: new Uint8Array(n), time: new Float64Array(n), spikes: new Float64Array(n) };
}

/** Where a phase's gradients go: a gradient sink, ended after each sample when it asks (an Optimiser). */
export type SampleSink = GradientSink & { endSample?(): void };

/** What the phases of packs [from, to) work with. */
export interface PhaseParts {
  cfg: GanConfig;
  G: Network;
  D: Network;
  /** G's pass per fake of the range (its records kept from D's phase to G's). */
  passesG: ValuePass[];
  passD: ValuePass;
  sinkG: SampleSink;
  sinkD: SampleSink;
  inputs: StepInputs;
  from: number;
  to: number;
  /**
   * With dropout (`dDropout`): the trained biases of D's hidden layer. The layer reads them itself in one thread;
   * in data-parallel training it reads a thread's own copy, refreshed from them for each sample. Null without.
   */
  dropFrom: Float64Array | null;
}

/** The phases of a relu GAN step over a range of D's packs. */
export class ReluPhases {
  readonly loss: ReluDLoss;
  private readonly gOut: Float64Array[];
  private readonly img: Float64Array;
  /** The digit of each image of D's present input (a pack), for the projection readout. */
  readonly heads: Int32Array;
  private readonly spikes = new Float64Array(2);
  /** Dropout of D's hidden layer (in the biases the pass reads), or null without. */
  private readonly dropout: BiasDropout | null;

  constructor(private readonly p: PhaseParts) {
    this.loss = new ReluDLoss(p.cfg, p.D.output.size);
    this.gOut = new Array<Float64Array>(p.passesG.length);
    this.img = new Float64Array(p.D.populations[0].size);
    this.heads = new Int32Array(p.cfg.pack);
    this.dropout = p.dropFrom ? new BiasDropout(p.D.populations[1]) : null;
  }

  /** D on the range's real packs, then on its fakes (G run on their noise), gradients into D's sink. */
  dPhase(): DPhaseResult {
    const { cfg: c, passesG, from, to, inputs: inp } = this.p,
      m = c.pack,
      S = reluImageSize(c),
      packs = c.batch / m,
      real = verdicts(to - from),
      fake = verdicts(to - from);
    for (let q = from; q < to; q++) {
      this.img.set(inp.real.subarray(q * m * S, (q + 1) * m * S));
      for (let k = 0; k < m; k++) this.heads[k] = inp.realDigits[q * m + k];
      this.dSample(0, c.realTarget, q, real, q - from);
    }
    const nIn = this.p.G.populations[0].size;
    for (let q = from; q < to; q++) {
      for (let k = 0; k < m; k++) {
        const b = q * m + k,
          local = b - from * m;
        this.gOut[local] = passesG[local].forward(inp.noise.subarray(b * nIn, (b + 1) * nIn));
        this.fakeImage(b, k);
      }
      this.dSample(1, 1, packs + q, fake, q - from);
    }
    return { real, fake };
  }

  /** G on the range's fakes through the updated D: D's error at its input flows on through G into G's sink. */
  gPhase(): GPhaseResult {
    const { cfg: c, passD, passesG, sinkG, from, to } = this.p,
      m = c.pack,
      S = reluImageSize(c),
      packs = c.batch / m;
    const v = verdicts(to - from),
      gSpikes = new Float64Array((to - from) * m),
      litCount = new Int32Array(PIXELS);
    for (let q = from; q < to; q++) {
      for (let k = 0; k < m; k++) {
        const local = q * m + k - from * m,
          img = this.fakeImage(q * m + k, k);
        gSpikes[local] = this.layerSpikes(passesG[local]);
        for (let p = 0; p < PIXELS; p++) if (img[p] > 0) litCount[p]++;
      }
      this.dropOut(2 * packs + q);
      const r = this.loss.compute(passD.forward(this.img), 0, this.heads, 1, true),
        i = q - from;
      v.loss[i] = r.loss;
      v.real[i] = r.saysReal ? 1 : 0;
      v.time[i] = r.time;
      const dx = passD.backward(this.loss.err, null, true);
      this.restore();
      for (let k = 0; k < m; k++) {
        // G's record of this image (kept from D's phase), then its error from D's input
        passesG[q * m + k - from * m].backward(dx.subarray(k * S, k * S + PIXELS), sinkG);
        sinkG.endSample?.();
      }
    }
    return { verdicts: v, gSpikes, litCount };
  }

  /** Writes fake b (G's last output for it, then its digit where D sees one) as image k of D's input. */
  private fakeImage(b: number, k: number): Float64Array {
    const c = this.p.cfg,
      S = reluImageSize(c),
      img = this.img.subarray(k * S, (k + 1) * S),
      digit = this.p.inputs.digits[b];
    img.set(this.gOut[b - this.p.from * c.pack]);
    this.heads[k] = digit;
    if (dSeesDigit(c)) digitCode(digit, img, PIXELS);
    return img;
  }

  /** One D sample on the input in `img` for class y: dropout, forward, loss, backward into D's sink. */
  private dSample(y: 0 | 1, realTarget: number, at: number, out: DVerdicts, i: number): void {
    const { passD, sinkD } = this.p;
    this.dropOut(at);
    const r = this.loss.compute(passD.forward(this.img), y, this.heads, realTarget, false);
    out.loss[i] = r.loss;
    out.real[i] = r.saysReal ? 1 : 0;
    out.time[i] = r.time;
    out.spikes[i] = this.layerSpikes(passD);
    passD.backward(this.loss.err, sinkD);
    // the biases go back before the sample ends: its end may step the optimiser, which updates them
    this.restore();
    sinkD.endSample?.();
  }

  /**
   * Dropout of D's hidden layer for D input `at` of the step: the dropped neurons' biases held at −∞ (so they
   * stay silent and pass no error), in the biases the pass reads (first refreshed from the trained ones).
   */
  private dropOut(at: number): void {
    const from = this.p.dropFrom;
    if (!from || !this.dropout) return;
    const read = this.dropout.pop.bias;
    if (read !== from) read.set(from);
    this.dropout.dropWhere(this.p.inputs.masks.subarray(at * read.length, (at + 1) * read.length));
  }

  /** Puts back the biases `dropOut` held at −∞, bit for bit. */
  private restore(): void {
    this.dropout?.restore();
  }

  private layerSpikes(p: ValuePass): number {
    p.spikesPerLayer(this.spikes);
    return this.spikes[0] + this.spikes[1];
  }
}

/** A step's figures, summed from the phases' reports (in pack order, as one thread sums them). */
export class StepTally {
  private readonly real = { right: 0, loss: 0, time: 0 };
  private readonly fake = { right: 0, loss: 0, time: 0 };
  private readonly fooled = { right: 0, loss: 0, time: 0 };
  private dSpikes = 0;
  private gSpikes = 0;
  private lit = 0;
  private readonly litCount = new Int32Array(PIXELS);

  /** Adds one D step's reports (the ranges' in pack order). */
  addD(res: readonly DPhaseResult[]): void {
    for (const r of res) this.dSpikes += tally(r.real, this.real, true);
    for (const r of res) this.dSpikes += tally(r.fake, this.fake, false);
  }

  /** Adds the G step's reports (the ranges' in pack order). */
  addG(res: readonly GPhaseResult[]): void {
    for (const r of res) {
      for (const s of r.gSpikes) this.gSpikes += s;
      tally(r.verdicts, this.fooled, true);
      for (let p = 0; p < PIXELS; p++) {
        this.litCount[p] += r.litCount[p];
        this.lit += r.litCount[p];
      }
    }
  }

  /** The step's figures, after step `step` of a config. */
  stats(step: number, c: GanConfig): StepStats {
    const B = c.batch,
      packs = B / c.pack,
      nd = packs * c.dSteps;
    let varying = 0;
    for (let p = 0; p < PIXELS; p++) if (this.litCount[p] > 0 && this.litCount[p] < B) varying++;
    return {
      step,
      dRealRight: this.real.right / nd,
      dFakeRight: this.fake.right / nd,
      gFooled: this.fooled.right / packs,
      dLossReal: this.real.loss / nd,
      dLossFake: this.fake.loss / nd,
      gLoss: this.fooled.loss / packs,
      tReal: this.real.time / nd,
      tFake: this.fake.time / nd,
      lit: this.lit / (B * PIXELS),
      varying: varying / PIXELS,
      gSpikes: this.gSpikes / B,
      dSpikes: this.dSpikes / (2 * nd),
    };
  }
}

/** Adds a range's verdicts into running totals (right: says real when `real`, else says fake); returns D's spikes. */
function tally(v: DVerdicts, into: { right: number; loss: number; time: number }, real: boolean): number {
  let spikes = 0;
  for (let i = 0; i < v.loss.length; i++) {
    if ((v.real[i] === 1) === real) into.right++;
    into.loss += v.loss[i];
    into.time += v.time[i];
    spikes += v.spikes[i];
  }
  return spikes;
}
