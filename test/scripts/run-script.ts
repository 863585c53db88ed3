import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { compiledProgram } from "../compiled-programs.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSX = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

/**
 * Runs one of the project's scripts as a user would, with optional stdin and
 * env: the test run's compiled copy of it (test/compiled-programs.ts), or,
 * with `throughTsx` or outside vitest, the source through the tsx CLI as
 * `npm run` does.
 */
export function runScript(
  script: string,
  args: readonly string[] = [],
  options: { input?: string; env?: Record<string, string>; throughTsx?: boolean } = {},
) {
  const source = `scripts/${script}`;
  const compiled = options.throughTsx ? undefined : compiledProgram(source);
  const result = spawnSync(compiled ? process.execPath : TSX, [compiled ?? source, ...args], {
    cwd: ROOT,
    input: options.input ?? "",
    env: { ...process.env, ...options.env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
