// npm run admin -- staff add|invite|remove|list: staff accounts for the web
// console, by login (the operators group keeps managing Telegram operators).

import { parseArgs } from "node:util";
import {
  createStaff,
  createStaffAccounts,
  isDeskRole,
  newToken,
  type SqlDatabase,
  STAFF_ROLES,
  StaffKeyConflict,
  type StaffMember,
  type StaffRole,
  tokenHash,
} from "../handoff/index.ts";

/** How long a link to set a password works. */
export const INVITE_HOURS = 72;

export const STAFF_USAGE = `  staff add <login> --role operator|supervisor|editor|publisher [--name "Name"] [--telegram <user-id>]
                     add a staff member who signs in to the web console (or
                     update one's name, role and Telegram link) and print a
                     one-time link to set their password (valid ${INVITE_HOURS} hours);
                     operators and supervisors work the desk, editors edit the
                     knowledge base and try it, publishers also publish;
                     --telegram links their Telegram operator account: one
                     person, one queue, two consoles
  staff invite <login> [--reset-second-factor]
                     a new one-time link (a forgotten password); earlier links
                     end; a second factor that is on is still asked for, unless
                     --reset-second-factor clears it (a lost phone)
  staff remove <login>
                     remove a staff member: signed out at once, their
                     assigned tickets back to the queue
  staff list [--all]
                     staff with their login, Telegram id, password and second factor

<login>: 2-32 lowercase letters, digits, dots, dashes or underscores.
The links point at CONSOLE_URL (default http://localhost:8080).`;

export interface StaffIo {
  db: () => SqlDatabase | Promise<SqlDatabase>;
  /** Where the console is reached: the links' base. */
  consoleUrl: string;
  requeued?: (ticketIds: readonly number[]) => Promise<void> | void;
  out: (line: string) => void;
  err: (line: string) => void;
  now?: () => number;
}

/** A command line mistake: one line, exit 2, nothing done. */
export class StaffUsageError extends Error {}

const LOGIN = /^[a-z0-9][a-z0-9._-]{1,31}$/;
const COMMANDS = ["add", "invite", "remove", "list"] as const;
type StaffCommand = (typeof COMMANDS)[number];
export const isStaffCommand = (word: string | undefined): word is StaffCommand =>
  (COMMANDS as readonly (string | undefined)[]).includes(word);

function loginOf(text: string | undefined): string {
  if (text === undefined) throw new StaffUsageError("missing <login>");
  if (!LOGIN.test(text)) {
    throw new StaffUsageError(
      `<login> must be 2-32 lowercase letters, digits, dots, dashes or underscores, not "${text}"`,
    );
  }
  return text;
}

function roleOf(text: string | undefined): StaffRole {
  const role = STAFF_ROLES.find((known) => known === text);
  if (role) return role;
  const roles = STAFF_ROLES.join(", ");
  throw new StaffUsageError(
    text === undefined
      ? `--role is required: ${roles}`
      : `--role must be one of ${roles}, not "${text}"`,
  );
}

function telegramOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const id = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(id) || id <= 0) {
    throw new StaffUsageError(`--telegram must be a Telegram user id, not "${text}"`);
  }
  return id;
}

/** A link to set a password, and its expiry, recorded as the member's only invitation. */
async function inviteLink(db: SqlDatabase, io: StaffIo, member: StaffMember) {
  const token = newToken();
  const now = io.now?.() ?? Date.now();
  await createStaffAccounts(db, { now: () => now }).invite(
    member.id,
    tokenHash(token),
    now + INVITE_HOURS * 3_600_000,
  );
  // In the fragment: browsers do not send it, so no server log keeps it.
  return `${io.consoleUrl.replace(/\/+$/, "")}/welcome#${token}`;
}

/** Runs `staff <command> args`; returns the exit code (0 done, 1 no such staff, 2 a mistake). */
export async function runStaffCommand(
  command: StaffCommand,
  args: string[],
  io: StaffIo,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      role: { type: "string" },
      name: { type: "string" },
      telegram: { type: "string" },
      all: { type: "boolean" },
      "reset-second-factor": { type: "boolean" },
    },
    allowPositionals: true,
    strict: true,
  });
  const allowed: Record<StaffCommand, string[]> = {
    add: ["role", "name", "telegram"],
    invite: ["reset-second-factor"],
    remove: [],
    list: ["all"],
  };
  for (const flag of Object.keys(values)) {
    if (!allowed[command].includes(flag)) {
      throw new StaffUsageError(`--${flag} is not one of its options`);
    }
  }
  const arity = command === "list" ? 0 : 1;
  if (positionals.length > arity) {
    throw new StaffUsageError(`unexpected argument "${positionals[arity]}"`);
  }
  if (command === "list") return list(io, values.all === true);

  const login = loginOf(positionals[0]);
  if (command === "add") {
    const role = roleOf(values.role);
    const telegramUserId = telegramOf(values.telegram);
    if (telegramUserId !== undefined && !isDeskRole(role)) {
      throw new StaffUsageError(
        `--telegram links a Telegram operator account; ${role}s work in the browser only`,
      );
    }
    const name = values.name?.replace(/\s+/g, " ").trim();
    if (name === "") throw new StaffUsageError("--name is empty");
    const db = await io.db();
    const staff = createStaff(db);
    let added: { member: StaffMember; created: boolean };
    try {
      const known =
        (await staff.byLogin(login)) ??
        (telegramUserId === undefined ? undefined : await staff.byTelegram(telegramUserId));
      added = await staff.add({
        login,
        ...(telegramUserId !== undefined ? { telegramUserId } : {}),
        name: name ?? known?.name ?? login,
        role,
      });
    } catch (error) {
      if (!(error instanceof StaffKeyConflict)) throw error;
      io.err(`staff add: ${error.message}: nothing changed`);
      return 1;
    }
    const { member, created } = added;
    io.out(`${created ? "added" : "updated"} ${describe(member)}`);
    // A link only for someone without a password: changing a name or a role
    // hands out no way in (`staff invite` does, on purpose).
    if ((await createStaffAccounts(db).credentialsOf(member.id))?.passwordHash) return 0;
    const link = await inviteLink(db, io, member);
    io.out(`set the password within ${INVITE_HOURS} hours (the link works once): ${link}`);
    return 0;
  }

  const db = await io.db();
  const staff = createStaff(db);
  const member = await staff.byLogin(login);
  if (!member || member.removedAt !== null) {
    io.err(`staff ${command}: ${login} is not staff${member ? " (removed)" : ""}`);
    return 1;
  }
  if (command === "invite") {
    if (values["reset-second-factor"] === true) {
      await createStaffAccounts(db).setTotp(member.id, null, false);
      io.out(`second factor of ${describe(member)} cleared: they set it up again at sign-in`);
    }
    io.out(`a new link for ${describe(member)}, valid ${INVITE_HOURS} hours, once:`);
    io.out(await inviteLink(db, io, member));
    return 0;
  }
  const removed = await staff.remove(member.id);
  if (!removed.ok) {
    io.err(`staff remove: ${login} is not staff`);
    return 1;
  }
  if (removed.requeued.length > 0) await io.requeued?.(removed.requeued);
  io.out(
    `removed ${describe(removed.member)}: signed out; ${removed.requeued.length} assigned ticket(s) back to the queue`,
  );
  return 0;
}

const describe = (m: StaffMember) =>
  `staff #${m.id} ${m.login ?? "(no login)"} "${m.name}" as ${m.role}${m.telegramUserId === null ? "" : `, Telegram ${m.telegramUserId}`}`;

async function list(io: StaffIo, all: boolean): Promise<number> {
  const db = await io.db();
  const members = await createStaff(db).list({ includeRemoved: all });
  const accounts = createStaffAccounts(db);
  const header = [
    "STAFF",
    "LOGIN",
    "TELEGRAM",
    "NAME",
    "ROLE",
    "PASSWORD",
    "2FA",
    ...(all ? ["REMOVED"] : []),
  ];
  const rows = [header];
  for (const m of members) {
    const credentials = await accounts.credentialsOf(m.id);
    rows.push([
      String(m.id),
      m.login ?? "-",
      m.telegramUserId === null ? "-" : String(m.telegramUserId),
      m.name,
      m.role,
      credentials?.passwordHash ? "set" : "-",
      credentials?.totpEnabledAt ? "on" : "-",
      ...(all
        ? [m.removedAt === null ? "" : new Date(m.removedAt).toISOString().slice(0, 10)]
        : []),
    ]);
  }
  if (members.length === 0) {
    io.out(
      'No staff yet. Add one with: npm run admin -- staff add <login> --role operator --name "Name"',
    );
    return 0;
  }
  const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  for (const r of rows)
    io.out(
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    );
  return 0;
}
