// One size of the synthetic knowledge base, measured in a process of its own
// so that its memory is the matcher's alone: `tsx scripts/bench-scale.ts
// 5000` prints one JSON line (build time, per-question median and p99 over
// two rounds of 300 questions, peak RSS and the heap after a GC). Started by
// `npm run bench`.
import { createMatcher } from "../knowledge/index.ts";
import { syntheticKnowledgeBase } from "./bench-synthetic.ts";
import { loadKnowledgeOrExit } from "./knowledge-folder.ts";

/** The q-quantile of sorted samples. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** Median and p99 of `matcher.match` over `texts`, after one warm-up round. */
export function timeMatches(
  matcher: { match(text: string): unknown },
  texts: readonly string[],
  rounds: number,
) {
  for (const text of texts) matcher.match(text);
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const text of texts) {
      const start = performance.now();
      matcher.match(text);
      samples.push(performance.now() - start);
    }
  }
  samples.sort((a, b) => a - b);
  return { median: quantile(samples, 0.5), p99: quantile(samples, 0.99), count: samples.length };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const count = Number(process.argv[2] ?? 5000);
  const real = loadKnowledgeOrExit();
  const synthetic = syntheticKnowledgeBase(real, count);
  // The dictionary loads once per process: not the build's.
  createMatcher(real);
  const started = performance.now();
  const matcher = createMatcher(synthetic.kb);
  const buildMs = performance.now() - started;
  const latency = timeMatches(matcher, synthetic.queries.slice(0, 300), 2);
  globalThis.gc?.();
  const examples = synthetic.kb.intents.reduce(
    (n, i) => n + i.examples.ru.length + i.examples.en.length,
    0,
  );
  console.log(
    JSON.stringify({
      intents: count,
      examples,
      buildMs,
      median: latency.median,
      p99: latency.p99,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      heapMb: process.memoryUsage().heapUsed / 2 ** 20,
    }),
  );
}
