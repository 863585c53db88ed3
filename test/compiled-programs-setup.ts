import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { COMPILED_PROGRAMS_ENV, compilePrograms } from "./compiled-programs.ts";

/** The run's compiled programs, shared by every project that runs this set-up (vitest calls it once a project). */
interface Shared {
  dir: string;
  ready: Promise<void>;
  users: number;
}
const SHARED = Symbol.for("gosuslugi-bot.test-compiled-programs");
const registry = globalThis as typeof globalThis & { [SHARED]?: Shared };

/**
 * Vitest's global set-up: compiles the programs the tests start as
 * processes (test/compiled-programs.ts) into a folder of this run's own under
 * node_modules/.cache, named to the tests' processes by an environment
 * variable, and removed at the end.
 */
export default async function setup() {
  let shared = registry[SHARED];
  if (!shared) {
    const cache = fileURLToPath(new URL("../node_modules/.cache", import.meta.url));
    mkdirSync(cache, { recursive: true });
    const dir = mkdtempSync(join(cache, "test-programs-"));
    shared = { dir, ready: compilePrograms(dir), users: 0 };
    registry[SHARED] = shared;
  }
  shared.users++;
  await shared.ready;
  process.env[COMPILED_PROGRAMS_ENV] = shared.dir;
  const mine = shared;
  return () => {
    if (--mine.users > 0) return;
    delete registry[SHARED];
    delete process.env[COMPILED_PROGRAMS_ENV];
    rmSync(mine.dir, { recursive: true, force: true });
  };
}
