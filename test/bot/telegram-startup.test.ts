import { GrammyError, HttpError } from "grammy";
import { describe, expect, it } from "vitest";
import { callUntilAnswered, registerCommands, tokenAdvice } from "../../bot/telegram-startup.ts";

const refused = (code: number, description: string, retryAfter?: number) =>
  new GrammyError(
    `Call failed (${code}: ${description})`,
    {
      ok: false,
      error_code: code,
      description,
      ...(retryAfter === undefined ? {} : { parameters: { retry_after: retryAfter } }),
    },
    "getMe",
    {},
  );
const noAnswer = () =>
  new HttpError("Network request for 'getMe' failed!", new Error("ECONNREFUSED"));

/** A log that keeps its lines, a clock that sleeps instantly, and the pauses asked for. */
function harness() {
  const lines: { level: string; object: Record<string, unknown>; message: string }[] = [];
  const pauses: number[] = [];
  let at = 0;
  return {
    lines,
    pauses,
    log: {
      info: (object: object, message: string) =>
        void lines.push({ level: "info", object: object as Record<string, unknown>, message }),
      warn: (object: object, message: string) =>
        void lines.push({ level: "warn", object: object as Record<string, unknown>, message }),
    },
    now: () => at,
    sleep: async (ms: number) => {
      pauses.push(ms);
      at += ms;
    },
  };
}

/** A call that fails with each of `failures` in turn, then answers "me". */
function failingThen(failures: unknown[]) {
  let calls = 0;
  return async () => {
    const failure = failures[calls++];
    if (failure !== undefined) throw failure;
    return "me";
  };
}

describe("callUntilAnswered", () => {
  it("tries again after no answer, 5xx and 429, logging each try with the next one's time", async () => {
    const h = harness();
    const links: unknown[] = [];
    const result = await callUntilAnswered(
      "getMe",
      failingThen([noAnswer(), refused(502, "Bad Gateway"), refused(429, "Too Many Requests", 30)]),
      h.log,
      tokenAdvice,
      { now: h.now, sleep: h.sleep, onLink: (link) => links.push(link) },
    );
    expect(result).toEqual({ ok: true, value: "me" });
    // Doubling from 1 s, or Telegram's retry_after when longer.
    expect(h.pauses).toEqual([1000, 2000, 30_000]);
    const warnings = h.lines.filter((line) => line.level === "warn");
    expect(warnings.map((line) => line.object.attempt)).toEqual([1, 2, 3]);
    expect(warnings[0]?.object).toMatchObject({
      method: "getMe",
      nextTryAt: new Date(1000).toISOString(),
      error: expect.stringContaining("no answer"),
    });
    expect(links.at(0)).toMatchObject({ reachable: false });
    expect(links.at(-1)).toEqual({ reachable: true });
  });

  it("a refusal (401) ends it at once with the advice, not retried", async () => {
    const h = harness();
    const result = await callUntilAnswered(
      "getMe",
      failingThen([refused(401, "Unauthorized")]),
      h.log,
      tokenAdvice,
      { now: h.now, sleep: h.sleep },
    );
    expect(result).toMatchObject({ ok: false, kind: "refused" });
    if (result.ok || result.kind !== "refused") throw new Error("not refused");
    expect(result.message).toContain("401 Unauthorized");
    expect(result.message).toContain("@BotFather");
    expect(h.pauses).toEqual([]);
  });

  it("stops when asked to while waiting", async () => {
    const h = harness();
    const stop = new AbortController();
    const result = await callUntilAnswered(
      "getMe",
      async () => {
        throw noAnswer();
      },
      h.log,
      tokenAdvice,
      { now: h.now, sleep: async () => stop.abort(), signal: stop.signal },
    );
    expect(result).toEqual({ ok: false, kind: "stopped" });
  });
});

describe("registerCommands", () => {
  it("keeps trying only the menus not set yet, warning each time, until all are set", async () => {
    const h = harness();
    let russian = 0;
    let english = 0;
    const result = await registerCommands(
      [
        async () => void russian++,
        failingThen([refused(404, "Not Found"), refused(429, "Too Many Requests", 7200)]).bind(
          null,
        ),
      ].map((call, i) => async () => {
        if (i === 1) english++;
        return call();
      }),
      h.log,
      { now: h.now, sleep: h.sleep },
    );
    expect(result).toBe("set");
    expect([russian, english]).toEqual([1, 3]);
    expect(h.pauses).toEqual([60_000, 7_200_000]);
    const warnings = h.lines.filter((line) => line.level === "warn");
    expect(warnings).toHaveLength(2);
    expect(warnings[0]?.object).toMatchObject({ method: "setMyCommands", error: "404 Not Found" });
  });
});
