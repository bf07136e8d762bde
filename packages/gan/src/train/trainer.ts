// The trainer a GAN config asks for: the ReLU-equivalent GAN (kernel relu) or the ramp/delta one.
import type { Network } from '@spiking-gan/core';
import type { ImageSet } from '../data/mnist.ts';
import type { GanConfig } from '../models/config.ts';
import { GanTrainer } from './gan-trainer.ts';
import { ReluGanTrainer } from './relu-trainer.ts';
import { sampleRelu, sampleSpiking, type Samples } from './sample.ts';

/** Either trainer: both step, checkpoint and sample the same way. */
export type Trainer = GanTrainer | ReluGanTrainer;

/** A new trainer for `cfg` on `data`. */
export function createTrainer(cfg: GanConfig, data: ImageSet): Trainer {
  return cfg.kernel === 'relu' ? new ReluGanTrainer(cfg, data) : new GanTrainer(cfg, data);
}

/** Generates `n` images from a generator network with the settings it was trained with. */
export function sampleGenerator(G: Network, cfg: GanConfig, n: number, seed: number, digit?: number): Samples {
  return cfg.kernel === 'relu' ? sampleRelu(G, cfg, n, seed, digit) : sampleSpiking(G, cfg, n, seed, digit);
}
