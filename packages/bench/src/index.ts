export { benchEngine } from './engine.ts';
export type { EngineBenchOptions, EngineBenchResult, ImplFigures } from './engine.ts';
export { PlainLoop, PlainRecord } from './plain-loop.ts';
export type { PlainLoopShape } from './plain-loop.ts';
