import { afterAll } from "vitest";

/**
 * A hang detector, not a speed test (speed is measured by `npm run bench`).
 * It times every guarded call and fails only when one input takes longer
 * than `limitMs`: 1 s by default, over 100 times the 99th percentile of the
 * slowest guarded function on a 2-core machine (matching a 4,096-character
 * message: 5-10 ms), which only a catastrophic blow-up such as
 * regular-expression backtracking reaches. (An exponential blow-up never
 * returns at all: the test run then hangs, which fails it too.)
 *
 * With `FUZZ_REPORT=1` the median, 99th-percentile and worst time of each
 * guarded name are printed after the file's tests.
 */
export function createHangGuard(limitMs = 1000) {
  const timings = new Map<string, number[]>();
  const record = (name: string, elapsed: number) => {
    const times = timings.get(name) ?? [];
    times.push(elapsed);
    timings.set(name, times);
    if (elapsed > limitMs) {
      throw new Error(`${name} took ${elapsed.toFixed(0)} ms on one input (guard: ${limitMs} ms)`);
    }
  };
  afterAll(() => {
    if (!process.env.FUZZ_REPORT) return;
    for (const [name, times] of timings) {
      const sorted = [...times].sort((a, b) => a - b);
      const at = (q: number) =>
        (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(2);
      console.info(
        `${name}: ${times.length} inputs, median ${at(0.5)} ms, p99 ${at(0.99)} ms, worst ${at(1)} ms`,
      );
    }
  });
  return {
    /** Calls `run`, records how long it took, and throws if that was over the limit. */
    time<T>(name: string, run: () => T): T {
      const start = performance.now();
      const result = run();
      record(name, performance.now() - start);
      return result;
    },
    /** The same for an async call: the time until its promise settles. */
    async timeAsync<T>(name: string, run: () => Promise<T>): Promise<T> {
      const start = performance.now();
      const result = await run();
      record(name, performance.now() - start);
      return result;
    },
  };
}
