import { createServer } from "node:net";
import { join } from "node:path";
import { expect, it } from "vitest";
import { parsePrometheusText } from "../bot/prometheus-text.ts";
import { useBotProcess } from "./e2e-setup.ts";

const e2e = useBotProcess("e2e-health-");

/** A port free on loopback now (the OS picks it; a race with other programs is possible but rare). */
const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });

it("npm start with HEALTH_PORT serves /healthz and /metrics, and stops serving on SIGTERM", async () => {
  const port = await freePort();
  // The source through tsx, as `npm start` runs it (the other tests start the run's compiled copy).
  const bot = await e2e.launch(
    { DATABASE_PATH: join(e2e.dir, "bot.sqlite"), HEALTH_PORT: String(port) },
    { throughTsx: true },
  );
  const { double } = e2e;
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  let health: Response | undefined;
  while (!health) {
    if (Date.now() > deadline) throw new Error(`no /healthz:\n${bot.output()}`);
    health = await fetch(`${url}/healthz`).catch(() => undefined);
    if (!health) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({
    status: "ok",
    database: "writable",
    lastTelegramOkAt: expect.any(String),
    outboxLagMs: 0,
  });

  double.sendText({ id: 1001, first_name: "Анна", language_code: "ru" }, "/help");
  await double.waitForMessage((m) => m.chat.id === 1001);
  const metrics = parsePrometheusText(await (await fetch(`${url}/metrics`)).text());
  expect(metrics.value("bot_updates_total", { type: "message" })).toBe(1);
  expect(metrics.value("bot_tickets", { state: "waiting" })).toBe(0);

  expect(await bot.stop("SIGTERM")).toBe(0);
  await expect(fetch(`${url}/healthz`)).rejects.toThrow();
});
