// Entry of a data-parallel GAN training worker (a piscina worker thread): the sources are TypeScript,
// so tsx is registered in this thread first, then the worker module is loaded.
import { register } from 'tsx/esm/api';

register();
const worker = await import('./gan-worker.ts');
export default worker.default;
