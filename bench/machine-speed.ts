/**
 * How fast the machine is right now, for reading a benchmark's figures: the shared VMs these benchmarks run on
 * drift by up to 2× between runs minutes apart (presumably other guests on the host), and a figure means little without it.
 * Two probes, printed beside the figures: a compute loop (integer multiply-adds, in registers) and the latency
 * of a dependent read from memory (a random cycle through 64 MiB, beyond the last-level cache).
 */

export interface MachineSpeed {
  /** Milliseconds for 100 million dependent integer multiply-adds. */
  computeMs: number;
  /** Nanoseconds per dependent read from DRAM. */
  memoryLatencyNs: number;
}

const CYCLE = 1 << 24; // 16 Mi int32 = 64 MiB
let cycle: Int32Array | null = null;

/** A single random cycle through CYCLE slots (Sattolo's shuffle), so each read depends on the one before. */
function randomCycle(): Int32Array {
  const next = new Int32Array(CYCLE);
  for (let i = 0; i < CYCLE; i++) next[i] = i;
  let seed = 7;
  for (let i = CYCLE - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1103515245) + 12345) | 0;
    const j = (seed >>> 0) % i;
    const t = next[i];
    next[i] = next[j];
    next[j] = t;
  }
  return next;
}

export function machineSpeed(): MachineSpeed {
  let x = 1;
  let start = performance.now();
  for (let i = 0; i < 100_000_000; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
  const computeMs = performance.now() - start;
  cycle ??= randomCycle();
  const reads = 2_000_000;
  let p = x & 1;
  start = performance.now();
  for (let i = 0; i < reads; i++) p = cycle[p];
  const memoryLatencyNs = ((performance.now() - start) * 1e6) / reads;
  if (p === -1) console.log(p); // keeps the loop's result alive
  return { computeMs, memoryLatencyNs };
}

export function describeSpeed({ computeMs, memoryLatencyNs }: MachineSpeed): string {
  return `compute probe ${computeMs.toFixed(0)} ms, memory latency ${memoryLatencyNs.toFixed(0)} ns`;
}
