// The soak's kill -9, at the worst moment for the outbox: the double has just
// accepted a relay that the process has not recorded as sent, so its row
// stays 'sending' and may be sent again by whoever takes it back.
import type { BotApiDouble } from "../test/bot-api-double/index.ts";
import type { BotProcess } from "../test/e2e/bot-process.ts";
import type { SoakFleet } from "./soak-fleet.ts";
import type { SoakProbe } from "./soak-probe.ts";

/** c17-m42: the 42nd message of the 17th ticket's citizen; o17-m42: the 42nd of its operator. */
export const TOKEN_PATTERN = /\b[co]\d+-m\d+\b/g;
const HAS_TOKEN = /\b[co]\d+-m\d+\b/;
const WAIT_MS = 60_000;

/** What the kill left behind. */
export interface Killed {
  /** The slot of the killed process. */
  slot: number;
  killedAt: number;
  /** Its outbox rows in 'sending' right after the kill, and the relayed tokens among them. */
  rows: number;
  tokens: string[];
  /** Updates it had been given and not confirmed (long polling), for the report. */
  unconfirmed?: number;
}

const tokensOf = (texts: readonly (string | undefined)[]) =>
  texts.flatMap((text) => text?.match(TOKEN_PATTERN) ?? []);

/**
 * Long polling, one process: updates pile up behind a held poll for a moment
 * and come as one batch; the poll that would confirm that batch is held too,
 * so the killed bot gets the whole batch again after the restart (handled
 * already: it must relay none of it twice). The kill comes right after the
 * double accepted a relay.
 */
export async function killPoller(
  double: BotApiDouble,
  bot: BotProcess,
  probe: SoakProbe,
): Promise<Killed> {
  const gather = double.hold("getUpdates");
  const confirm = double.hold("getUpdates");
  await gather.waitForHeld(1, { timeoutMs: WAIT_MS });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const released = gather.release();
  await confirm.waitForHeld(1, { timeoutMs: WAIT_MS });
  await double
    .waitFor(
      (c) =>
        c.method === "sendMessage" &&
        c.response?.ok === true &&
        HAS_TOKEN.test(String(c.params.text)),
      { since: double.calls.length, timeoutMs: 5000 },
    )
    .catch(() => undefined);
  const killedAt = Date.now();
  await bot.stop("SIGKILL");
  confirm.drop();
  const rows = await probe.sending();
  const batch = (await released)[0]?.response;
  return {
    slot: 0,
    killedAt,
    rows: rows.length,
    tokens: tokensOf(rows.map((row) => row.text)),
    unconfirmed: batch?.ok ? (batch.result as unknown[]).length : 0,
  };
}

/**
 * Webhook mode, several processes: the relays leaving now are held at the
 * double; the process sending the first of them is frozen (SIGSTOP), the
 * held relays are executed and answered (that one never reads its answers),
 * then it is killed (SIGKILL). Its webhook requests in hand die with it, and
 * the proxy passes Telegram's next tries to the others. `fallback` is the
 * slot killed when no relay is leaving.
 */
export async function killWebhookProcess(
  double: BotApiDouble,
  fleet: SoakFleet,
  probe: SoakProbe,
  fallback: number,
): Promise<Killed> {
  const hold = double.hold(
    (method, params) => method === "sendMessage" && HAS_TOKEN.test(String(params.text ?? "")),
  );
  const held = await hold.waitForHeld(1, { timeoutMs: 5000 }).catch(() => []);
  const wanted = new Set(tokensOf(held.map((request) => String(request.params.text))));
  let slot = fallback;
  for (const [index, bot] of fleet.processes.entries()) {
    const pid = bot.child.pid;
    if (pid === undefined) continue;
    const sending = tokensOf((await probe.sendingByPid(pid)).map((row) => row.text));
    if (sending.some((token) => wanted.has(token))) {
      slot = index;
      break;
    }
  }
  const victim = fleet.processes[slot] as BotProcess;
  victim.child.kill("SIGSTOP");
  await hold.release();
  const killedAt = Date.now();
  await victim.stop("SIGKILL");
  const rows = victim.child.pid === undefined ? [] : await probe.sendingByPid(victim.child.pid);
  return { slot, killedAt, rows: rows.length, tokens: tokensOf(rows.map((row) => row.text)) };
}
