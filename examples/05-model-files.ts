// Model files are safetensors: layers.{k}.weight of shape [n_out, n_in] plus hyper-parameters in
// __metadata__. Save, load, inspect, and load a weights-only file as written by hand (S4NN defaults).
// Run: pnpm exec tsx examples/05-model-files.ts
//
// The same files from Python (pip install safetensors numpy):
//   from safetensors.numpy import load_file, save_file
//   from safetensors import safe_open
//   tensors = load_file("model.safetensors")  # {"layers.0.weight": ndarray (3, 4), "layers.1.weight": (2, 3)}
//   with safe_open("model.safetensors", "np") as f:
//       print(f.metadata())                   # {"tmax": "256", "time": "discrete", "layers": "[...]", ...}
//   save_file({"layers.0.weight": w.astype("float32")}, "mine.safetensors")  # runs here with tmax 256, θ 100, delay 1
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, Network, readSafetensorsFile, saveModel, Simulator, writeSafetensorsFile } from '@spiking-gan/core';

const dir = mkdtempSync(join(tmpdir(), 'spiking-gan-example-'));
try {
  // A 4-3-2 network with random S4NN-style weights.
  const net = new Network();
  net.addInput(4);
  net.addLayer(3, { threshold: 10, init: { uniform: [0, 8], seed: 3 } });
  net.addLayer(2, { threshold: 10, init: { uniform: [0, 8], seed: 4 } });
  const file = join(dir, 'model.safetensors');
  saveModel(file, net, { metadata: { note: 'written by examples/05-model-files.ts' } }); // atomic write

  const { tensors, metadata } = readSafetensorsFile(file);
  for (const [name, t] of Object.entries(tensors)) console.log(`tensor ${name}: ${t.dtype} [${t.shape.join(', ')}]`);
  console.log(`metadata: tmax ${metadata.tmax}, time ${metadata.time}, layers ${metadata.layers}`);

  // Loading gives the same network: the same spikes.
  const loaded = loadModel(file).net;
  const input = [0, 3, 7, 256];
  const a = Array.from(new Simulator(net).run(input).times),
    b = Array.from(new Simulator(loaded).run(input).times);
  console.log(
    `saved and loaded networks spike alike: ${a.every((t, i) => t === b[i])} (output at ${b.slice(-2).join(', ')})`,
  );

  // A file with only layers.{k}.weight and no metadata (what save_file in Python writes) loads with S4NN's defaults.
  const bare = join(dir, 'bare.safetensors');
  writeSafetensorsFile(bare, {
    'layers.0.weight': { dtype: 'F32', shape: [2, 4], data: new Float32Array([60, 60, 0, 0, 0, 0, 120, 0]) },
  });
  const b2 = loadModel(bare).net;
  console.log(
    `weights-only file: tmax ${b2.tmax}, threshold ${b2.output.threshold[0]}, ` +
      `delay ${b2.projections[0].delay}, time ${b2.time}; ` +
      `output at ${Array.from(new Simulator(b2).run([0, 5, 9, 300]).timesOf(b2.output))}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
