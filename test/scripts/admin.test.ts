import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  createAuditLog,
  createStaff,
  createStaffAccounts,
  createTicketService,
  tokenHash,
} from "../../handoff/index.ts";
import { runAdmin, USAGE } from "../../scripts/admin.ts";
import { addOperator } from "../handoff/staff-fixture.ts";
import { openTestDatabase, TEST_ENGINE } from "../storage.ts";
import { runScript } from "./run-script.ts";
import { toolDatabase } from "./tool-database.ts";

/** A fresh in-memory database and runAdmin on it, capturing what it prints. */
async function setup() {
  const db = await openTestDatabase();
  const staff = createStaff(db);
  let opened = 0;
  const requeued: number[][] = [];
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runAdmin(argv, {
      db: () => {
        opened++;
        return db;
      },
      requeued: (ids) => void requeued.push([...ids]),
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    });
    return { code, out: out.join("\n"), err: err.join("\n"), errLines: err.length };
  };
  return { db, staff, run, opened: () => opened, requeued };
}

describe("runAdmin: operators add", () => {
  it("adds an operator off shift, named 'operator <id>' by default, audited as the system", async () => {
    const { db, staff, run } = await setup();
    const result = await run("operators", "add", "1001");
    expect(result).toMatchObject({ code: 0, err: "" });
    expect(result.out).toBe('added 1001 "operator 1001" as operator, off shift');
    const member = await staff.byTelegram(1001);
    expect(member).toMatchObject({
      name: "operator 1001",
      role: "operator",
      onShift: false,
      removedAt: null,
      telegramUserId: 1001,
      login: null,
    });
    // A staff id of its own, the first in a fresh database, not the Telegram id.
    expect(member?.id).toBe(1);
    const entries = await createAuditLog(db).entries({ staffId: 1 });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      staffId: 1,
      action: "operator_add",
      details: { by: null },
    });
    expect(await createAuditLog(db).entries({ staffId: 1001 })).toEqual([]);
  });

  it("updates name and role, keeping the name when --name is left out", async () => {
    const { staff, run } = await setup();
    expect((await run("operators", "add", "1001", "--name", " Anna   Petrova ")).code).toBe(0);
    const added = await staff.byTelegram(1001);
    expect(added?.name).toBe("Anna Petrova");

    const promoted = await run("operators", "add", "1001", "--supervisor");
    expect(promoted.out).toBe('updated 1001 "Anna Petrova" as supervisor, off shift');
    expect(await staff.byTelegram(1001)).toMatchObject({
      id: added?.id,
      name: "Anna Petrova",
      role: "supervisor",
    });

    await run("operators", "add", "1001", "--name", "Anna P.");
    expect(await staff.byTelegram(1001)).toMatchObject({
      id: added?.id,
      name: "Anna P.",
      role: "operator",
    });
    expect(await staff.list({ includeRemoved: true })).toHaveLength(1);
  });

  it("says 'added' when bringing back a removed operator", async () => {
    const { staff, run } = await setup();
    const oleg = await addOperator(staff, 7, "Oleg", { onShift: true });
    await staff.remove(oleg);
    expect((await run("operators", "add", "7")).out).toBe('added 7 "Oleg" as operator, off shift');
    expect(await staff.roleOf(oleg)).toBe("operator");
    expect((await staff.byTelegram(7))?.id).toBe(oleg);
  });
});

describe("runAdmin: operators remove", () => {
  it("removes an operator and reports the tickets that went back to the queue", async () => {
    const { db, staff, run, requeued } = await setup();
    // Staff id 1 for Boris, 2 for Anna: her Telegram id 1 is not her staff id.
    const boris = await addOperator(staff, 77, "Boris", { onShift: true });
    const anna = await addOperator(staff, 1, "Anna", { onShift: true });
    expect([boris, anna]).toEqual([1, 2]);
    const tickets = createTicketService(db);
    const ids: number[] = [];
    for (const chatId of [500, 501]) {
      const opened = await tickets.openTicket({
        chatId,
        language: "ru",
        question: "?",
        topIntents: [],
      });
      if (!opened.ok) throw new Error("not opened");
      expect((await tickets.takeTicket(opened.ticket.id, anna)).ok).toBe(true);
      ids.push(opened.ticket.id);
    }
    const borisTicket = await tickets.openTicket({
      chatId: 502,
      language: "ru",
      question: "?",
      topIntents: [],
    });
    if (!borisTicket.ok) throw new Error("not opened");
    expect((await tickets.takeTicket(borisTicket.ticket.id, boris)).ok).toBe(true);

    const result = await run("operators", "remove", "1");
    expect(result.code).toBe(0);
    expect(result.out).toBe(
      `removed 1 "Anna"; 2 assigned ticket(s) went back to the queue: #${ids[0]}, #${ids[1]}`,
    );
    expect(await staff.roleOf(anna)).toBeUndefined();
    expect(await staff.roleOf(boris)).toBe("operator");
    expect((await tickets.queue()).map((t) => t.id)).toEqual(ids);
    expect(await tickets.ticket(borisTicket.ticket.id)).toMatchObject({
      state: "assigned",
      operatorId: boris,
    });
    // The citizens are told (through the desk's outbox; see desk.test.ts).
    expect(requeued).toEqual([ids]);
    const removal = (await createAuditLog(db).entries({ staffId: anna })).find(
      (e) => e.action === "operator_remove",
    );
    expect(removal?.details).toEqual({ by: null });
    expect(
      (await createAuditLog(db).entries({ staffId: boris })).map((e) => e.action),
    ).not.toContain("operator_remove");
  });

  it("says when they had no tickets", async () => {
    const { staff, run } = await setup();
    await addOperator(staff, 2, "Boris");
    expect((await run("operators", "remove", "2")).out).toBe(
      'removed 2 "Boris"; they had no assigned tickets',
    );
  });

  it("refuses an unknown or already removed id with exit 1", async () => {
    const { staff, run } = await setup();
    const unknown = await run("operators", "remove", "42");
    expect(unknown).toMatchObject({ code: 1, out: "" });
    expect(unknown.err).toBe("operators remove: 42 is not an operator");

    const sveta = await addOperator(staff, 3, "Sveta");
    await staff.remove(sveta);
    const again = await run("operators", "remove", "3");
    expect(again.code).toBe(1);
    expect(again.err).toMatch(
      /^operators remove: 3 is not an operator \(removed on \d{4}-\d\d-\d\d\)$/,
    );
  });

  it("takes a Telegram user id, not a staff id", async () => {
    const { staff, run } = await setup();
    const anna = await addOperator(staff, 900, "Anna");
    expect(anna).toBe(1);
    expect(await run("operators", "remove", "1")).toMatchObject({
      code: 1,
      out: "",
      err: "operators remove: 1 is not an operator",
    });
    expect(await staff.roleOf(anna)).toBe("operator");
  });
});

describe("runAdmin: operators list", () => {
  it("says there are none and how to add one", async () => {
    const { run } = await setup();
    const result = await run("operators", "list");
    expect(result.code).toBe(0);
    expect(result.out).toContain("There are no operators");
    expect(result.out).toContain("npm run admin -- operators add <user-id>");
  });

  it("prints a table by name; --all adds removed ones and when", async () => {
    const db = await openTestDatabase();
    // Noon UTC: the same local date in nearly every time zone.
    const staff = createStaff(db, { now: () => Date.UTC(2025, 2, 5, 12) });
    // Staff ids 1, 2, 3, 4 in the order added, unlike the Telegram ids.
    const boris = await addOperator(staff, 20, "Boris");
    const anna = await addOperator(staff, 10, "Anna", { role: "supervisor", onShift: true });
    const oleg = await addOperator(staff, 30, "Oleg");
    // Known by a login only (the web console): no Telegram id.
    await staff.add({ login: "vera", name: "Vera", role: "operator" });
    expect([boris, anna, oleg]).toEqual([1, 2, 3]);
    await staff.remove(oleg);
    const list = async (...flags: string[]) => {
      const out: string[] = [];
      const code = await runAdmin(["operators", "list", ...flags], {
        db: () => db,
        out: (line) => out.push(line),
        err: () => {},
      });
      expect(code).toBe(0);
      return out;
    };

    expect(await list()).toEqual([
      "TELEGRAM  STAFF  NAME   ROLE        ON SHIFT  ADDED",
      "10        2      Anna   supervisor  yes       2025-03-05",
      "20        1      Boris  operator    no        2025-03-05",
      "-         4      Vera   operator    no        2025-03-05",
    ]);
    expect(await list("--all")).toEqual([
      "TELEGRAM  STAFF  NAME   ROLE        ON SHIFT  ADDED       REMOVED",
      "10        2      Anna   supervisor  yes       2025-03-05",
      "20        1      Boris  operator    no        2025-03-05",
      "30        3      Oleg   operator    no        2025-03-05  2025-03-05",
      "-         4      Vera   operator    no        2025-03-05",
    ]);
  });
});

describe("runAdmin: operators shift", () => {
  it("puts an operator on and off shift", async () => {
    const { staff, run } = await setup();
    const anna = await addOperator(staff, 5, "Anna");
    expect((await run("operators", "shift", "5", "on")).out).toBe(
      '5 "Anna" (operator) is now on shift',
    );
    expect((await staff.get(anna))?.onShift).toBe(true);
    expect((await run("operators", "shift", "5", "off")).code).toBe(0);
    expect((await staff.get(anna))?.onShift).toBe(false);
  });

  it("refuses someone who is not an operator with exit 1", async () => {
    const { staff, run } = await setup();
    expect(await run("operators", "shift", "5", "on")).toMatchObject({
      code: 1,
      err: "operators shift: 5 is not an operator",
    });
    // Staff id 1 is someone else's; a removed operator is refused too.
    const anna = await addOperator(staff, 600, "Anna");
    expect(anna).toBe(1);
    expect(await run("operators", "shift", "1", "on")).toMatchObject({
      code: 1,
      err: "operators shift: 1 is not an operator",
    });
    await staff.remove(anna);
    const removed = await run("operators", "shift", "600", "on");
    expect(removed.code).toBe(1);
    expect(removed.err).toMatch(
      /^operators shift: 600 is not an operator \(removed on \d{4}-\d\d-\d\d\)$/,
    );
    expect((await staff.get(anna))?.onShift).toBe(false);
  });
});

describe("runAdmin: the command line", () => {
  it.each([
    [
      ["operators", "add", "abc"],
      '<user-id> must be a Telegram user id (a positive whole number), not "abc"',
    ],
    [["operators", "add", "0"], 'not "0"'],
    [["operators", "add", "12.5"], 'not "12.5"'],
    [["operators", "add", "1e3"], 'not "1e3"'],
    [["operators", "add", "99999999999999999999"], 'not "99999999999999999999"'],
    [["operators", "add", "-5"], "Unknown option '-5'"],
    [["operators", "add"], "missing <user-id>"],
    [["operators", "add", "1", "--bogus"], "Unknown option '--bogus'"],
    [["operators", "add", "1", "--name"], "Option '--name <value>' argument missing"],
    [["operators", "add", "1", "--name", "  "], "--name is empty"],
    [["operators", "add", "1", "Anna"], 'unexpected argument "Anna"'],
    [["operators", "add", "1", "--all"], "--all is not one of its options"],
    [["operators", "list", "--supervisor"], "--supervisor is not one of its options"],
    [["operators", "list", "1"], 'unexpected argument "1"'],
    [["operators", "remove", "x"], 'not "x"'],
    [["operators", "remove", "1", "2"], 'unexpected argument "2"'],
    [["operators", "shift", "1"], "missing on|off"],
    [["operators", "shift", "1", "maybe"], 'expected on or off, not "maybe"'],
    [["operators", "shift", "on", "1"], 'not "on"'],
  ])("%j: one line naming the problem, exit 2, database untouched", async (argv, problem) => {
    const { db, staff, run, opened } = await setup();
    await addOperator(staff, 1, "Anna", { role: "supervisor" });
    const before = await staff.list({ includeRemoved: true });
    const audited = await createAuditLog(db).entries();

    const result = await run(...argv);
    expect(result.code).toBe(2);
    expect(result.out).toBe("");
    expect(result.errLines).toBe(1);
    expect(result.err).not.toContain("\n");
    expect(result.err).toContain(`operators ${argv[1]}: `);
    expect(result.err).toContain(problem);
    expect(opened()).toBe(0);
    expect(await staff.list({ includeRemoved: true })).toEqual(before);
    expect(await createAuditLog(db).entries()).toEqual(audited);
  });

  it.each([[[]], [["operators"]], [["frob"]], [["operators", "frob"]], [["add", "1"]]])(
    "%j: usage on stderr, exit 2",
    async (argv) => {
      const { run, opened } = await setup();
      const result = await run(...argv);
      expect(result.code).toBe(2);
      expect(result.out).toBe("");
      expect(result.err).toContain(USAGE);
      expect(opened()).toBe(0);
    },
  );

  it.each([[["help"]], [["--help"]], [["-h"]], [["operators", "help"]], [["operators", "--help"]]])(
    "%j: usage on stdout, exit 0",
    async (argv) => {
      const { run } = await setup();
      expect(await run(...argv)).toMatchObject({ code: 0, out: USAGE, err: "" });
    },
  );

  it("usage lists every command", () => {
    for (const command of ["add", "remove", "list", "shift"]) {
      expect(USAGE).toContain(`operators ${command} `);
    }
  });
});

describe("npm run admin, as a user", () => {
  const dir = mkdtempSync(join(tmpdir(), "admin-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const DATABASE_PATH = join(dir, "data", "bot.sqlite");
  const admin = (...args: string[]) =>
    runScript("admin.ts", args, { env: { DATABASE_PATH, DATABASE_URL: "" } });
  const sqliteOnly = it.skipIf(TEST_ENGINE !== "sqlite");

  sqliteOnly("refuses bad input without creating the database", () => {
    const bad = admin("operators", "add", "anna");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('not "anna"');
    expect(existsSync(DATABASE_PATH)).toBe(false);

    const unknown = admin("operators", "promote", "1");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("Usage: npm run admin -- operators|staff <command>");
    expect(existsSync(DATABASE_PATH)).toBe(false);
  });

  sqliteOnly(
    "opens only a database that is there (a wrong DATABASE_PATH is not quietly a new empty one)",
    () => {
      const listed = admin("operators", "list");
      expect(listed.status).toBe(1);
      expect(listed.stderr).toContain(DATABASE_PATH);
      expect(listed.stderr).toContain("--create-database");
      expect(listed.stderr.trim().split("\n")).toHaveLength(1);
      const added = admin("operators", "add", "1001");
      expect(added.status).toBe(1);
      expect(existsSync(dirname(DATABASE_PATH))).toBe(false);
    },
  );

  sqliteOnly(
    "names a PostgreSQL database it cannot reach in one line, without its password",
    () => {
      const url = "postgres://bot:s3cret@127.0.0.1:1/bot";
      const listed = runScript("admin.ts", ["operators", "list"], { env: { DATABASE_URL: url } });
      expect(listed.status).toBe(1);
      expect(listed.stderr).toContain("postgres://bot:***@127.0.0.1:1/bot");
      expect(listed.stderr).not.toContain("s3cret");
      expect(listed.stderr.trim().split("\n")).toHaveLength(1);
    },
  );

  it("adds, lists, puts on shift and removes an operator in the configured database", async () => {
    // SQLite: made by --create-database; PostgreSQL: an empty database, its tables made on opening.
    const database = await toolDatabase(join(dir, "data"));
    const admin = (...args: string[]) => runScript("admin.ts", args, { env: database.env });
    const added = admin(
      "operators",
      "add",
      "123456789",
      "--name",
      "Анна Петрова",
      "--supervisor",
      "--create-database",
    );
    expect(added.status).toBe(0);
    expect(added.stdout).toContain('added 123456789 "Анна Петрова" as supervisor');
    if (TEST_ENGINE === "sqlite") expect(existsSync(DATABASE_PATH)).toBe(true);

    expect(admin("operators", "shift", "123456789", "on").status).toBe(0);
    const listed = admin("operators", "list");
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(/^TELEGRAM\s+STAFF\s+NAME\s+ROLE\s+ON SHIFT\s+ADDED$/m);
    expect(listed.stdout).toMatch(
      /^123456789\s+1\s+Анна Петрова\s+supervisor\s+yes\s+\d{4}-\d\d-\d\d$/m,
    );

    const refused = admin("operators", "remove", "12x");
    expect(refused.status).toBe(2);
    expect(admin("operators", "list").stdout).toBe(listed.stdout);

    const removed = admin("operators", "remove", "123456789");
    expect(removed.status).toBe(0);
    expect(removed.stdout).toContain("they had no assigned tickets");
    expect(admin("operators", "list").stdout).toContain("There are no operators");
    expect(admin("operators", "remove", "123456789").status).toBe(1);

    // What the bot will see in the same database.
    const db = await database.open();
    try {
      const staff = createStaff(db);
      const member = await staff.byTelegram(123456789);
      expect(member).toMatchObject({
        id: 1,
        name: "Анна Петрова",
        role: "supervisor",
        onShift: false,
      });
      expect(member?.removedAt).not.toBeNull();
      expect(await staff.roleOf(1)).toBeUndefined();
    } finally {
      await db.close();
    }
  });
});

describe("runAdmin: staff (web console accounts)", () => {
  const tokenOf = (out: string) => {
    const match = /http:\/\/localhost:8080\/welcome#([\w-]{43})$/m.exec(out);
    if (!match?.[1]) throw new Error(`no link in: ${out}`);
    return match[1];
  };

  it("adds a member by login and prints a one-time link that only its hash is kept of", async () => {
    const { db, run } = await setup();
    const added = await run("staff", "add", "olga", "--role", "supervisor", "--name", "Ольга");
    expect(added.code).toBe(0);
    expect(added.out).toMatch(/^added staff #1 olga "Ольга" as supervisor$/m);
    const token = tokenOf(added.out);
    const stored = await db.all<{ token_hash: string }>("SELECT token_hash FROM staff_invites");
    expect(stored).toEqual([{ token_hash: tokenHash(token) }]);
    expect(await createStaffAccounts(db).redeemInvite(tokenHash(token))).toBe(1);
    expect(await createStaffAccounts(db).redeemInvite(tokenHash(token))).toBeUndefined();
  });

  it("adds content staff: an editor and a publisher, with a link each", async () => {
    const { run, staff } = await setup();
    for (const role of ["editor", "publisher"]) {
      const added = await run("staff", "add", role === "editor" ? "eva" : "pavel", "--role", role);
      expect(added.code).toBe(0);
      expect(added.out).toMatch(new RegExp(`as ${role}$`, "m"));
      expect(tokenOf(added.out)).toBeTruthy();
    }
    expect((await staff.list()).map((m) => [m.login, m.role])).toEqual([
      ["eva", "editor"],
      ["pavel", "publisher"],
    ]);
  });

  it("links a Telegram operator to the login: one person, one staff id", async () => {
    const { run, staff } = await setup();
    await run("operators", "add", "1001", "--name", "Анна");
    const linked = await run("staff", "add", "anna", "--role", "operator", "--telegram", "1001");
    expect(linked.out).toMatch(/^updated staff #1 anna "Анна" as operator, Telegram 1001$/m);
    expect(await staff.byLogin("anna")).toMatchObject({ id: 1, telegramUserId: 1001 });
    const conflict = await run("staff", "add", "boris", "--role", "operator");
    expect(conflict.code).toBe(0);
    const taken = await run("staff", "add", "boris", "--role", "operator", "--telegram", "1001");
    expect(taken).toMatchObject({ code: 1 });
    expect(taken.err).toMatch(
      /Telegram user 1001 is staff member 1, and login boris is staff member 2/,
    );
  });

  it("a new link ends the old one; remove signs out at once", async () => {
    const { db, run } = await setup();
    const first = tokenOf((await run("staff", "add", "olga", "--role", "operator")).out);
    const second = tokenOf((await run("staff", "invite", "olga")).out);
    const accounts = createStaffAccounts(db);
    expect(await accounts.redeemInvite(tokenHash(first))).toBeUndefined();
    expect(await accounts.redeemInvite(tokenHash(second))).toBe(1);
    await accounts.openSession(1, tokenHash("cookie"), "csrf");
    const removed = await run("staff", "remove", "olga");
    expect(removed.out).toMatch(/^removed staff #1 olga "olga" as operator: signed out;/);
    expect(await accounts.session(tokenHash("cookie"), 60_000)).toBeUndefined();
    expect(await run("staff", "remove", "olga")).toMatchObject({ code: 1 });
    expect((await run("staff", "invite", "nobody")).err).toBe("staff invite: nobody is not staff");
  });

  it("lists logins, Telegram ids, passwords and second factors", async () => {
    const { db, run } = await setup();
    await run("staff", "add", "olga", "--role", "supervisor", "--name", "Ольга");
    await run("operators", "add", "1001", "--name", "Анна");
    await createStaffAccounts(db).setPassword(1, "$argon2id$x");
    const listed = await run("staff", "list");
    expect(listed.out.split("\n")).toEqual([
      "STAFF  LOGIN  TELEGRAM  NAME   ROLE        PASSWORD  2FA",
      "2      -      1001      Анна   operator    -         -",
      "1      olga   -         Ольга  supervisor  set       -",
    ]);
  });

  it("refuses a bad login, a missing role or an unknown flag before opening the database", async () => {
    const { run, opened } = await setup();
    for (const argv of [
      ["staff", "add", "Olga!", "--role", "operator"],
      ["staff", "add", "olga"],
      ["staff", "add", "olga", "--role", "admin"],
      ["staff", "add", "olga", "--role", "operator", "--telegram", "-5"],
      // Content staff work in the browser only: no Telegram console.
      ["staff", "add", "eva", "--role", "editor", "--telegram", "1001"],
      ["staff", "list", "--role", "x"],
      ["staff", "invite"],
      ["staff", "add", "olga", "--bogus"],
    ]) {
      const result = await run(...argv);
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.errLines, argv.join(" ")).toBe(1);
    }
    expect(opened()).toBe(0);
  });
});

describe("runAdmin: staff links after a second reading", () => {
  it("prints no link when only a name or role changes for someone with a password; invite can reset the second factor", async () => {
    const { db, run } = await setup();
    await run("staff", "add", "olga", "--role", "operator");
    const accounts = createStaffAccounts(db);
    await accounts.setPassword(1, "$argon2id$x");
    await accounts.setTotp(1, "JBSWY3DPEHPK3PXP", true);
    const renamed = await run("staff", "add", "olga", "--role", "supervisor", "--name", "Ольга");
    expect(renamed.out).toBe('updated staff #1 olga "Ольга" as supervisor');
    const invited = await run("staff", "invite", "olga");
    expect(invited.out).toMatch(/welcome#/);
    expect((await accounts.credentialsOf(1))?.totpEnabledAt).not.toBeNull();
    const reset = await run("staff", "invite", "olga", "--reset-second-factor");
    expect(reset.out).toMatch(/^second factor of staff #1 olga .* cleared/m);
    expect(await accounts.credentialsOf(1)).toMatchObject({
      totpSecret: null,
      totpEnabledAt: null,
    });
  });
});
