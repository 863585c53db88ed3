import type fc from "fast-check";

/**
 * How the fuzz tests run: a fixed seed, so a run is reproducible and a
 * failure can be replayed. fast-check prints the seed and the path of a
 * failing case; `FUZZ_SEED=<seed>` reruns with another seed and
 * `FUZZ_RUNS=<factor>` multiplies every test's runs (a deeper search, e.g.
 * `FUZZ_RUNS=20 npx vitest run test/fuzz` overnight).
 */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20_260_601);
const RUNS_FACTOR = Math.max(0.01, Number(process.env.FUZZ_RUNS ?? 1));

/**
 * The parameters of one `fc.assert`: `numRuns` runs (scaled by FUZZ_RUNS), the
 * fixed seed. `shrink: false` reports the first failing case as found, for
 * properties whose cases are so costly (long sequences of updates) that
 * shrinking one would take minutes; its seed and path still replay it.
 */
export function fuzzParameters<T>(
  numRuns: number,
  options: { shrink?: boolean } = {},
): fc.Parameters<T> {
  const { shrink = true } = options;
  return {
    seed: FUZZ_SEED,
    numRuns: Math.max(1, Math.round(numRuns * RUNS_FACTOR)),
    ...(shrink ? {} : { endOnFailure: true }),
  };
}

/** A test's timeout for `ms` at the default number of runs, scaled by FUZZ_RUNS. */
export function fuzzTimeout(ms: number): number {
  return Math.round(ms * Math.max(1, RUNS_FACTOR));
}
