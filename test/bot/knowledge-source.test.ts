import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  describeReload,
  type KnowledgeSource,
  openKnowledgeSource,
  type ReloadResult,
} from "../../bot/knowledge-source.ts";
import { createMatcher, loadKnowledgeBase } from "../../knowledge/index.ts";
import { INTENTS_DIR } from "../knowledge-fixture.ts";

const dirs: string[] = [];
const sources: KnowledgeSource[] = [];
afterEach(() => {
  for (const source of sources.splice(0)) source.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the real knowledge folder, opened as the bot opens it. */
function openCopy() {
  const parent = mkdtempSync(join(tmpdir(), "knowledge-"));
  const folder = join(parent, "intents");
  dirs.push(parent);
  cpSync(INTENTS_DIR, folder, { recursive: true });
  const opened = openKnowledgeSource(folder);
  if (!opened.ok) throw new Error("the real knowledge base did not load");
  sources.push(opened.source);
  const file = join(folder, "contacts.hotline.yaml");
  return { folder, source: opened.source, file, original: readFileSync(file, "utf8") };
}

const hotlineAnswer = (source: KnowledgeSource) =>
  source.current().kb.byId.get("contacts.hotline")?.answer.ru ?? "";

describe("the knowledge source: live reload", () => {
  it("swaps in an edited answer and serves it from then on", async () => {
    const { source, file, original } = openCopy();
    const before = source.current();
    writeFileSync(file, original.replace(/(answer:\s*\n\s*ru: [|>]-?\n\s*)/, "$1Обновлено. "));
    const reloading = source.reload();
    // Built in a worker thread: until it is done, the old one answers.
    expect(source.current()).toBe(before);
    const result = await reloading;
    expect(result).toMatchObject({ ok: true, intents: 28, previousIntents: 28 });
    expect(hotlineAnswer(source)).toMatch(/^Обновлено\. /);
    expect(source.current()).not.toBe(before);
    // What an update already holds stays whole.
    expect(before.kb.byId.get("contacts.hotline")?.answer.ru).not.toMatch(/^Обновлено/);
  });

  it("refuses an invalid edit whole: the old knowledge base keeps serving, the error names file and field", async () => {
    const { source, file, original } = openCopy();
    const served = source.current();
    writeFileSync(file, original.replace(/^id: .*$/m, "id: 42"));
    const result = await source.reload();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0]).toMatchObject({ file: "contacts.hotline.yaml", field: "id" });
    expect(source.current()).toBe(served);
    const told = describeReload(result);
    expect(told).toContain("не принято");
    expect(told).toContain("contacts.hotline.yaml: id:");
  });

  it("a build that fails leaves the old matcher answering, and is told once: in the log and to whoever asked", async () => {
    const lines: string[] = [];
    const log = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
    const parent = mkdtempSync(join(tmpdir(), "knowledge-"));
    dirs.push(parent);
    const folder = join(parent, "intents");
    cpSync(INTENTS_DIR, folder, { recursive: true });
    const opened = openKnowledgeSource(folder, log, {
      load: () => Promise.reject(new Error("out of memory")),
    });
    if (!opened.ok) throw new Error("the real knowledge base did not load");
    sources.push(opened.source);
    const { source } = opened;
    const served = source.current();
    const result = await source.reload();
    expect(result).toMatchObject({
      ok: false,
      issues: [{ code: "build_failed", message: expect.stringContaining("out of memory") }],
    });
    expect(source.current()).toBe(served);
    expect(source.current().matcher.match("телефон горячей линии").decision).toEqual({
      kind: "answer",
      intent: "contacts.hotline",
    });
    const failures = lines.filter((line) => line.includes("the matcher could not be built"));
    expect(failures).toHaveLength(1);
    expect(describeReload(result)).toContain("бот отвечает по прежней версии");
  });

  it("reloads asked for during a reload run once after it, together", async () => {
    let loads = 0;
    const parent = mkdtempSync(join(tmpdir(), "knowledge-"));
    dirs.push(parent);
    const folder = join(parent, "intents");
    cpSync(INTENTS_DIR, folder, { recursive: true });
    const opened = openKnowledgeSource(folder, undefined, {
      load: async (path) => {
        loads++;
        await new Promise((done) => setTimeout(done, 20));
        const loaded = loadKnowledgeBase(path);
        if (!loaded.ok) return loaded;
        return { ...loaded, matcher: createMatcher(loaded.kb), buildMs: 0, openMs: 0 };
      },
    });
    if (!opened.ok) throw new Error("the real knowledge base did not load");
    sources.push(opened.source);
    const results = await Promise.all([1, 2, 3].map(() => opened.source.reload()));
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
    expect(loads).toBe(2);
  });

  it("escapes what the errors quote before sending them as HTML", () => {
    const told = describeReload({
      ok: false,
      issues: [
        {
          code: "invalid_field",
          file: "<b>x</b>.yaml",
          field: "answer",
          message: "bad <tag> & more",
        },
      ],
    });
    expect(told).toContain("&lt;b&gt;x&lt;/b&gt;.yaml: answer: bad &lt;tag&gt; &amp; more");
  });

  it("reloads by itself when a file in the folder changes", async () => {
    const { source, file, original } = openCopy();
    const heard = new Promise<ReloadResult>((resolve) => source.watch(resolve, 50));
    writeFileSync(file, original.replace(/(answer:\s*\n\s*ru: [|>]-?\n\s*)/, "$1Из файла. "));
    expect((await heard).ok).toBe(true);
    expect(hotlineAnswer(source)).toMatch(/^Из файла\. /);
  });

  it("after the folder is replaced by a fresh copy, later edits in it are reloaded too", async () => {
    const { folder, source, original } = openCopy();
    const results: ReloadResult[] = [];
    source.watch((result) => results.push(result), 50);
    const fresh = `${folder}.fresh`;
    cpSync(INTENTS_DIR, fresh, { recursive: true });
    renameSync(folder, `${folder}.old`);
    renameSync(fresh, folder);
    await vi.waitFor(() => expect(results.length).toBeGreaterThan(0), { timeout: 10_000 });
    // An edit in the new folder, after the swap was heard.
    const file = join(folder, "contacts.hotline.yaml");
    writeFileSync(file, original.replace(/(answer:\s*\n\s*ru: [|>]-?\n\s*)/, "$1После замены. "));
    await vi.waitFor(() => expect(hotlineAnswer(source)).toMatch(/^После замены\. /), {
      timeout: 10_000,
    });
    // The old folder, moved away, is no longer followed: its broken edit is never loaded.
    writeFileSync(
      join(`${folder}.old`, "contacts.hotline.yaml"),
      original.replace(/^id: .*$/m, "id: 42"),
    );
    await new Promise((done) => setTimeout(done, 300));
    expect(results.filter((result) => !result.ok)).toEqual([]);
    expect(hotlineAnswer(source)).toMatch(/^После замены\. /);
  });
});
