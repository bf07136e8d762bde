// Entry of a data-parallel training worker thread: the sources are TypeScript, so tsx is
// registered in this thread first, then the worker module is loaded (it runs the shard's loop).
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
