// The `spiking-gan` command line. Only commander is loaded up front; each subcommand's module (and
// with it the engine and MNIST) is imported when that subcommand runs, so `--help` answers fast.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Command, Option } from 'commander';
import { integerArg, numberArg, listArg, positiveListArg } from './args.ts';
import { guarded } from './fail.ts';
import { addSettingOptions } from './train-options.ts';
import { judgeCacheDir } from '../cache-dir.ts';
import type { DemoOptions } from './demo.ts';
import type { SimulateOptions } from './simulate.ts';
import type { EvalCommandOptions, TrainCommandOptions } from './classify.ts';
import type { TrainGanOptions } from './train.ts';
import type { SampleOptions } from './sample.ts';
import type { EvalGanOptions } from './eval.ts';
import type { SweepOptions, SweepWorkerOptions } from './sweep.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Commander's own errors (unknown option, missing value) in our one-line form: `spiking-gan <cmd>: <message>`. */
function oneLineErrors(cmd: Command, label: string): Command {
  return cmd.configureOutput({
    outputError: (str, write) =>
      write(
        `${label}: ${str
          .replace(/^error: /, '')
          .replace(/\s*\n\s*/g, ' ')
          .trim()}\n`,
      ),
  });
}

const program = new Command('spiking-gan')
  .version(pkg.version, '-V, --version', 'print the version')
  .description(
    'Spiking neural networks with time-to-first-spike coding: train the Spiking-GAN (train), draw ' +
      'samples from it (sample) and judge them (eval), train and evaluate TTFS classifiers (classify), simulate ' +
      'saved models (simulate), push one digit through a network (demo), and run recipes x seeds, each trained and ' +
      'judged, over the local cores or BullMQ workers on Redis (sweep, sweep-worker). The benchmark suite is the ' +
      "workspace's pnpm bench (packages/bench).",
  )
  .helpOption('-h, --help', 'show help')
  .addHelpText(
    'after',
    `
Examples:
  $ spiking-gan demo                          one MNIST digit through a 784-400-10 network, files in out/demo
  $ spiking-gan simulate --model out/demo/model.safetensors --mnist-test 100 --early-stop --out run.json
  $ spiking-gan simulate --help               every option of a command

Set SPIKING_GAN_DEBUG=1 to see stack traces of failures.`,
  );
oneLineErrors(program, 'spiking-gan');

const simulate = program
  .command('simulate')
  .summary('run a model file on spike times or MNIST test digits; write spike times and counts as JSON')
  .description(
    "Run a model (safetensors) on input spike times or on MNIST test digits, and write every sample's spike times, " +
      'spike counts, synaptic events, first output spike and prediction, with a summary, as JSON.',
  )
  .requiredOption(
    '-m, --model <file>',
    'model file to run (safetensors, as written by saveModel or by hand with layers.{k}.weight)',
  )
  .option(
    '-i, --input <file>',
    'JSON input spike times: {"samples": [[t_0, t_1, ...], ...]}, one array per sample with one entry per input ' +
      'neuron; null or a time >= tmax means no spike',
  )
  .option(
    '-n, --mnist-test <n>',
    "run on the first N MNIST test images, TTFS-coded with the model's tmax (the model needs a 784-neuron input)",
    integerArg(1),
  )
  .option(
    '--early-stop',
    'stop each run at the first output spike (the decision) and count only what was spent up to it',
  )
  .requiredOption('-o, --out <file>', 'where to write the results (JSON, written atomically)')
  .addHelpText(
    'after',
    `
Give exactly one of --input and --mnist-test.

Examples:
  $ spiking-gan simulate --model out/demo/model.safetensors --mnist-test 10 --out out/sim.json
  $ spiking-gan simulate -m model.safetensors -n 1000 --early-stop -o out/sim.json
  $ echo '{"samples": [[0, 3, null, 300]]}' > in.json   # a model with 4 inputs, tmax 256
  $ spiking-gan simulate --model tiny.safetensors --input in.json --out out/tiny.json

Output: {"summary": {samples, meanSpikes, meanSynapticEvents, meanFirstOutputTime, undecidedShare,
accuracy (MNIST only)}, "samples": [{populations: {<name>: {times (null = silent), spikes,
spikesToDecision}}, synapticEvents, firstOutputTime, prediction, label (MNIST only)}, ...]}.`,
  )
  .action(
    guarded('simulate', async (opts: SimulateOptions) => {
      const m = await import('./simulate.ts');
      await m.simulate(opts);
    }),
  );
oneLineErrors(simulate, 'spiking-gan simulate');

const demo = program
  .command('demo')
  .summary('one MNIST digit through an S4NN-initialised 784-400-10 network: raster, digit, model, record')
  .description(
    "Push one MNIST test digit through an untrained 784-400-10 network with S4NN's initialisation (hidden weights " +
      'uniform in [0, 5), output in [0, 48), threshold 100, tmax 256, delay 1) and write raster.svg, digit.png, ' +
      'model.safetensors and run.json.',
  )
  .option('--digit-index <i>', 'index of the MNIST test image (0..9999)', integerArg(0), 0)
  .option(
    '--seed <s>',
    "seed of the weight initialisation, as classify train's (0..4294967295)",
    integerArg(0, 0xffffffff),
    0,
  )
  .option('--out <dir>', 'output folder', 'out/demo')
  .addHelpText(
    'after',
    `
Examples:
  $ spiking-gan demo
  $ spiking-gan demo --digit-index 42 --seed 7 --out out/demo42
  $ spiking-gan simulate --model out/demo/model.safetensors --mnist-test 10 --out out/sim.json`,
  )
  .action(
    guarded('demo', async (opts: DemoOptions) => {
      const m = await import('./demo.ts');
      await m.demo(opts);
    }),
  );
oneLineErrors(demo, 'spiking-gan demo');

const classify = program
  .command('classify')
  .summary('train and evaluate TTFS classifiers on MNIST (S4NN, Aggressive TTFS, ramp and relu kernels)')
  .description('Train and evaluate time-to-first-spike classifiers on the full MNIST (60k train, 10k test).');
oneLineErrors(classify, 'spiking-gan classify');

const UNDECIDED_HELP =
  'how test images no output neuron fired on are classified: potential (the largest potential at ' +
  "the end, then the lower index) or s4nn (S4NN.py's rule: the largest potential three steps before the end, ties " +
  "in S4NN's class order 4,1,0,7,9,2,3,5,8,6; delta kernel)";

const classifyTrain = classify
  .command('train')
  .summary('train a 784-hidden-10 TTFS classifier, evaluating on the test set after every epoch')
  .description(
    "Train a TTFS classifier on MNIST with temporal backpropagation. Defaults are S4NN's: 784-400-10, delta " +
      'synapses, discrete time, tmax 256, θ = 100, init U[0,5] / U[0,48], per-sample SGD η = 0.2, L2 λ = 1e-6, TTFS ' +
      'relative targets γ = 3, dead hidden neurons re-initialised after each epoch. The model is saved (atomically) ' +
      'after every epoch, with the settings, seed, commit and per-epoch history in its metadata.',
  )
  .option('--epochs <n>', 'training epochs', integerArg(1), 30)
  .option(
    '--loss <name>',
    'ttfs (S4NN relative targets), aggressive (Aggressive TTFS), ' +
      'softmax (cross-entropy on -beta*t, for --kernel ramp and relu) (default: ttfs; relu: softmax)',
  )
  .option(
    '--kernel <name>',
    'delta (S4NN, approximate gradient), ramp (constant synaptic current, exact gradient, ' +
      'continuous time) or relu (ReLU-equivalent neurons, exact gradient: the ReLU MLP recipe)',
    'delta',
  )
  .option('--gamma <g>', 'margin γ of the TTFS targets, in steps', numberArg(0), 3)
  .option(
    '--gamma-a <g>',
    'Aggressive TTFS: how far before the winner the desired neuron is asked to fire (default γ)',
    numberArg(0),
  )
  .option(
    '--variant <name>',
    'Aggressive TTFS variant: earlier (T_y = τ* − γ_a always), winner (only once y wins by γ), absolute (T_y = 0, ' +
      'others at tmax)',
    'earlier',
  )
  .option(
    '--push <w>',
    'Aggressive TTFS read as a weighted push: samples TTFS leaves alone (label first, alone by γ) ' +
      'are asked to decide γ_a earlier, at this weight in [0, 1]; the others learn TTFS at weight 1',
    numberArg(0),
  )
  .option('--push-silence', 'with --push: wrong output neurons of those samples are asked to stay silent')
  .option(
    '--push-reach <r>',
    'with --push: the share of its weight that reaches the hidden layers ' +
      '(default 1; 0: the push trains the output layer only)',
    numberArg(0),
  )
  .option(
    '--push-schedule <name>',
    'with --push: its weight over the epochs, constant, down (from w to w/epochs) or up ' +
      '(from w/epochs to w) (default constant)',
  )
  .option('--seed <s>', 'seed of initialisation, shuffling and re-initialisation', integerArg(0, 0xffffffff), 0)
  .option('--hidden <sizes>', 'hidden layer sizes, comma-separated', listArg(1), [400])
  .option('--lr <eta>', 'learning rate (default 0.2 for sgd, 1e-3 for adam)', numberArg(0))
  .option('--decay <lambda>', 'L2 weight decay λ (default 1e-6 for sgd, 0 for adam)', numberArg(0))
  .option(
    '--schedule <name>',
    'learning-rate schedule: constant (S4NN) or cosine (η decays to 0 over the epochs) ' +
      '(default: constant; relu: cosine)',
  )
  .option('--batch <n>', 'samples per update (1 = S4NN per-sample updates) (default: 1; relu: 64)', integerArg(1))
  .option(
    '--workers <n>',
    'threads for data-parallel mini-batches (needs --batch > 1; the same seed and --workers give the same weights)',
    integerArg(1),
    1,
  )
  .option(
    '--average-epochs <k>',
    'save (and report) the weights averaged over the last K epochs, a snapshot every 1,000 samples (0 = off)',
    integerArg(0),
    0,
  )
  .option('--optimiser <name>', 'sgd or adam (default: sgd; relu: adam)')
  .addOption(new Option('--optimizer <name>', 'old name of --optimiser').hideHelp())
  .option('--beta <b>', 'softmax loss: logits are -beta*t (default 3; relu: 1)', numberArg(0))
  .option(
    '--readout <kind>',
    'relu: what the cross-entropy reads, spike (the output values x = window end - t; ' +
      'default) or potential (the output potentials u)',
  )
  .option('--dropout <p>', 'relu: share of hidden neurons inhibited per training sample (default 0.3)', numberArg(0))
  .option(
    '--windows <lengths>',
    'relu: window lengths, input first, comma-separated (default 1,16,8: pixels p/255 ' + 'in [0, 1])',
    positiveListArg,
  )
  .option('--silent-penalty <rho>', 'ramp kernel: gradient pushing silent neurons to fire', numberArg(0))
  .option('--train-limit <n>', 'use only the first N shuffled training images per epoch', integerArg(1))
  .option('--test-limit <n>', 'evaluate on the first N test images', integerArg(1))
  .option('--no-shuffle', 'iterate the training set in dataset order (as S4NN.py does)')
  .option('--undecided <rule>', UNDECIDED_HELP, 'potential')
  .option('--out <file>', 'model file to write', 'out/classifier.safetensors')
  .option('--json', 'print the result (settings, history, final figures) as JSON on stdout')
  .option('--quiet', 'no progress output')
  .addHelpText(
    'after',
    `
Examples:
  $ spiking-gan classify train                                  # S4NN on full MNIST, 30 epochs
  $ spiking-gan classify train --loss aggressive --out out/aggressive.safetensors
  $ spiking-gan classify train --epochs 1 --train-limit 5000 --out out/quick.safetensors
  $ spiking-gan classify train --kernel ramp --loss softmax --optimiser adam --batch 32 --out out/ramp.safetensors
  $ spiking-gan classify train --kernel relu --out out/relu.safetensors      # the ReLU MLP recipe, 30 epochs
  $ spiking-gan classify train --batch 256 --lr 51.2 --workers 2 --out out/parallel.safetensors`,
  )
  .action(
    guarded('classify train', async (opts: TrainCommandOptions) => {
      const m = await import('./classify.ts');
      await m.classifyTrain(opts);
    }),
  );
oneLineErrors(classifyTrain, 'spiking-gan classify train');

const classifyEval = classify
  .command('eval')
  .summary('accuracy, inference time, spikes, synaptic events and energy of a classifier on the MNIST test set')
  .description(
    'Evaluate a 784-…-10 classifier model (output neuron k = digit k) on the MNIST test set: accuracy, inference ' +
      'time (first output spike), share with no output spike, spikes per sample per layer for the whole window and ' +
      'up to the decision, synaptic events and an energy estimate against the same network as an ANN (memory access ' +
      'not counted). A weights-only safetensors file written in NumPy loads with the S4NN defaults.',
  )
  .requiredOption('-m, --model <file>', 'classifier model file (safetensors)')
  .option('--limit <n>', 'evaluate on the first N test images', integerArg(1))
  .option('--undecided <rule>', UNDECIDED_HELP, 'potential')
  .option('--json', 'print the figures as JSON on stdout')
  .option('-o, --out <file>', 'also write the figures as JSON to this file')
  .addHelpText(
    'after',
    `
Examples:
  $ spiking-gan classify eval --model out/classifier.safetensors
  $ spiking-gan classify eval --model weights_from_numpy.safetensors --json`,
  )
  .action(
    guarded('classify eval', async (opts: EvalCommandOptions) => {
      const m = await import('./classify.ts');
      await m.classifyEval(opts);
    }),
  );
oneLineErrors(classifyEval, 'spiking-gan classify eval');

const train = program
  .command('train')
  .summary(
    'train the Spiking-GAN (spiking G and D); writes a sample grid, G/D model files, a checkpoint and figures.json',
  )
  .description(
    'Adversarial training of a spiking generator against a spiking discriminator with spike-time gradients. ' +
      'With no options: the relu-cond recipe, class-conditional, on ReLU-equivalent TTFS neurons whose exact ' +
      "spike-time gradient is a ReLU network's. G: signed Gaussian noise and the digit -> 210 inputs -> 400 -> 784 " +
      'pixels. D judges two images at once (PacGAN): 1568 inputs -> 400 -> 31 outputs read as potentials, a ' +
      'projection discriminator (a shared logit and one per digit) with an auxiliary classifier of the digits (10 ' +
      'per image). The non-saturating adversarial loss alone, Adam 2e-4 β1 0.5, batch 32, 24,000 steps. Every ' +
      'setting of the preset can be overridden (the flag of setting dLr is --d-lr); --resume continues from ' +
      'OUT/checkpoint.safetensors and gives the same result as not stopping.',
  )
  .option(
    '--preset <name>',
    'relu-cond (default: the real GAN, class-conditional), relu (the same, unconditional, with an InfoGAN code), ' +
      'digits (ramp + pixel MMD), ramp (the plain ramp GAN) or faithful (delta synapses, S4NN gradient)',
    'relu-cond',
  );
addSettingOptions(train)
  .option('--out <dir>', 'output folder', 'out/gan')
  .option('--resume', 'continue from OUT/checkpoint.safetensors (only --steps may change)')
  .option('--checkpoint-every <n>', 'steps between checkpoints', integerArg(1), 50)
  .option('--log-every <n>', 'steps averaged per entry of the figures history', integerArg(1), 10)
  .option('--samples <n>', 'images in the sample grid (at most 10,000)', integerArg(1, 10_000), 100)
  .option('--sample-seed <s>', "seed of the sample grid's noise", integerArg(0, 0xffffffff), 1)
  .option('--json', 'print figures.json on stdout')
  .option('--quiet', 'no progress output')
  .option(
    '--workers <n>',
    'threads for data-parallel training (relu kernel; the same seed and --workers give the same weights)',
    integerArg(1),
    1,
  )
  .addHelpText(
    'after',
    `
Examples:
  $ spiking-gan train                                   # the relu-cond recipe, files in out/gan
  $ spiking-gan train --workers 2                       # the same recipe on 2 threads
  $ spiking-gan train --preset relu --out out/gan-uncond
  $ spiking-gan train --float-twin --out out/gan-twin    # the same run on the float twin
  $ spiking-gan train --out out/gan --resume --steps 4000
  $ spiking-gan train --preset faithful --steps 2000 --out out/faithful`,
  )
  .action(
    guarded('train', async (opts: TrainGanOptions) => {
      const m = await import('./train.ts');
      await m.trainGan(opts);
    }),
  );
oneLineErrors(train, 'spiking-gan train');

const sampleCmd = program
  .command('sample')
  .summary('images from a trained generator: a PNG grid and an IDX file (uint8, N x 28 x 28)')
  .requiredOption('-m, --model <file>', 'generator model (G.safetensors written by spiking-gan train)')
  .option('--count <n>', 'images to generate', integerArg(1), 100)
  .option('--seed <s>', 'noise seed', integerArg(0, 0xffffffff), 1)
  .option('--digit <d>', 'class-conditional generators: the digit to draw', integerArg(0, 9))
  .option('--png <file>', 'PNG grid to write', 'out/samples.png')
  .option('--idx <file>', 'IDX file to write (default: the PNG name with -images-idx3-ubyte)')
  .option('--grid <n>', 'images shown in the PNG grid', integerArg(1), 100)
  .addHelpText(
    'after',
    `
Examples:
  $ spiking-gan sample --model out/gan/G.safetensors --count 10000 --seed 3 --png out/samples.png`,
  )
  .action(
    guarded('sample', async (opts: SampleOptions) => {
      const m = await import('./sample.ts');
      await m.sample(opts);
    }),
  );
oneLineErrors(sampleCmd, 'spiking-gan sample');

const evalCmd = program
  .command('eval')
  .summary(
    'quality (FID with floor and ceiling, classifier score, coverage, copy check, within-class variety) ' +
      'and sparsity of a trained GAN, or the quality of any sample file',
  )
  .description(
    "Judge a generator's samples, or the images of any sample file (--samples), in the feature space of " +
      "the project's own MNIST classifier (a small ANN trained once with a fixed seed and cached): FID against the " +
      'MNIST test set beside its floor (train vs test) and ceiling (uniform noise), classifier score, class coverage ' +
      'and confident share, the copy check, and the within-class variety (mean pairwise pixel distance within a ' +
      'class over that of MNIST test digits of the class; classes from a conditional generator or --labels, else ' +
      "the judge's predictions). With --model, then the sparsity figures (decision time, spikes, synaptic events) " +
      'of G, of D on real and on fake images, and of the G→D pipeline.',
  )
  .option('-m, --model <file>', 'generator model (G.safetensors) to sample and judge')
  .option(
    '--samples <file>',
    'judge the images of this file instead of a generator: IDX uint8 n x 28 x 28 (as ' +
      'spiking-gan sample writes) or .npy of shape (n, 28, 28) or (n, 784), dtype uint8 (0..255) or float32/float64 ' +
      '(values in [0, 1])',
  )
  .option(
    '--labels <file>',
    "with --samples: the images' digits (IDX 1-D uint8 or 1-D .npy of integers 0..9, one " +
      "per image) for the variety and the label agreement (default: the judge's predictions)",
  )
  .option('--discriminator <file>', 'discriminator model (default: D.safetensors beside the generator); --model only')
  .option(
    '--count <n>',
    'images judged: generated ones (default 10000), or the first N of the --samples file ' + '(default: all of it)',
    integerArg(2),
  )
  .option(
    '--seed <s>',
    "noise seed, and seed of the copy check's and the FID floor's samples",
    integerArg(0, 0xffffffff),
    1,
  )
  .option('--sparsity-samples <n>', 'samples for the sparsity figures (default 1000); --model only', integerArg(1))
  .option(
    '--judge-cache <dir>',
    'where the judge classifier is cached (one folder for every run: ' +
      '$SPIKING_GAN_CACHE/judge, else $XDG_CACHE_HOME/spiking-gan/judge or ~/.cache/spiking-gan/judge)',
    judgeCacheDir(),
  )
  .option('--json', 'print the figures as JSON')
  .option('-o, --out <file>', 'also write the figures as JSON to this file')
  .addHelpText(
    'after',
    `
Give exactly one of --model and --samples. With --samples no generator or discriminator is loaded
and the sparsity section is left out. Float .npy images are rounded to 256 grey levels; every value
of a sample or labels file is checked (shape, dtype, range, NaN, a header that does not match the
file's size) and a bad file is refused with its name and the problem.

Within-class variety: 1.00 = as varied as real digits; one template per digit scores about 0.3.
Classes with fewer than 2 images show '-' (null in JSON) and are left out of the mean; the row says
how many classes were counted. A class with more than 2000 images is reduced to a seeded sample.

Examples:
  $ spiking-gan eval --model out/gan/G.safetensors
  $ spiking-gan eval --model out/gan/G.safetensors --count 2000 --json
  $ spiking-gan sample --model out/gan/G.safetensors --count 10000 --png out/s.png  # out/s-images-idx3-ubyte
  $ spiking-gan eval --samples out/s-images-idx3-ubyte
  $ spiking-gan eval --samples other-gan.npy --labels other-gan-labels.npy --count 5000`,
  )
  .action(
    guarded('eval', async (opts: EvalGanOptions) => {
      const m = await import('./eval.ts');
      await m.evalGan(opts);
    }),
  );
oneLineErrors(evalCmd, 'spiking-gan eval');

/** The long options of `spiking-gan train`: what a sweep's settings may set. */
const trainOptions = () => train.options.flatMap((o) => (o.long ? [o.long] : []));

const sweepCmd = program
  .command('sweep')
  .summary(
    'recipes x seeds from a JSON file, each trained and judged in its own process, over the local cores ' +
      'or BullMQ workers on Redis; one ranked table (Markdown + JSON), finished runs skipped',
  )
  .description(
    'Run every recipe x grid point x seed of a sweep file as a `spiking-gan train` process, judge each ' +
      'generator with `spiking-gan eval`, and rank the runs by FID in OUT/sweep.md and OUT/sweep.json, with the ' +
      'best sample grids side by side. Runs whose result is complete are skipped; a half-written one is redone. ' +
      'With --queue, the runs become BullMQ jobs on that Redis server, worked by `spiking-gan sweep-worker`.',
  )
  .argument('<file>', 'sweep file (JSON)')
  .option('--out <dir>', 'output folder: runs/<run>/, sweep.md, sweep.json (default: out/sweep/<file name>)')
  .option(
    '--jobs <n>',
    'runs at a time on this machine (its cores unless given)',
    integerArg(1),
    availableParallelism(),
  )
  .option('--queue <url>', 'hand the runs to BullMQ workers on this Redis server (redis://host:port) and wait')
  .option('--queue-name <name>', 'BullMQ queue name', 'spiking-gan-sweep')
  .option('--judge-cache <dir>', 'where the judge classifier is cached (as for eval)', judgeCacheDir())
  .option('--quiet', 'no progress lines')
  .addHelpText(
    'after',
    `
The sweep file:
  {
    "preset": "relu-cond",                        the preset of every recipe (default: train's)
    "settings": {"steps": 2000},                  GAN settings of every recipe (names as in the GAN config)
    "recipes": [{"name": "base"},                 each recipe: a name, its own preset and settings
                {"name": "wide", "settings": {"gHidden": 800, "dHidden": 800}}],
    "grid": {"dDropout": [0, 0.3]},               every combination, over every recipe
    "seeds": [0, 1],                              each recipe x grid point once per seed (default [0])
    "train": {"samples": 100, "sampleSeed": 1, "checkpointEvery": 50},
    "eval": {"count": 10000, "seed": 1, "sparsitySamples": 1000},
    "best": 4                                     sample grids shown side by side
  }
A run is named <recipe>[_<key>-<value>...]_s<seed> and lives in OUT/runs/<run>/.

Examples:
  $ spiking-gan sweep short.json --jobs 2                           # out/sweep/short/sweep.md
  $ spiking-gan sweep-worker --queue redis://queue-host:6379         # on each machine
  $ spiking-gan sweep short.json --queue redis://queue-host:6379     # enqueue, wait, write the table`,
  )
  .action(
    guarded('sweep', async (file: string, opts: SweepOptions) => {
      const m = await import('./sweep.ts');
      await m.sweep(file, opts, trainOptions());
    }),
  );
oneLineErrors(sweepCmd, 'spiking-gan sweep');

const sweepWorkerCmd = program
  .command('sweep-worker')
  .summary('a BullMQ worker for `spiking-gan sweep --queue`: trains and judges queued runs until stopped')
  .description(
    'Take the runs of `spiking-gan sweep --queue` from a BullMQ queue on Redis, train and judge each ' +
      'in OUT/runs/<run>/ and hand the result, sample grid and eval figures back to the sweep. Runs until SIGINT ' +
      'or SIGTERM; a run it held then goes back to the queue.',
  )
  .requiredOption('--queue <url>', 'the Redis server of the queue (redis://host:port)')
  .option('--queue-name <name>', 'BullMQ queue name', 'spiking-gan-sweep')
  .option('--jobs <n>', "runs at a time (the machine's cores unless given)", integerArg(1), availableParallelism())
  .option('--out <dir>', 'folder of the runs', 'out/sweep-worker')
  .option('--judge-cache <dir>', 'where the judge classifier is cached (as for eval)', judgeCacheDir())
  .addHelpText(
    'after',
    `
Examples:
  $ spiking-gan sweep-worker --queue redis://queue-host:6379 --jobs 2`,
  )
  .action(
    guarded('sweep-worker', async (opts: SweepWorkerOptions) => {
      const m = await import('./sweep.ts');
      await m.sweepWorker(opts, trainOptions());
    }),
  );
oneLineErrors(sweepWorkerCmd, 'spiking-gan sweep-worker');

await program.parseAsync(process.argv);
