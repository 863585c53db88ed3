// The soak's schedule of injected faults, drawn from a seed so a failing run
// can be repeated exactly (npm run soak -- --seed N).

/** A fault the soak injects while the traffic runs. */
export type FaultEvent =
  /** The next `times` sendMessage calls answer 429 with retry_after 1. */
  | { at: number; kind: "429"; times: number }
  /** The next `times` sendMessage calls answer 500. */
  | { at: number; kind: "500"; times: number }
  /** Every sendMessage is held for `holdMs`, then its connection closed unanswered (never executed). */
  | { at: number; kind: "drop"; holdMs: number }
  /** A bot process is killed with SIGKILL and started again on the same database. */
  | { at: number; kind: "kill" }
  /** The PostgreSQL server stops, stays down `downMs`, and starts again. */
  | { at: number; kind: "database-restart"; downMs: number };

export type FaultKind = FaultEvent["kind"];

/** A random number generator: each call returns a number in [0, 1). */
export type Random = () => number;

/**
 * A seeded pseudo-random generator (mulberry32): the same seed gives the same
 * sequence on every machine.
 *
 * @example const random = createRandom(7); random(); // 0 ≤ x < 1
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [min, max], both included. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

const KINDS = ["429", "500", "drop"] as const;

export interface FaultPlanOptions {
  /** One PostgreSQL restart too, between 65% and 80% of the run. Defaults to false. */
  databaseRestart?: boolean;
}

/**
 * The faults of a run `durationMs` long, in time order (`at` in ms from the
 * start of the traffic): 429 bursts, 500s and dropped connections every
 * 1.5–4 s between 10% and 90% of the run, each kind once in every three in
 * a shuffled order (so even a short run has all three), exactly one kill
 * between 40% and 60%, and with `databaseRestart` one PostgreSQL restart
 * (down 1–2.5 s) between 65% and 80%.
 *
 * @example planFaults(30_000, 1).filter((event) => event.kind === "kill").length // 1
 */
export function planFaults(
  durationMs: number,
  seed: number,
  options: FaultPlanOptions = {},
): FaultEvent[] {
  const { databaseRestart = false } = options;
  const random = createRandom(seed);
  const events: FaultEvent[] = [];
  let round: string[] = [];
  for (let at = durationMs * 0.1; at < durationMs * 0.9; at += randomInt(random, 1500, 4000)) {
    if (round.length === 0) round = shuffle([...KINDS], random);
    const kind = round.pop();
    if (kind === "429") events.push({ at, kind, times: randomInt(random, 5, 25) });
    else if (kind === "500") events.push({ at, kind, times: randomInt(random, 2, 6) });
    else events.push({ at, kind: "drop", holdMs: randomInt(random, 200, 1000) });
  }
  const kill = Math.round(durationMs * (0.4 + random() * 0.2));
  events.push({ at: kill, kind: "kill" });
  if (databaseRestart) {
    const at = durationMs * (0.65 + random() * 0.15);
    events.push({ at, kind: "database-restart", downMs: randomInt(random, 1000, 2500) });
  }
  return events
    .map((event) => ({ ...event, at: Math.round(event.at) }))
    .sort((a, b) => a.at - b.at);
}

function shuffle<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(random, 0, i);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
