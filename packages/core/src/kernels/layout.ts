// The layout of the kernel memory, defined once: the AssemblyScript kernels (assembly/*.ts import
// this file) and the TypeScript that writes their descriptors (src/kernels/simd-*.ts) read the
// same constants. It must stay valid in both languages: plain numeric constants, no imports.
//
// A descriptor is a block of the kernel memory that a kernel receives by its byte offset. Every
// value below is a byte offset within its record: i32 fields at multiples of 4, f64 fields at
// multiples of 8 (the allocator hands out 64-byte aligned blocks). "ptr" fields hold the byte
// offset of an array (u32), "out" fields are written by the kernel.

// ---- The memory -------------------------------------------------------------------------------

/** Bytes kept free at the start of the memory: the allocator's header (the kernels have no static data). */
export const RESERVED_BYTES = 65536;
/** The allocator's bump pointer (u32, shared by every thread), in the reserved header. */
export const BUMP_AT = 8;

// ---- Population record of the delta and ramp forward passes (and of countSpikes) --------------

/** Bytes per population record. */
export const POP_BYTES = 32;
/** i32: neurons. */
export const POP_SIZE = 0;
/** i32: global index of the first neuron. */
export const POP_OFFSET = 4;
/** ptr f64[size]: thresholds (none for the input). */
export const POP_THRESHOLDS = 8;
/** ptr i32[size]: the neurons that fired, in arrival order. */
export const POP_LIST = 12;
/** i32: length of that list. */
export const POP_FIRED = 16;
/** out i32: spikes up to the decision. */
export const POP_SPIKES_TO_DECISION = 20;
/** out i32: spikes in the run. */
export const POP_SPIKES = 24;
/** i32 (delta only): 1 when the whole population has one threshold. */
export const POP_UNIFORM = 28;

// ---- Delta forward pass (`forward`, assembly/kernels.ts): header, populations, projections -----

/** Bytes of the header; population p follows at DELTA_HEADER + p·POP_BYTES, then the projections. */
export const DELTA_HEADER = 64;
/** i32: populations L. */
export const DELTA_LAYERS = 0;
/** i32: steps tmax. */
export const DELTA_TMAX = 4;
/** i32: the output population. */
export const DELTA_OUTPUT = 8;
/** ptr f64[n]: potentials. */
export const DELTA_V = 12;
/** ptr f64[n]: spike times (the caller writes the input's). */
export const DELTA_T = 16;
/** ptr f64[n]: potentials at the spike (at the end for silent neurons). */
export const DELTA_P = 20;
/** ptr u32[widest]: row pointers, one per source neuron. */
export const DELTA_ROWS = 24;
/** ptr i32[tmax + 1]: counters of the counting sort. */
export const DELTA_COUNTERS = 28;
/** out i32: synaptic events. */
export const DELTA_SYN = 32;
/** out i32: synaptic events up to the decision. */
export const DELTA_SYN_TO_DECISION = 36;
/** out i32: decision step. */
export const DELTA_DECISION = 40;
/** out i32: 1 when the run stopped early. */
export const DELTA_STOPPED = 44;
/** ptr i32[tmax]: end of each step's rows. */
export const DELTA_STEP_ENDS = 48;
/** ptr i32[tmax]: each step's time. */
export const DELTA_STEP_TIMES = 52;
/** ptr i32[widest]: sort scratch. */
export const DELTA_SORT = 56;
/** out i32: first input neuron whose time is refused (−1: none). */
export const DELTA_BAD_INPUT = 60;
/** Bytes per projection record (projection k: population k → k + 1). */
export const DELTA_PRJ_BYTES = 16;
/** ptr f64[nI·nJ]: weights. */
export const DELTA_PRJ_WEIGHTS = 0;
/** i32: delay in steps. */
export const DELTA_PRJ_DELAY = 4;
/** f64: lazy scale. */
export const DELTA_PRJ_SCALE = 8;

// ---- Ramp forward pass (`rampForward`, assembly/ramp.ts) ---------------------------------------

/** Bytes of the header; populations (POP_*) and projections follow as in the delta pass. */
export const RAMP_HEADER = 80;
/** i32: populations L. */
export const RAMP_LAYERS = 0;
/** i32: the output population. */
export const RAMP_OUTPUT = 4;
/** f64: tmax. */
export const RAMP_TMAX = 8;
/** ptr f64[n]: summed weights W (the slope). */
export const RAMP_W = 16;
/** ptr f64[n]: Σ w·t of the arrivals. */
export const RAMP_A = 20;
/** ptr f64[n]: spike times (the caller writes the input's). */
export const RAMP_T = 24;
/** ptr f64[n]: potentials. */
export const RAMP_P = 28;
/** ptr f64[n]: slopes at the spike. */
export const RAMP_S = 32;
/** ptr f64[n]: key of each spike (the wave that produced it). */
export const RAMP_K = 36;
/** ptr u32[widest]: row pointers. */
export const RAMP_ROWS = 40;
/** ptr i32[widest + 1]: end of each wave's rows. */
export const RAMP_WAVE_ENDS = 44;
/** ptr f64[widest + 1]: each wave's time. */
export const RAMP_WAVE_TIMES = 48;
/** ptr f64[widest + 1]: each wave's key. */
export const RAMP_WAVE_KEYS = 52;
/** ptr i32[widest]: sort scratch. */
export const RAMP_SORT = 56;
/** out i32: synaptic events. */
export const RAMP_SYN = 60;
/** out i32: synaptic events up to the decision. */
export const RAMP_SYN_TO_DECISION = 64;
/** out i32: 1 when the run stopped early. */
export const RAMP_STOPPED = 68;
/** out f64: decision time. */
export const RAMP_DECISION = 72;
/** Bytes per projection record. */
export const RAMP_PRJ_BYTES = 24;
/** ptr f64[nI·nJ]: weights. */
export const RAMP_PRJ_WEIGHTS = 0;
/** f64: delay. */
export const RAMP_PRJ_DELAY = 8;
/** f64: lazy scale. */
export const RAMP_PRJ_SCALE = 16;

// ---- Forward pass of ReLU-equivalent neurons (`reluForward`, assembly/relu.ts) ------------------

/** Bytes of the header; population p follows at RELU_HEADER + p·RELU_POP_BYTES. */
export const RELU_HEADER = 64;
/** i32: populations L. */
export const RELU_LAYERS = 0;
/** ptr i32[widest + 1]: bucket counters. */
export const RELU_COUNTERS = 4;
/** f64: tmax. */
export const RELU_TMAX = 8;
/** ptr f64[n]: spike times (the caller writes the input's). */
export const RELU_T = 16;
/** ptr f64[n]: potentials u. */
export const RELU_P = 20;
/** ptr u32[widest]: row pointers. */
export const RELU_ROWS = 24;
/** ptr f64[widest]: x of each row. */
export const RELU_XS = 28;
/** ptr i32[widest]: sort list. */
export const RELU_LIST = 32;
/** ptr f64[widest]: sort keys. */
export const RELU_KEYS = 36;
/** ptr i32[widest]: sort scratch list. */
export const RELU_LIST2 = 40;
/** ptr f64[widest]: sort scratch keys. */
export const RELU_KEYS2 = 44;
/** out i32: synaptic events. */
export const RELU_SYN = 48;
/** out i32: 1 when the run stopped early. */
export const RELU_STOPPED = 52;
/** out f64: decision time. */
export const RELU_DECISION = 56;
/** Bytes per population record. */
export const RELU_POP_BYTES = 48;
/** i32: neurons. */
export const RELU_POP_SIZE = 0;
/** i32: global index of the first neuron. */
export const RELU_POP_OFFSET = 4;
/** ptr f64[size]: biases (none for the input). */
export const RELU_POP_BIAS = 8;
/** ptr f64[nI·size]: weights of the projection into the population (none for the input). */
export const RELU_POP_WEIGHTS = 12;
/** out i32: spikes up to the decision. */
export const RELU_POP_SPIKES_TO_DECISION = 16;
/** out i32: spikes in the run. */
export const RELU_POP_SPIKES = 20;
/** f64: window start. */
export const RELU_POP_START = 24;
/** f64: window end. */
export const RELU_POP_END = 32;
/** f64: lazy scale of the projection into the population. */
export const RELU_POP_SCALE = 40;

// ---- Backward pass of a dense ramp or relu projection (`rampBackward`, assembly/ramp.ts;
// `reluBackward`, assembly/relu.ts) ---------------------------------------------------------------

/** Bytes of the backward descriptor. */
export const BWD_BYTES = 96;
/** ptr f64[nI·nJ]: weights, by source row (read). */
export const BWD_W = 0;
/** ptr f64[nI·nJ]: the gradient, added into (with BWD_GRADIENT). */
export const BWD_G = 4;
/** i32: sources nI. */
export const BWD_NI = 8;
/** i32: targets nJ. */
export const BWD_NJ = 12;
/** ptr f64[nI]: source spike times (silent: ≥ tmax). */
export const BWD_PRE = 16;
/** ptr f64[nJ] (ramp): target spike times. */
export const BWD_POST = 20;
/** ptr f64[nJ]: each target's factor f_j (its error over its slope, or its error where it passes). */
export const BWD_F = 24;
/** ptr f64[nJ] (ramp): the targets' errors δ_j. */
export const BWD_DELTA = 28;
/** ptr out f64[nI]: the sources' errors (with BWD_SOURCES). */
export const BWD_OUT = 32;
/** i32: what to compute, BWD_GRADIENT | BWD_SOURCES | BWD_SILENT. */
export const BWD_FLAGS = 36;
/** f64: coefficient of the gradient. */
export const BWD_COEF = 40;
/** f64: lazy scale of the weights. */
export const BWD_SCALE = 48;
/** f64 (ramp): delay of the projection. */
export const BWD_DELAY = 56;
/** f64 (relu): start of the targets' window. */
export const BWD_START = 64;
/** f64: tmax. */
export const BWD_TMAX = 72;
/** f64 (ramp): κ, the surrogate gradient of silent targets with an error. */
export const BWD_KAPPA = 80;
/** f64 (ramp): ρ, the push of silent targets towards firing. */
export const BWD_RHO = 88;
/** Flag: add the weight gradient into BWD_G. */
export const BWD_GRADIENT = 1;
/** Flag: write the sources' errors into BWD_OUT. */
export const BWD_SOURCES = 2;
/** Flag (ramp): add the terms of silent targets to the gradient. */
export const BWD_SILENT = 4;
