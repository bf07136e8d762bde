// Dropout of a layer of ReLU-equivalent neurons for one sample: each neuron is inhibited (its bias
// held at −∞, so it stays silent and passes no error, in the SNN and its float twin alike), then its
// bias is put back bit for bit.
import type { Population, Rng } from '@spiking-gan/core';

/** Inhibits neurons of one ReLU-equivalent population for a sample, and puts their biases back. */
export class BiasDropout {
  private readonly kept: Float64Array;
  private readonly dropped: Int32Array;
  private n = 0;

  constructor(readonly pop: Population) {
    this.kept = new Float64Array(pop.size);
    this.dropped = new Int32Array(pop.size);
  }

  /** Inhibits each neuron with probability p (one draw of `rng` per neuron, in index order). */
  drop(p: number, rng: Rng): void {
    const bias = this.pop.bias;
    this.n = 0;
    for (let j = 0; j < bias.length; j++) if (rng.next() < p) this.hold(bias, j);
  }

  /** Inhibits the neurons where `mask` is 1 (a draw made earlier, one value per neuron). */
  dropWhere(mask: Uint8Array): void {
    const bias = this.pop.bias;
    this.n = 0;
    for (let j = 0; j < bias.length; j++) if (mask[j]) this.hold(bias, j);
  }

  private hold(bias: Float64Array, j: number): void {
    this.kept[this.n] = bias[j];
    this.dropped[this.n++] = j;
    bias[j] = -Infinity;
  }

  /** Puts back the biases `drop` held at −∞. */
  restore(): void {
    const bias = this.pop.bias;
    for (let k = 0; k < this.n; k++) bias[this.dropped[k]] = this.kept[k];
    this.n = 0;
  }
}
