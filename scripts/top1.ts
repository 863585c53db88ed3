import { readFileSync } from "node:fs";
import { createMatcher, loadKnowledgeBase } from "../knowledge/index.ts";

const r = loadKnowledgeBase("intents");
if (!r.ok) throw new Error("kb");
const qs = readFileSync(`test/fixtures/eval-${process.argv[2] ?? "dev"}.jsonl`, "utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l));
const m = createMatcher(r.kb, JSON.parse(process.argv[3] ?? "{}"));
let n = 0,
  ok = 0,
  ok2 = 0;
const miss: string[] = [];
for (const q of qs) {
  if (q.intent === null) continue;
  n++;
  const x = m.match(q.text);
  if (x.candidates[0]?.intent === q.intent) ok++;
  else
    miss.push(
      `${q.intent} <- ${x.candidates[0]?.intent}:${x.candidates[0]?.score.toFixed(2)} | ${q.text}`,
    );
  if (x.candidates.slice(0, 2).some((c) => c.intent === q.intent)) ok2++;
}
console.log("top1", ((ok / n) * 100).toFixed(1), "top2", ((ok2 / n) * 100).toFixed(1), n);
if (process.argv[4]) console.log(miss.join("\n"));
