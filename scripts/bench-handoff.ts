// The operator handoff core's throughput on either engine: a SQLite file in
// WAL mode, as in production, with one connection shared by the tickets, the
// operators and the outbox; or a PostgreSQL database through a pool: whole ticket lifecycles (open with a card to every operator on
// shift, take, close, each with its outbox rows in the same transaction),
// relayed messages recorded and then delivered by the delivery worker through
// an in-memory send, and what one claim of the outbox costs as its backlog
// grows. Part of `npm run bench`. It checks that every relayed message was
// sent exactly once and in order in its chat (and throws if not); it asserts
// nothing about speed.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createDeliveryWorker,
  createOutbox,
  createStaff,
  createTicketService,
  type Outbox,
  type OutboxItem,
  repositoriesOn,
  type SqlDatabase,
  type Staff,
  type TicketService,
} from "../handoff/index.ts";
import { openPostgres } from "../handoff/postgres/client.ts";
import { migratePostgres } from "../handoff/postgres/migrations.ts";
import { openSqlite } from "../handoff/sqlite/index.ts";
import { type BenchServer, benchPostgresServer } from "./bench-postgres.ts";

/** Where the bench's databases live: SQLite files in a temporary folder, or new databases on a PostgreSQL server. */
export type BenchEngine =
  | { engine: "sqlite" }
  | {
      engine: "postgres";
      /** A URL of a user who may create databases (each run of the bench makes its own and drops them). */
      serverUrl: string;
      /** The pool's size. Defaults to 10, as the bot's. */
      poolSize?: number;
    };

export interface HandoffBenchOptions {
  /** Defaults to SQLite. */
  engine?: BenchEngine;
  /** Operators on shift. Defaults to 10. */
  operators?: number;
  /** Tickets opened, taken and closed. Defaults to 5,000. */
  tickets?: number;
  /** Relayed messages per delivery run. Defaults to 3,000 (each claim's cost grows with the backlog). */
  messages?: number;
  /** Open tickets the relayed messages belong to, one citizen chat each. Defaults to 200. */
  conversations?: number;
  /** Messages of the run with a slow send. Defaults to 640. */
  slowMessages?: number;
  /** How long the slow send takes, like a Telegram round trip, in ms. Defaults to 30. */
  slowSendMs?: number;
}

/** One run of the delivery worker until the outbox was empty. */
export interface DeliveryRun {
  concurrency: number;
  /** How long each send took, in ms (0: resolved at once). */
  sendMs: number;
  messages: number;
  /** Chats the messages went to. */
  chats: number;
  /** Recording the messages (tickets.addMessage and outbox.enqueue, one transaction each). */
  recordedPerSecond: number;
  /** Claim, send and mark sent, until the outbox was empty. */
  deliveredPerSecond: number;
  /** Both, one after the other. */
  endToEndPerSecond: number;
}

/** What one outbox.claimNext (and the markSent after it) cost with that many rows. */
export interface ClaimCost {
  pending: number;
  sent: number;
  msPerClaim: number;
}

export interface HandoffBenchResult {
  engine: "sqlite" | "postgres";
  lifecycle: {
    operators: number;
    tickets: number;
    /** Outbox rows the lifecycles wrote: the cards, "taken" and "closed" messages. */
    outboxRows: number;
    openedPerSecond: number;
    takenPerSecond: number;
    closedPerSecond: number;
    lifecyclesPerSecond: number;
  };
  relay: DeliveryRun[];
  claims: ClaimCost[];
  /** Wall time of the whole benchmark, in ms. */
  elapsedMs: number;
}

const OPERATOR_ID = 1_000_000;
const CITIZEN_ID = 10_000;
const QUESTION = "Не приходит СМС с кодом подтверждения при входе на Госуслуги, что делать?";
const TOP_INTENTS = [
  { intent: "account.sms_code", score: 0.41 },
  { intent: "account.login_problem", score: 0.33 },
  { intent: "account.phone_change", score: 0.12 },
];

interface Handoff {
  db: SqlDatabase;
  tickets: TicketService;
  staff: Staff;
  outbox: Outbox;
}

/** Makes a fresh database with the schema, named after `name`. */
type NewDatabase = (name: string) => Promise<SqlDatabase>;

const withDatabase = (serverUrl: string, name: string) => {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.href;
};

/** New databases on the engine, and what removes them all. */
function databases(engine: BenchEngine): { make: NewDatabase; remove: () => Promise<void> } {
  if (engine.engine === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "bench-handoff-"));
    return {
      make: async (name) => openSqlite(join(dir, `${name}.sqlite`)),
      remove: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const made: string[] = [];
  const onServer = async (sql: string) => {
    const server = openPostgres(engine.serverUrl, { max: 1 });
    try {
      await server.exec(sql);
    } finally {
      await server.close();
    }
  };
  return {
    make: async (name) => {
      const database = `bench_${process.pid}_${name.replace(/\W/g, "_")}`;
      await onServer(`DROP DATABASE IF EXISTS ${database}`);
      await onServer(`CREATE DATABASE ${database}`);
      made.push(database);
      const db = openPostgres(withDatabase(engine.serverUrl, database), {
        max: engine.poolSize ?? 10,
      });
      await migratePostgres(db);
      return db;
    },
    remove: async () => {
      for (const database of made)
        await onServer(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    },
  };
}

/** A fresh database with `operators` operators on shift. */
async function openHandoff(
  newDatabase: NewDatabase,
  name: string,
  operatorCount: number,
): Promise<Handoff> {
  const db = await newDatabase(name);
  const handoff = {
    db,
    tickets: createTicketService(db),
    staff: createStaff(db),
    outbox: createOutbox(db),
  };
  for (let i = 0; i < operatorCount; i++) {
    const telegramUserId = OPERATOR_ID + i;
    const { member } = await handoff.staff.add({
      telegramUserId,
      name: `Operator ${i}`,
      role: "operator",
    });
    await handoff.staff.setShift(member.id, true);
  }
  return handoff;
}

function expect(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`Handoff bench sanity check failed: ${message}`);
}

/** Every outbox row, whatever its state (the lifecycle's check). */
async function countOutboxRows(db: SqlDatabase): Promise<number> {
  const row = await db.get<{ n: number | string }>("SELECT COUNT(*) AS n FROM outbox");
  return Number(row?.n ?? 0);
}

const perSecond = (count: number, ms: number) => (count / ms) * 1000;

/** Opens, takes and closes `count` tickets, timing each stage over all tickets. */
async function benchLifecycle(newDatabase: NewDatabase, operatorCount: number, count: number) {
  const { db, tickets, staff } = await openHandoff(newDatabase, "lifecycle", operatorCount);
  const onShift = (await staff.onShift()).map((member) => member.id);

  // As the bot does it: the ticket and its cards to every operator on shift
  // commit together, every repository on the step's transaction.
  const open = (chatId: number) =>
    db.transaction(async (tx) => {
      const { tickets, staff, outbox } = repositoriesOn(tx);
      const opened = await tickets.openTicket({
        chatId,
        language: "ru",
        question: QUESTION,
        topIntents: TOP_INTENTS,
      });
      expect(opened.ok, `ticket of chat ${chatId} not opened`);
      const { ticket } = opened;
      for (const member of await staff.onShift()) {
        await outbox.enqueue({
          chatId: member.telegramUserId as number,
          ticketId: ticket.id,
          tag: "card",
          message: {
            kind: "text",
            text: `Ticket #${ticket.id}, place ${opened.position}\n${ticket.question}`,
            options: {
              reply_markup: {
                inline_keyboard: [[{ text: "Take", callback_data: `ht:${ticket.id}` }]],
              },
            },
          },
        });
      }
    });
  const take = (operatorId: number) =>
    db.transaction(async (tx) => {
      const { tickets, outbox } = repositoriesOn(tx);
      const taken = await tickets.takeNext(operatorId);
      expect(taken.ok, `operator ${operatorId} took nothing`);
      await outbox.enqueue({
        chatId: taken.ticket.chatId,
        ticketId: taken.ticket.id,
        message: { kind: "text", text: "Оператор Operator принял ваше обращение." },
      });
      return taken.ticket;
    });
  const close = (ticketId: number, operatorId: number) =>
    db.transaction(async (tx) => {
      const { tickets, outbox } = repositoriesOn(tx);
      const closed = await tickets.close(ticketId, operatorId);
      expect(closed.ok, `ticket ${ticketId} not closed`);
      await outbox.enqueue({
        chatId: closed.ticket.chatId,
        ticketId,
        message: {
          kind: "text",
          text: "Обращение закрыто. Оцените, пожалуйста, помощь оператора.",
        },
      });
    });

  let start = performance.now();
  for (let i = 0; i < count; i++) await open(CITIZEN_ID + i);
  const openMs = performance.now() - start;

  start = performance.now();
  const taken: { id: number; operatorId: number }[] = [];
  for (let i = 0; i < count; i++) {
    const ticket = await take(onShift[i % onShift.length] as number);
    taken.push({ id: ticket.id, operatorId: ticket.operatorId as number });
  }
  const takeMs = performance.now() - start;

  start = performance.now();
  for (const { id, operatorId } of taken) await close(id, operatorId);
  const closeMs = performance.now() - start;

  expect((await tickets.queue()).length === 0, "tickets left waiting");
  const outboxRows = await countOutboxRows(db);
  expect(outboxRows === count * (onShift.length + 2), `${outboxRows} outbox rows`);
  await db.close();
  return {
    operators: operatorCount,
    tickets: count,
    outboxRows,
    openedPerSecond: perSecond(count, openMs),
    takenPerSecond: perSecond(count, takeMs),
    closedPerSecond: perSecond(count, closeMs),
    lifecyclesPerSecond: perSecond(count, openMs + takeMs + closeMs),
  };
}

interface Conversation {
  ticketId: number;
  citizen: number;
  operator: number;
}

/** Opens `count` tickets and gives them to the operators in turn (not timed). */
async function openConversations(handoff: Handoff, count: number): Promise<Conversation[]> {
  const onShift = (await handoff.staff.onShift()).map((member) => member.id);
  const conversations: Conversation[] = [];
  for (let i = 0; i < count; i++) {
    const citizen = CITIZEN_ID + i;
    const opened = await handoff.tickets.openTicket({
      chatId: citizen,
      language: "ru",
      question: QUESTION,
      topIntents: TOP_INTENTS,
    });
    expect(opened.ok, `ticket of chat ${citizen} not opened`);
    const operator = onShift[i % onShift.length] as number;
    expect((await handoff.tickets.takeTicket(opened.ticket.id, operator)).ok, "ticket not taken");
    conversations.push({ ticketId: opened.ticket.id, citizen, operator });
  }
  return conversations;
}

/**
 * Records `count` relayed messages over `conversations`, each in its own
 * transaction with its outbox row: turn by turn, the citizens write (copied
 * to their operator's chat), then the operators answer (sent to the
 * citizen's chat). Returns the outbox ids of each chat in the order enqueued.
 */
async function recordMessages(
  { db }: Handoff,
  conversations: readonly Conversation[],
  count: number,
) {
  const expected = new Map<number, number[]>();
  const relay = (conversation: Conversation, n: number) =>
    db.transaction(async (tx) => {
      const { tickets, outbox } = repositoriesOn(tx);
      const citizenWrites = Math.floor(n / conversations.length) % 2 === 0;
      const text = `Сообщение ${n}`;
      const recorded = citizenWrites
        ? await tickets.addMessage({
            ticketId: conversation.ticketId,
            direction: "citizen",
            text,
            telegramMessageId: n,
          })
        : await tickets.addMessage({
            ticketId: conversation.ticketId,
            direction: "operator",
            operatorId: conversation.operator,
            text,
          });
      expect(recorded.ok, `message ${n} not recorded`);
      const chatId = citizenWrites ? conversation.operator : conversation.citizen;
      const id = await outbox.enqueue({
        chatId,
        ticketId: conversation.ticketId,
        message: citizenWrites
          ? { kind: "copy", fromChatId: conversation.citizen, messageId: n }
          : { kind: "text", text },
      });
      const ids = expected.get(chatId) ?? [];
      ids.push(id);
      expected.set(chatId, ids);
    });
  for (let n = 0; n < count; n++) {
    await relay(conversations[n % conversations.length] as Conversation, n);
  }
  return expected;
}

/** `count` operator answers in one conversation, all to the citizen's chat. */
async function recordAnswers(handoff: Handoff, conversation: Conversation, count: number) {
  const ids: number[] = [];
  const answer = (n: number) =>
    handoff.db.transaction(async (tx) => {
      const { tickets, outbox } = repositoriesOn(tx);
      const text = `Ответ ${n}`;
      const recorded = await tickets.addMessage({
        ticketId: conversation.ticketId,
        direction: "operator",
        operatorId: conversation.operator,
        text,
      });
      expect(recorded.ok, `answer ${n} not recorded`);
      ids.push(
        await outbox.enqueue({
          chatId: conversation.citizen,
          ticketId: conversation.ticketId,
          message: { kind: "text", text },
        }),
      );
    });
  for (let n = 0; n < count; n++) await answer(n);
  return new Map([[conversation.citizen, ids]]);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs the delivery worker until every expected row was sent, then checks
 * that each chat got its rows exactly once, in the order they were enqueued.
 */
async function deliver(
  outbox: Outbox,
  expected: ReadonlyMap<number, readonly number[]>,
  concurrency: number,
  sendMs: number,
) {
  const total = [...expected.values()].reduce((n, ids) => n + ids.length, 0);
  const delivered = new Map<number, number[]>();
  let sends = 0;
  let finished = () => {};
  const allSent = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const send = async (item: OutboxItem) => {
    if (sendMs > 0) await sleep(sendMs);
    const ids = delivered.get(item.chatId) ?? [];
    ids.push(item.id);
    delivered.set(item.chatId, ids);
    if (++sends === total) finished();
    return { ok: true as const, messageId: sends };
  };
  const worker = createDeliveryWorker({ outbox, send }, { concurrency });
  const start = performance.now();
  worker.start();
  const timeout = setTimeout(finished, 120_000);
  await allSent;
  clearTimeout(timeout);
  // Stopping waits for the sends in hand to be marked sent.
  await worker.stop();
  const ms = performance.now() - start;

  expect(sends === total, `${sends} sends of ${total} rows`);
  expect((await outbox.lag()) === 0, "rows left pending or sending");
  expect(delivered.size === expected.size, `${delivered.size} chats of ${expected.size} reached`);
  for (const [chatId, ids] of expected) {
    const got = delivered.get(chatId) ?? [];
    expect(
      got.length === ids.length && got.every((id, k) => id === ids[k]),
      `chat ${chatId} got [${got.slice(0, 10).join(", ")}…], expected [${ids.slice(0, 10).join(", ")}…]`,
    );
  }
  return ms;
}

/** Times `record` (which returns each chat's outbox ids), then their delivery. */
async function benchRelay(
  outbox: Outbox,
  record: () => Promise<ReadonlyMap<number, readonly number[]>>,
  concurrency: number,
  sendMs: number,
): Promise<DeliveryRun> {
  const start = performance.now();
  const expected = await record();
  const recordMs = performance.now() - start;
  const deliverMs = await deliver(outbox, expected, concurrency, sendMs);
  const messages = [...expected.values()].reduce((n, ids) => n + ids.length, 0);
  return {
    concurrency,
    sendMs,
    messages,
    chats: expected.size,
    recordedPerSecond: perSecond(messages, recordMs),
    deliveredPerSecond: perSecond(messages, deliverMs),
    endToEndPerSecond: perSecond(messages, recordMs + deliverMs),
  };
}

/** The cost of claiming 200 rows with `pending` rows waiting, after `sent` sent ones (over 200 chats). */
async function benchClaim(
  newDatabase: NewDatabase,
  pending: number,
  sent: number,
): Promise<ClaimCost> {
  const { db, outbox } = await openHandoff(newDatabase, `claims-${pending}-${sent}`, 0);
  const message = { kind: "text", text: "Ответ оператора" } as const;
  await db.transaction(async (tx) => {
    const { outbox } = repositoriesOn(tx);
    for (let i = 0; i < sent; i++) {
      await outbox.markSent(await outbox.enqueue({ chatId: CITIZEN_ID + (i % 200), message }), i);
    }
    for (let i = 0; i < pending; i++) {
      await outbox.enqueue({ chatId: CITIZEN_ID + (i % 200), message });
    }
  });
  const claims = Math.min(200, pending);
  const start = performance.now();
  for (let i = 0; i < claims; i++) {
    const item = await outbox.claimNext();
    expect(item !== undefined, "nothing to claim");
    await outbox.markSent(item.id, i);
  }
  const ms = performance.now() - start;
  await db.close();
  return { pending, sent, msPerClaim: ms / claims };
}

export async function benchHandoff(options: HandoffBenchOptions = {}): Promise<HandoffBenchResult> {
  const {
    operators = 10,
    tickets = 5000,
    messages = 3000,
    conversations = 200,
    slowMessages = 640,
    slowSendMs = 30,
    engine = { engine: "sqlite" },
  } = options;
  const start = performance.now();
  const { make, remove } = databases(engine);
  try {
    const lifecycle = await benchLifecycle(make, operators, tickets);

    const relay: DeliveryRun[] = [];
    const handoff = await openHandoff(make, "relay", operators);
    try {
      const open = await openConversations(handoff, conversations);
      const spread = (count: number) => () => recordMessages(handoff, open, count);
      relay.push(await benchRelay(handoff.outbox, spread(messages), 1, 0));
      relay.push(await benchRelay(handoff.outbox, spread(messages), 8, 0));
      relay.push(await benchRelay(handoff.outbox, spread(slowMessages), 8, slowSendMs));
      // One operator answering one citizen: a chat's rows go one at a time.
      const alone = () => recordAnswers(handoff, open[0] as Conversation, 40);
      relay.push(await benchRelay(handoff.outbox, alone, 8, slowSendMs));
    } finally {
      await handoff.db.close();
    }

    const claims = [
      await benchClaim(make, 200, 0),
      await benchClaim(make, 200, 50_000),
      await benchClaim(make, 2_000, 0),
      await benchClaim(make, 20_000, 0),
    ];
    return {
      engine: engine.engine,
      lifecycle,
      relay,
      claims,
      elapsedMs: performance.now() - start,
    };
  } finally {
    await remove();
  }
}

const int = (x: number) => Math.round(x).toLocaleString("en-US");

/** The report's lines. */
export function formatHandoffBench(result: HandoffBenchResult): string {
  const { lifecycle: l, relay, claims } = result;
  const lines = [
    `ticket lifecycles, ${int(l.tickets)} tickets, ${l.operators} operators on shift (${int(l.outboxRows)} outbox rows written): ` +
      `opened ${int(l.openedPerSecond)}/s (with a card to each operator), taken ${int(l.takenPerSecond)}/s, closed ${int(l.closedPerSecond)}/s; ` +
      `whole lifecycles ${int(l.lifecyclesPerSecond)}/s`,
  ];
  for (const run of relay) {
    const what = `${int(run.messages)} relayed messages to ${int(run.chats)} chat${run.chats === 1 ? "" : "s"}, concurrency ${run.concurrency}, send ${run.sendMs} ms`;
    const note = run.chats === 1 ? " (one chat: its rows go one at a time)" : "";
    lines.push(
      `${what}: recorded ${int(run.recordedPerSecond)}/s, delivered ${int(run.deliveredPerSecond)}/s, end to end ${int(run.endToEndPerSecond)}/s${note}`,
    );
  }
  lines.push(
    `outbox claim + mark sent: ${claims
      .map(
        (c) =>
          `${c.msPerClaim.toFixed(3)} ms with ${int(c.pending)} pending${c.sent ? ` after ${int(c.sent)} sent` : ""}`,
      )
      .join(", ")}`,
    `(every relayed message sent once and in order in its chat; ${result.engine === "sqlite" ? "SQLite file in WAL mode" : "PostgreSQL, a pool of 10"}, in-memory send; ${(result.elapsedMs / 1000).toFixed(1)} s in all)`,
  );
  return lines.join("\n");
}

/** The two engines' figures side by side, one line a measure. */
export function formatHandoffComparison(
  sqlite: HandoffBenchResult,
  postgres: HandoffBenchResult,
): string {
  const rate = (x: number) => `${int(x)}/s`;
  const rows: [string, string, string][] = [
    [
      "ticket lifecycles",
      rate(sqlite.lifecycle.lifecyclesPerSecond),
      rate(postgres.lifecycle.lifecyclesPerSecond),
    ],
    [
      "  opened (with cards)",
      rate(sqlite.lifecycle.openedPerSecond),
      rate(postgres.lifecycle.openedPerSecond),
    ],
    ["  taken", rate(sqlite.lifecycle.takenPerSecond), rate(postgres.lifecycle.takenPerSecond)],
    ["  closed", rate(sqlite.lifecycle.closedPerSecond), rate(postgres.lifecycle.closedPerSecond)],
  ];
  sqlite.relay.forEach((run, i) => {
    const other = postgres.relay[i];
    if (!other) return;
    const what = `relay ${int(run.messages)} to ${int(run.chats)} chat(s), c${run.concurrency}, send ${run.sendMs} ms`;
    rows.push(
      [`${what}: recorded`, rate(run.recordedPerSecond), rate(other.recordedPerSecond)],
      [
        `${"".padEnd(what.length)}  delivered`,
        rate(run.deliveredPerSecond),
        rate(other.deliveredPerSecond),
      ],
    );
  });
  sqlite.claims.forEach((claim, i) => {
    const other = postgres.claims[i];
    if (!other) return;
    rows.push([
      `claim + mark sent, ${int(claim.pending)} pending${claim.sent ? ` after ${int(claim.sent)} sent` : ""}`,
      `${claim.msPerClaim.toFixed(3)} ms`,
      `${other.msPerClaim.toFixed(3)} ms`,
    ]);
  });
  const width = Math.max(...rows.map(([name]) => name.length)) + 2;
  return [
    `${"".padEnd(width)}${"SQLite".padStart(12)}${"PostgreSQL".padStart(14)}`,
    ...rows.map(([name, a, b]) => `${name.padEnd(width)}${a.padStart(12)}${b.padStart(14)}`),
  ].join("\n");
}

/**
 * The handoff bench on SQLite, then on PostgreSQL (benchPostgresServer), each
 * engine's report and the two side by side: what `npm run bench` ends with.
 * A PostgreSQL server that cannot be had is said, and SQLite's figures stay.
 */
export async function benchHandoffBothEngines(
  print: (text: string) => void,
  options: Omit<HandoffBenchOptions, "engine"> = {},
): Promise<void> {
  print("\n== Handoff on SQLite: tickets and the outbox on a SQLite file (WAL) ==");
  const sqlite = await benchHandoff(options);
  print(formatHandoffBench(sqlite));
  let server: BenchServer;
  try {
    server = await benchPostgresServer();
  } catch (error) {
    print(
      `\n(no PostgreSQL to bench on: ${(error as Error).message}; set BENCH_DATABASE_URL to a server's URL of a user who may create databases)`,
    );
    return;
  }
  try {
    print(`\n== Handoff on PostgreSQL: ${server.description}, a pool of 10 ==`);
    const postgres = await benchHandoff({
      ...options,
      engine: { engine: "postgres", serverUrl: server.url },
    });
    print(formatHandoffBench(postgres));
    print("\n== Handoff, the two engines side by side ==");
    print(formatHandoffComparison(sqlite, postgres));
  } finally {
    await server.stop();
  }
}

// Run alone (npx tsx scripts/bench-handoff.ts): the handoff part of npm run bench.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await benchHandoffBothEngines((text) => console.log(text));
}
