import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The programs the tests start as processes: the bot and the command-line tools. */
export const PROGRAMS = [
  "bot/main.ts",
  "scripts/admin.ts",
  "scripts/backup.ts",
  "scripts/chat.ts",
  "scripts/kb.ts",
  "scripts/purge.ts",
] as const;

/** Names the folder of this test run's compiled programs (set by test/compiled-programs-setup.ts). */
export const COMPILED_PROGRAMS_ENV = "TEST_COMPILED_PROGRAMS";

const compiledName = (program: string) => `${program.replaceAll("/", "--")}.mjs`;

/**
 * The compiled copy of `program` (a path from the repository's root) when
 * this test run made one (test/compiled-programs-setup.ts), to run with
 * `node` instead of the source through tsx; else undefined (outside vitest).
 *
 * @example spawn(process.execPath, [compiledProgram("bot/main.ts") ?? "bot/main.ts"])
 */
export function compiledProgram(program: string): string | undefined {
  const dir = process.env[COMPILED_PROGRAMS_ENV];
  const compiled = dir && join(dir, compiledName(program));
  return compiled && existsSync(compiled) ? compiled : undefined;
}

/**
 * Compiles each of `PROGRAMS` into one ES module in `dir` (esbuild, which is
 * what tsx runs each file through; packages stay imports). A process started
 * from it skips tsx's loader: 0.3 s less CPU a start, of 1-3 s. Each source
 * file keeps its own `import.meta.url` (the folders it finds its data by,
 * `createRequire`), and `process.argv[1]` is the source's path, so a
 * script's "am I the program" check holds as under tsx. `dir` must be inside
 * the repository's node_modules, for the packages' imports to resolve.
 */
export async function compilePrograms(dir: string): Promise<void> {
  await Promise.all(
    PROGRAMS.map((program) =>
      build({
        absWorkingDir: ROOT,
        entryPoints: [program],
        outfile: join(dir, compiledName(program)),
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node20",
        packages: "external",
        logLevel: "warning",
        banner: { js: `process.argv[1] = ${JSON.stringify(join(ROOT, program))};` },
        plugins: [SOURCE_LOCATIONS],
      }),
    ),
  );
}

/** Gives each source file its own `import.meta.url`, not the compiled file's. */
const SOURCE_LOCATIONS: Plugin = {
  name: "source-locations",
  setup(compiler) {
    compiler.onLoad({ filter: /\.ts$/ }, async ({ path }) => ({
      contents: (await readFile(path, "utf8")).replaceAll(
        "import.meta.url",
        JSON.stringify(pathToFileURL(path).href),
      ),
      loader: "ts",
    }));
  },
};
