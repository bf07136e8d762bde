// What both forward passes report at the end: per population, its spikes up to the end of the run
// and up to the decision, and the synaptic events those spikes delivered. `Time` is i32 for the
// delta kernel's steps and f64 for the ramp kernel's times (spike times are stored as f64 in both).
import {
  POP_BYTES,
  POP_FIRED,
  POP_LIST,
  POP_OFFSET,
  POP_SIZE,
  POP_SPIKES,
  POP_SPIKES_TO_DECISION,
} from '../src/kernels/layout';

/**
 * Population records (POP_*) from `pops` (reads each one's list of spikes in arrival order, writes
 * its spike counts), projection k at prjs + k·prjStride with its delay at `delayAt`. Writes the
 * synaptic events at out and those to the decision at out + 4.
 */
export function countSpikes<Time>(
  pops: usize,
  L: i32,
  prjs: usize,
  prjStride: usize,
  delayAt: usize,
  T: usize,
  end: Time,
  decision: Time,
  tmax: Time,
  out: usize,
): void {
  let syn: i32 = 0,
    synDecision: i32 = 0;
  for (let p = 0; p < L; p++) {
    const q = pops + <usize>p * POP_BYTES,
      off = <usize>load<i32>(q, POP_OFFSET);
    const list = load<usize>(q, POP_LIST),
      nf = load<i32>(q, POP_FIRED);
    const last = p + 1 >= L,
      fanOut = last ? 0 : load<i32>(q + POP_BYTES, POP_SIZE);
    const r = prjs + <usize>p * prjStride;
    const delay: Time = last
      ? <Time>0
      : isInteger<Time>()
        ? <Time>load<i32>(r + delayAt)
        : <Time>load<f64>(r + delayAt);
    let all = 0,
      toDecision = 0;
    for (let c = 0; c < nf; c++) {
      const t = load<f64>((off + <usize>load<i32>(list + <usize>c * 4)) * 8 + T);
      const ti: Time = isInteger<Time>() ? <Time>(<i32>t) : <Time>t;
      if (ti > end) break;
      all++;
      if (ti <= decision) toDecision++;
      const a: Time = ti + delay;
      if (fanOut > 0 && a < tmax && a <= end) {
        syn += fanOut;
        if (a <= decision) synDecision += fanOut;
      }
    }
    store<i32>(q, all, POP_SPIKES);
    store<i32>(q, toDecision, POP_SPIKES_TO_DECISION);
  }
  store<i32>(out, syn);
  store<i32>(out, synDecision, 4);
}
