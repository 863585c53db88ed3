import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaff, createTicketService, type SqlDatabase } from "../../handoff/index.ts";
import { openPostgres } from "../../handoff/postgres/client.ts";
import { openSqlite } from "../../handoff/sqlite/index.ts";
import { freshPostgres } from "../postgres/fresh.ts";
import { TEST_ENGINE } from "../storage.ts";
import { runScript } from "./run-script.ts";

const folder = mkdtempSync(join(tmpdir(), "chat-test-"));
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const drop of drops) await drop();
  rmSync(folder, { recursive: true, force: true });
});
let databases = 0;

/** A chat database: the environment that names it, and a way to look into it. */
interface ChatDatabase {
  env: Record<string, string>;
  open: () => Promise<SqlDatabase>;
}

/**
 * A fresh chat database for a scenario on this run's engine: a SQLite file
 * not made yet, or an empty PostgreSQL database (the chat makes its tables).
 */
async function newDatabase(): Promise<ChatDatabase> {
  if (TEST_ENGINE === "sqlite") {
    const path = join(folder, `chat-${++databases}.sqlite`);
    return {
      env: { CHAT_DATABASE_PATH: path, CHAT_DATABASE_URL: "" },
      open: async () => openSqlite(path),
    };
  }
  const { url, drop } = await freshPostgres();
  drops.push(drop);
  return { env: { CHAT_DATABASE_URL: url }, open: async () => openPostgres(url, { max: 2 }) };
}

/** Runs `npm run chat` on `database` with these lines as stdin. */
function chat(database: ChatDatabase, lines: readonly string[], args: readonly string[] = []) {
  const result = runScript("chat.ts", args, {
    input: lines.map((line) => `${line}\n`).join(""),
    env: database.env,
  });
  expect(result.stderr).not.toMatch(/Error/);
  expect(result.status).toBe(0);
  // What came before the first input line, then what each line printed.
  const [before = "", ...turns] = result.stdout.split("\n> ");
  return { before, turns };
}

/** Reads the chat database the way the scripts left it. */
async function inspect<T>(
  database: ChatDatabase,
  read: (db: SqlDatabase) => T | Promise<T>,
): Promise<T> {
  const db = await database.open();
  try {
    return await read(db);
  } finally {
    await db.close();
  }
}

describe("npm run chat: the citizen's FAQ", () => {
  it("answers, offers numbered follow-ups, and offers an operator for what it cannot answer", async () => {
    const database = await newDatabase();
    const { turns } = chat(database, [
      "как восстановить пароль",
      "1",
      "рецепт борща",
      "how do I reset my password",
      "/quit",
    ]);
    expect(turns).toHaveLength(5);
    expect(turns[0]).toContain("🔗");
    expect(turns[0]).toMatch(/\n {2}1\. /);
    expect(turns[1]).not.toContain("не нашёл");
    expect(turns[2]).toContain("не нашёл");
    expect(turns[2]).toContain("Передать ваш вопрос оператору?");
    expect(turns[2]).toContain("  [1] 👤 Да, позвать оператора");
    expect(turns[3]).toContain("Reset");
    // Offered, not confirmed: no ticket; the questions were recorded for one.
    await inspect(database, async (db) => {
      expect(await createTicketService(db).openTicketOf(1)).toBeUndefined();
      const questions = await db.all<{ text: string }>("SELECT text FROM questions ORDER BY id");
      expect(questions.map((row) => row.text)).toEqual([
        "как восстановить пароль",
        "рецепт борща",
        "how do I reset my password",
      ]);
    });
  });
});

// One handoff from start to end, the three runs in order on one database.
describe("npm run chat: a handoff between a citizen and an operator terminal", () => {
  let database: ChatDatabase;
  beforeAll(async () => {
    database = await newDatabase();
  });
  const reply = "Борщ варят из свёклы, это не к Госуслугам.";
  let ticketId = 0;

  it("a citizen's unanswered question, confirmed with the button's number, opens a ticket", async () => {
    const { turns } = chat(database, ["рецепт борща", "1", "как восстановить пароль"]);
    expect(turns[0]).toContain("  [1] 👤 Да, позвать оператора");
    const opened = /Обращение №(\d+) передано операторам/.exec(turns[1] ?? "");
    expect(opened).not.toBeNull();
    ticketId = Number(opened?.[1]);
    // With a ticket open, a line goes to the ticket, not to the FAQ.
    expect(turns[2]).toContain(`Добавлено к обращению №${ticketId}`);
    expect(turns[2]).not.toContain("🔗");
    await inspect(database, async (db) => {
      expect(await createTicketService(db).ticket(ticketId)).toMatchObject({
        state: "waiting",
        chatId: 1,
        question: "рецепт борща",
      });
    });
  });

  it("the operator console takes it, sees the transcript, replies and closes it", async () => {
    const { before, turns } = chat(
      database,
      ["/queue", "/__proto__", "/take", `>5 ${reply}`, "Чем ещё помочь?", "/close"],
      ["--operator"],
    );
    expect(before).toContain("#1 Смена начата. В очереди: 1.");
    expect(turns[0]).toMatch(/В очереди: 1.*\nНа смене: Терминал \(0\)/);
    // Not a command, and not Object.prototype's: the help.
    expect(turns[1]).toContain("Команды оператора");
    expect(turns[2]).toContain(`Вы взяли обращение №${ticketId}`);
    expect(turns[2]).toContain(`#5 История обращения №${ticketId}`);
    expect(turns[2]).toContain("Вопрос: рецепт борща");
    expect(turns[2]).toContain("Гражданин: как восстановить пароль");
    expect(turns[5]).toContain(`Обращение №${ticketId} закрыто`);
    await inspect(database, async (db) => {
      const terminal = await createStaff(db).byTelegram(2);
      expect(terminal).toMatchObject({
        name: "Терминал",
        role: "supervisor",
        onShift: true,
      });
      const transcript = await createTicketService(db).transcript(ticketId);
      expect(transcript?.ticket).toMatchObject({
        state: "closed",
        operatorId: terminal?.id,
        rating: null,
      });
      const said = transcript?.messages.filter((m) => m.direction === "operator");
      expect(said?.map((m) => m.text)).toEqual([reply, "Чем ещё помочь?"]);
    });
  });

  it("the citizen reads the replies, says it is solved and rates it", async () => {
    const { before, turns } = chat(database, ["1", "5"]);
    expect(before).toContain(`№${ticketId} взято в работу, на связи оператор Терминал`);
    expect(before).toContain(`👤 Оператор: ${reply}`);
    expect(before).toContain("Удалось решить ваш вопрос?\n  [1] ✅ Да\n  [2] ❌ Нет");
    expect(turns[0]).toContain("Оцените");
    expect(turns[0]).toContain("  [5] 5");
    expect(turns[1]).toContain("Спасибо за оценку!");
    await inspect(database, async (db) => {
      expect(await createTicketService(db).ticket(ticketId)).toMatchObject({
        state: "closed",
        closedBy: "operator",
        rating: 5,
        solved: true,
      });
    });
  });
});

describe("npm run chat: an operator on shift before the ticket", () => {
  it("gets the card, takes it by its number, sees the card edited and the citizen leave", async () => {
    const database = await newDatabase();
    chat(database, [], ["--operator", "--id", "7"]);
    chat(database, ["рецепт борща", "1"]);
    const operator = chat(database, ["1"], ["--operator", "--id", "7"]);
    expect(operator.before).toMatch(/#2 🆕 Обращение №1 · ru\n[^#]*\[1\] Взять №1/);
    expect(operator.turns[0]).toContain("Вы взяли обращение №1");
    expect(operator.turns[0]).toContain(
      "(сообщение #2 изменено) ✅ Обращение №1 взял(а) Терминал.",
    );
    const citizen = chat(database, ["/cancel", "/cancel"]);
    expect(citizen.turns[0]).toContain("Обращение №1 закрыто");
    expect(citizen.turns[1]).toContain("У вас нет открытых обращений.");
    const after = chat(database, [], ["--operator", "--id", "7"]);
    expect(after.before).toContain("Обращение №1 закрыто гражданином.");
    await inspect(database, async (db) => {
      expect(await createTicketService(db).ticket(1)).toMatchObject({
        state: "closed",
        closedBy: "citizen",
        operatorId: (await createStaff(db).byTelegram(7))?.id,
      });
    });
  });

  it("refuses an --id that is the citizen's, or --id without --operator", async () => {
    const database = await newDatabase();
    for (const args of [
      ["--operator", "--id", "1"],
      ["--id", "3"],
    ]) {
      const result = runScript("chat.ts", args, { env: database.env });
      expect(result.status).toBe(2);
      expect(result.stderr).toContain("Usage: npm run chat");
    }
  });
});
