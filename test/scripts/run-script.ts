import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSX = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

/** Runs one of the project's scripts as a user would, with optional stdin and env. */
export function runScript(
  script: string,
  args: readonly string[] = [],
  options: { input?: string; env?: Record<string, string> } = {},
) {
  const result = spawnSync(TSX, [`scripts/${script}`, ...args], {
    cwd: ROOT,
    input: options.input ?? "",
    env: { ...process.env, ...options.env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
