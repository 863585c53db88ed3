// The operators admin command: npm run admin -- operators add|remove|list|shift.

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { databaseOf } from "../bot/config.ts";
import { createTelegramChannel } from "../bot/desk/index.ts";
import {
  createStaff,
  defaultOperatorName,
  openHandoff,
  type SqlDatabase,
  type Staff,
  type StaffMember,
} from "../handoff/index.ts";
import { DatabaseError } from "../handoff/sqlite/index.ts";
import { StorageOpenError } from "../handoff/storage/index.ts";
import { createMatcher, type Matcher } from "../knowledge/index.ts";
import { isStaffCommand, runStaffCommand, STAFF_USAGE, StaffUsageError } from "./admin-staff.ts";
import { loadKnowledgeOrExit } from "./knowledge-folder.ts";
import { databaseName, openToolDatabase } from "./tool-database.ts";

export const USAGE = `Usage: npm run admin -- operators|staff <command>

  operators add <user-id> [--name "Name"] [--supervisor]
                     add an operator, or update one's name and role; the role is
                     operator unless --supervisor is given; the name stays as it
                     was, or is "operator <user-id>" for someone new
  operators remove <user-id>
                     remove an operator; their assigned tickets go back to the queue
  operators list [--all]
                     the current operators; --all adds the removed ones
  operators shift <user-id> on|off
                     put an operator on or off shift
${STAFF_USAGE}
  help               this text

<user-id> is the person's numeric Telegram user id: their private chat with
the bot is their operator console. \`list\` shows each one's staff id too, the
id /transfer takes.
The database is DATABASE_URL (PostgreSQL) when set, else the SQLite file
DATABASE_PATH, else ./data/bot.sqlite; the file must exist (the bot creates it
on its first start) unless --create-database is given. A PostgreSQL database
must exist; its tables are made when missing.`;

/** What runAdmin prints to, and the database it works on, opened only once the command line is valid. */
export interface AdminIo {
  /** The database; `create`: make a new empty one when there is none (--create-database). */
  db: (options: { create: boolean }) => SqlDatabase | Promise<SqlDatabase>;
  /** Where the web console is reached, for the staff's links (CONSOLE_URL). */
  consoleUrl?: string;
  /** Tells the citizens of tickets that went back to the queue, and cards them to operators on shift. */
  requeued?: (ticketIds: readonly number[]) => Promise<void> | void;
  out: (line: string) => void;
  err: (line: string) => void;
}

type Command = "add" | "remove" | "list" | "shift";

/** Where the console listens unless CONSOLE_URL says otherwise (web/config.ts's default). */
const DEFAULT_CONSOLE_URL = "http://localhost:8080";

/** Which flags each command takes. */
const FLAGS: Record<Command, readonly string[]> = {
  add: ["name", "supervisor", "create-database"],
  remove: ["create-database"],
  list: ["all", "create-database"],
  shift: ["create-database"],
};

const isCommand = (word: string | undefined): word is Command =>
  word !== undefined && Object.hasOwn(FLAGS, word);
const isHelp = (word: string | undefined) => word === "help" || word === "--help" || word === "-h";

/** A command line mistake: reported in one line, exit 2, nothing done. */
class UsageError extends Error {}

function userIdOf(text: string | undefined): number {
  if (text === undefined) throw new UsageError("missing <user-id>");
  const id = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(id) || id <= 0) {
    throw new UsageError(
      `<user-id> must be a Telegram user id (a positive whole number), not "${text}"`,
    );
  }
  return id;
}

const pad = (n: number) => String(n).padStart(2, "0");
/** A local date, YYYY-MM-DD. */
function day(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

const describe = (o: StaffMember) =>
  `${o.telegramUserId ?? `staff #${o.id}`} "${o.name}" as ${o.role}, ${o.onShift ? "on" : "off"} shift`;

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd(),
  );
}

/**
 * Runs one admin command line (the arguments after `npm run admin --`) and
 * returns the exit code: 0 done, 1 not an operator, 2 a command line mistake
 * (then the database is not even opened). Operator changes made here are
 * audited with `by: null`, the system.
 */
export async function runAdmin(argv: readonly string[], io: AdminIo): Promise<number> {
  const [group, command, ...rest] = argv;
  if (isHelp(group) || ((group === "operators" || group === "staff") && isHelp(command))) {
    io.out(USAGE);
    return 0;
  }
  if (group === "staff" && isStaffCommand(command)) {
    try {
      return await runStaffCommand(command, rest, {
        db: () => io.db({ create: false }),
        consoleUrl: io.consoleUrl ?? DEFAULT_CONSOLE_URL,
        ...(io.requeued ? { requeued: io.requeued } : {}),
        out: io.out,
        err: io.err,
      });
    } catch (error) {
      if (!(error instanceof StaffUsageError || error instanceof TypeError)) throw error;
      // parseArgs throws TypeErrors; the first sentence names the problem.
      const message = error.message.split(/\.\s/)[0] ?? String(error);
      io.err(`staff ${command}: ${message} (npm run admin -- help shows the usage)`);
      return 2;
    }
  }
  if (group !== "operators" || !isCommand(command)) {
    if (group !== undefined) io.err(`unknown command: ${argv.slice(0, 2).join(" ")}\n`);
    io.err(USAGE);
    return 2;
  }
  try {
    return await run(command, rest, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`operators ${command}: ${error.message} (npm run admin -- help shows the usage)`);
    return 2;
  }
}

/** The flags and arguments after the command; throws a UsageError naming the first mistake. */
function parseCommandLine(command: Command, args: string[]) {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(args);
  } catch (error) {
    // Node's messages go on with advice about "--"; the first sentence names the problem.
    throw new UsageError((error as Error).message.split(/\.\s/)[0] ?? String(error));
  }
  for (const flag of Object.keys(parsed.values)) {
    if (!FLAGS[command].includes(flag)) throw new UsageError(`--${flag} is not one of its options`);
  }
  const arity = { add: 1, remove: 1, list: 0, shift: 2 }[command];
  if (parsed.positionals.length > arity) {
    throw new UsageError(`unexpected argument "${parsed.positionals[arity]}"`);
  }
  return parsed;
}

const parseFlags = (args: string[]) =>
  parseArgs({
    args,
    options: {
      name: { type: "string" },
      supervisor: { type: "boolean" },
      all: { type: "boolean" },
      "create-database": { type: "boolean" },
    },
    allowPositionals: true,
    strict: true,
  });

async function run(command: Command, args: string[], io: AdminIo): Promise<number> {
  const { values, positionals } = parseCommandLine(command, args);
  const db = () => io.db({ create: values["create-database"] === true });
  if (command === "list") return list(io, db, values.all === true);
  const userId = userIdOf(positionals[0]);

  if (command === "add") {
    const name = values.name?.replace(/\s+/g, " ").trim();
    if (name === "") throw new UsageError("--name is empty");
    const staff = createStaff(await db());
    const { member, created } = await staff.add(
      {
        telegramUserId: userId,
        name: name ?? (await staff.byTelegram(userId))?.name ?? defaultOperatorName(userId),
        role: values.supervisor ? "supervisor" : "operator",
      },
      undefined, // by: the system
    );
    io.out(`${created ? "added" : "updated"} ${describe(member)}`);
    return 0;
  }

  if (command === "remove") {
    const staff = createStaff(await db());
    const known = await staff.byTelegram(userId);
    const result = known ? await staff.remove(known.id, undefined) : undefined;
    if (!result?.ok) return notOperator(io, command, known, userId);
    if (result.requeued.length > 0) await io.requeued?.(result.requeued);
    const tickets = result.requeued.map((id) => `#${id}`);
    io.out(
      `removed ${userId} "${result.member.name}"; ${
        tickets.length === 0
          ? "they had no assigned tickets"
          : `${tickets.length} assigned ticket(s) went back to the queue: ${tickets.join(", ")}`
      }`,
    );
    return 0;
  }

  const state = positionals[1];
  if (state !== "on" && state !== "off") {
    throw new UsageError(
      state === undefined ? "missing on|off" : `expected on or off, not "${state}"`,
    );
  }
  const staff = createStaff(await db());
  const known = await staff.byTelegram(userId);
  const result = known ? await staff.setShift(known.id, state === "on") : undefined;
  if (!result?.ok) return notOperator(io, command, known, userId);
  const { member } = result;
  io.out(`${userId} "${member.name}" (${member.role}) is now ${state} shift`);
  return 0;
}

async function list(
  io: AdminIo,
  db: () => SqlDatabase | Promise<SqlDatabase>,
  all: boolean,
): Promise<number> {
  const staff: Staff = createStaff(await db());
  const operators = await staff.list({ includeRemoved: all });
  if (operators.length === 0) {
    io.out(
      `There are no operators${all ? "" : " (--all lists removed ones)"}. Add one with: npm run admin -- operators add <user-id> --name "Name"`,
    );
    return 0;
  }
  const header = [
    "TELEGRAM",
    "STAFF",
    "NAME",
    "ROLE",
    "ON SHIFT",
    "ADDED",
    ...(all ? ["REMOVED"] : []),
  ];
  const rows = operators.map((o) => [
    o.telegramUserId === null ? "-" : String(o.telegramUserId),
    String(o.id),
    o.name,
    o.role,
    o.onShift ? "yes" : "no",
    day(o.addedAt),
    ...(all ? [o.removedAt === null ? "" : day(o.removedAt)] : []),
  ]);
  for (const line of table([header, ...rows])) io.out(line);
  return 0;
}

function notOperator(
  io: AdminIo,
  command: Command,
  known: StaffMember | undefined,
  userId: number,
) {
  const removed = known?.removedAt != null ? ` (removed on ${day(known.removedAt)})` : "";
  io.err(`operators ${command}: ${userId} is not an operator${removed}`);
  return 1;
}

// Run as a command, not when a test imports runAdmin.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const database = databaseOf(process.env);
  const where = databaseName(database);
  let db: SqlDatabase | undefined;
  try {
    process.exitCode = await runAdmin(process.argv.slice(2), {
      db: async ({ create }) => {
        // On PostgreSQL the database itself must exist; its tables are made (migrated) on opening.
        if (create && database.engine === "sqlite" && !existsSync(where)) {
          console.error(`note: ${where} did not exist; creating it`);
        }
        db = await openToolDatabase(database, { create });
        return db;
      },
      ...(process.env.CONSOLE_URL ? { consoleUrl: process.env.CONSOLE_URL } : {}),
      // The running bot's delivery worker sends what the desk queues.
      requeued: async (ticketIds) => {
        const kb = loadKnowledgeOrExit();
        let matcher: Matcher | undefined; // only /kb needs it: not built here
        const knowledge = {
          kb,
          get matcher() {
            matcher ??= createMatcher(kb);
            return matcher;
          },
        };
        if (!db) return;
        const current = () => knowledge;
        const channel = createTelegramChannel({ knowledge: current });
        await openHandoff(db, { knowledge: current, channel }).desk.requeued(ticketIds);
      },
      out: (line) => console.log(line),
      err: (line) => console.error(line),
    });
  } catch (error) {
    if (error instanceof DatabaseError || error instanceof StorageOpenError) {
      const hint =
        error instanceof DatabaseError && error.code === "missing"
          ? "; or add --create-database to start an empty one"
          : "";
      console.error(`error: ${error.message}${hint}`);
    } else {
      console.error(`error (database ${where}): ${(error as Error).message}`);
    }
    process.exitCode = 1;
  } finally {
    await db?.close();
  }
}
