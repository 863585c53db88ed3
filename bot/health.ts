import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type Handoff, type Outbox, probeWritable, type StorageMonitor } from "../handoff/index.ts";
import type { Metrics } from "./metrics.ts";

export interface HealthDeps {
  /** The handoff's connection: /healthz checks it can commit a write. */
  db: Handoff["db"];
  /** What the bot learned about the database while running (failed writes, damage, a deleted file). */
  storage: Pick<StorageMonitor, "fault" | "checkFile">;
  outbox: Pick<Outbox, "lag">;
  metrics: Pick<Metrics, "registry" | "lastTelegramOkAt">;
  /**
   * Whether the bot has reached Telegram yet (start-up retries getMe until it
   * answers); while not, /healthz is 503 "Telegram unreachable". Defaults to
   * not checked.
   */
  telegram?: () => { reachable: true } | { reachable: false; reason: string };
}

export interface HealthOptions {
  /** The port to listen on; 0 picks a free one. */
  port: number;
  /** The address to listen on. Defaults to 127.0.0.1 (this machine only). */
  host?: string;
  /** The clock. Defaults to Date.now. */
  now?: () => number;
  /**
   * Degraded when no Bot API call succeeded for longer than this, in ms (or,
   * before the first one, since the server was created). Defaults to 300000 (5 minutes).
   */
  staleAfterMs?: number;
  /** Degraded when the oldest undelivered outbox row waited longer than this, in ms. Defaults to 300000. */
  maxOutboxLagMs?: number;
}

/** What /healthz answers, as JSON (200 when `ok`, 503 when `degraded`). */
export interface HealthReport {
  status: "ok" | "degraded";
  /** The checks that failed, by name; only when degraded. */
  failing?: string[];
  /**
   * "writable"; or "not writable: ", "damaged: " or "missing: " and the reason
   * (SQLite's, or the file that went).
   */
  database: string;
  /** ISO time of the last successful Bot API call; null before any. */
  lastTelegramOkAt: string | null;
  /** The outbox's lag in ms; null when it could not be read. */
  outboxLagMs: number | null;
  /** "reachable", or "unreachable: " and the last failure; only with the `telegram` check. */
  telegram?: string;
}

export interface HealthServer {
  /** Starts listening; resolves with the address and port (the one picked when `port` is 0). */
  listen(): Promise<{ address: string; port: number }>;
  /** Runs the checks /healthz runs. */
  check(): Promise<HealthReport>;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

const MINUTES_5 = 5 * 60_000;

/**
 * An HTTP server for monitoring: `GET /healthz` (the database commits a write
 * on the bot's connection and is still the file it opened, none of the bot's
 * own writes failed since the last that worked, no damaged page was met, a
 * Bot API call succeeded lately, the outbox is not lagging: 200, or 503
 * naming what failed) and `GET /metrics` (Prometheus text from the metrics'
 * registry); 404 elsewhere. Nothing listens until `listen()`.
 *
 * @example const health = createHealthServer({ db, outbox, metrics }, { port: 9464 }); await health.listen();
 */
export function createHealthServer(deps: HealthDeps, options: HealthOptions): HealthServer {
  const {
    port,
    host = "127.0.0.1",
    now = Date.now,
    staleAfterMs = MINUTES_5,
    maxOutboxLagMs = MINUTES_5,
  } = options;
  const { db, storage, outbox, metrics, telegram } = deps;
  const startedAt = now();

  const check = async (): Promise<HealthReport> => {
    const failing: string[] = [];
    storage.checkFile();
    const fault = storage.fault();
    const writable = await probeWritable(db, { now });
    let database = "writable";
    if (fault?.kind === "missing") {
      failing.push("database file missing");
      database = `missing: ${fault.error}`;
    } else if (fault?.kind === "corrupt") {
      failing.push("database damaged");
      database = `damaged: ${fault.error}`;
    } else if (!writable.ok || fault) {
      failing.push("database not writable");
      // The probe's one row can still commit while bigger writes fail (a full
      // disk): the bot's own last failure counts until a write works again.
      database = `not writable: ${writable.ok ? fault?.error : writable.error}`;
    }
    const lastOk = metrics.lastTelegramOkAt();
    if (now() - (lastOk ?? startedAt) > staleAfterMs) failing.push("telegram stale");
    const link = telegram?.();
    if (link && !link.reachable) failing.push("Telegram unreachable");
    let outboxLagMs: number | null = null;
    try {
      outboxLagMs = await outbox.lag();
      if (outboxLagMs > maxOutboxLagMs) failing.push("outbox lagging");
    } catch {
      failing.push("outbox unreadable");
    }
    return {
      status: failing.length === 0 ? "ok" : "degraded",
      ...(failing.length > 0 ? { failing } : {}),
      database,
      lastTelegramOkAt: lastOk === undefined ? null : new Date(lastOk).toISOString(),
      outboxLagMs,
      ...(link ? { telegram: link.reachable ? "reachable" : `unreachable: ${link.reason}` } : {}),
    };
  };

  const server = createServer(async (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/healthz" && path !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/healthz") {
      const report = await check();
      res
        .writeHead(report.status === "ok" ? 200 : 503, {
          "content-type": "application/json; charset=utf-8",
          "cache-control": "no-store",
        })
        .end(`${JSON.stringify(report)}\n`);
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(text),
      (error: unknown) =>
        res
          .writeHead(500, { "content-type": "text/plain; charset=utf-8" })
          .end(`metrics failed: ${error instanceof Error ? error.message : String(error)}\n`),
    );
  });

  return {
    listen: () =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          const { address, port } = server.address() as AddressInfo;
          resolve({ address, port });
        });
      }),
    check,
    close: () =>
      new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
