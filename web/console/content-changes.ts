import { structuredPatch } from "diff";
import type { PublishedFile } from "../../handoff/index.ts";

/** Lines of context around each change, as `git diff` shows them. */
const CONTEXT = 3;

/** One changed stretch of a file: its place in each version and its lines, each marked. */
export interface Hunk {
  oldStart: number;
  newStart: number;
  lines: { kind: "context" | "removed" | "added"; text: string }[];
}

/**
 * What a publication did to one file, as `git diff`'s hunks of lines: a
 * file it created has every line added, one it deleted (a restore of a
 * publication that created it) every line removed.
 */
export function changes(file: PublishedFile): Hunk[] {
  const patch = structuredPatch(file.name, file.name, file.before ?? "", file.after ?? "", "", "", {
    context: CONTEXT,
  });
  return patch.hunks.map((hunk) => ({
    oldStart: hunk.oldStart,
    newStart: hunk.newStart,
    lines: hunk.lines
      .filter((line) => !line.startsWith("\\")) // "\ No newline at end of file"
      .map((line) => ({
        kind: line[0] === "+" ? "added" : line[0] === "-" ? "removed" : "context",
        text: line.slice(1),
      })),
  }));
}
