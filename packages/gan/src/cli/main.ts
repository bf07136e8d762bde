// The `spiking-gan` command line. Only commander is loaded up front; each subcommand's module (and
// with it the engine and MNIST) is imported when that subcommand runs, so `--help` answers fast.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { integerArg } from './args.ts';
import { guarded } from './fail.ts';
import type { DemoOptions } from './demo.ts';
import type { SimulateOptions } from './simulate.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Commander's own errors (unknown option, missing value) in our one-line form: `spiking-gan <cmd>: <message>`. */
function oneLineErrors(cmd: Command, label: string): Command {
  return cmd.configureOutput({
    outputError: (str, write) => write(`${label}: ${str.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim()}\n`),
  });
}

const program = new Command('spiking-gan')
  .version(pkg.version, '-V, --version', 'print the version')
  .description('Spiking neural networks with time-to-first-spike coding: simulate saved models, run the demo (and, later, train and sample the Spiking-GAN).')
  .helpOption('-h, --help', 'show help')
  .addHelpText('after', `
Examples:
  $ spiking-gan demo                          one MNIST digit through a 784-400-10 network, files in out/demo
  $ spiking-gan simulate --model out/demo/model.safetensors --mnist-test 100 --early-stop --out run.json
  $ spiking-gan simulate --help               every option of a command

Set SPIKING_GAN_DEBUG=1 to see stack traces of failures.`);
oneLineErrors(program, 'spiking-gan');

const simulate = program
  .command('simulate')
  .summary('run a model file on spike times or MNIST test digits; write spike times and counts as JSON')
  .description('Run a model (safetensors) on input spike times or on MNIST test digits, and write every sample\'s spike times, spike counts, synaptic events, first output spike and prediction, with a summary, as JSON.')
  .requiredOption('-m, --model <file>', 'model file to run (safetensors, as written by saveModel or by hand with layers.{k}.weight)')
  .option('-i, --input <file>', 'JSON input spike times: {"samples": [[t_0, t_1, ...], ...]}, one array per sample with one entry per input neuron; null or a time >= tmax means no spike')
  .option('-n, --mnist-test <n>', 'run on the first N MNIST test images, TTFS-coded with the model\'s tmax (the model needs a 784-neuron input)', integerArg(1))
  .option('--early-stop', 'stop each run at the first output spike (the decision) and count only what was spent up to it')
  .requiredOption('-o, --out <file>', 'where to write the results (JSON, written atomically)')
  .addHelpText('after', `
Give exactly one of --input and --mnist-test.

Examples:
  $ spiking-gan simulate --model out/demo/model.safetensors --mnist-test 10 --out out/sim.json
  $ spiking-gan simulate -m model.safetensors -n 1000 --early-stop -o out/sim.json
  $ echo '{"samples": [[0, 3, null, 300]]}' > in.json   # a model with 4 inputs, tmax 256
  $ spiking-gan simulate --model tiny.safetensors --input in.json --out out/tiny.json

Output: {"summary": {samples, meanSpikes, meanSynapticEvents, meanFirstOutputTime, undecidedShare,
accuracy (MNIST only)}, "samples": [{populations: {<name>: {times (null = silent), spikes,
spikesToDecision}}, synapticEvents, firstOutputTime, prediction, label (MNIST only)}, ...]}.`)
  .action(guarded('simulate', async (opts: SimulateOptions) => {
    const m = await import('./simulate.ts');
    await m.simulate(opts);
  }));
oneLineErrors(simulate, 'spiking-gan simulate');

const demo = program
  .command('demo')
  .summary('one MNIST digit through an S4NN-initialised 784-400-10 network: raster, digit, model, record')
  .description('Push one MNIST test digit through an untrained 784-400-10 network with S4NN\'s initialisation (hidden weights uniform in [0, 5), output in [0, 48), threshold 100, tmax 256, delay 1) and write raster.svg, digit.png, model.safetensors and run.json.')
  .option('--digit-index <i>', 'index of the MNIST test image (0..9999)', integerArg(0), 0)
  .option('--seed <s>', 'seed of the weight initialisation (0..4294967295)', integerArg(0, 0xffffffff), 1)
  .option('--out <dir>', 'output folder', 'out/demo')
  .addHelpText('after', `
Examples:
  $ spiking-gan demo
  $ spiking-gan demo --digit-index 42 --seed 7 --out out/demo42
  $ spiking-gan simulate --model out/demo/model.safetensors --mnist-test 10 --out out/sim.json`)
  .action(guarded('demo', async (opts: DemoOptions) => {
    const m = await import('./demo.ts');
    await m.demo(opts);
  }));
oneLineErrors(demo, 'spiking-gan demo');

await program.parseAsync(process.argv);
