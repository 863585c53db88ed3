// Talk to the bot in a terminal: the same matcher, answers and operator
// handoff as in Telegram. `npm run chat` is the citizen; in another terminal,
// `npm run chat -- --operator` is an operator on the same database.
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { databaseOf } from "../bot/config.ts";
import { openHandoff, type SqlDatabase } from "../handoff/index.ts";
import { openStorage } from "../handoff/storage/index.ts";
import { createMatcher } from "../knowledge/index.ts";
import { createTerminalChannel } from "./chat-channel.ts";
import { CITIZEN_ID, createCitizenSession } from "./chat-citizen.ts";
import type { Session, SessionDeps } from "./chat-console.ts";
import { createOperatorSession, OPERATOR_ID } from "./chat-operator.ts";
import { loadKnowledgeOrExit } from "./knowledge-folder.ts";

const USAGE = `Usage: npm run chat [-- --operator [--id N]]

  (no options)       chat as a citizen (chat and user id ${CITIZEN_ID})
  --operator         the operator console, as user ${OPERATOR_ID}: added as a supervisor
                     if not an operator yet, and put on shift
  --id N             the operator's user id (not ${CITIZEN_ID}, the citizen's)

The database is CHAT_DATABASE_URL (PostgreSQL) when set, else the SQLite file
CHAT_DATABASE_PATH, else ./data/chat.sqlite: not the bot's database.`;
const DEFAULT_DATABASE_PATH = "./data/chat.sqlite";
/** How often a terminal looks for messages to its chat that another terminal caused. */
const POLL_MS = 200;

/** The operator id asked for, undefined for the citizen; exits 2 on a bad command line. */
function operatorIdFromArgs(): number | undefined {
  try {
    const { values } = parseArgs({
      options: { operator: { type: "boolean" }, id: { type: "string" } },
    });
    if (!values.operator) {
      if (values.id !== undefined) throw new Error("--id is for the operator console (--operator)");
      return undefined;
    }
    if (values.id === undefined) return OPERATOR_ID;
    const id = Number(values.id);
    if (!/^\d+$/.test(values.id) || !Number.isSafeInteger(id) || id <= 0 || id === CITIZEN_ID) {
      throw new Error(`--id must be a positive whole number other than ${CITIZEN_ID}`);
    }
    return id;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : error}\n\n${USAGE}\n`);
    process.exit(2);
  }
}

const operatorId = operatorIdFromArgs();
const kb = loadKnowledgeOrExit();
const matcher = createMatcher(kb);
/** The chat's own database (made when missing; on PostgreSQL, its tables), or exit 1 saying why. */
async function openChatDatabase(): Promise<SqlDatabase> {
  const database = databaseOf({
    DATABASE_URL: process.env.CHAT_DATABASE_URL,
    DATABASE_PATH: process.env.CHAT_DATABASE_PATH || DEFAULT_DATABASE_PATH,
    DATABASE_POOL_SIZE: "4",
  });
  try {
    return await openStorage(database, { create: true });
  } catch (error) {
    process.stderr.write(`chat: ${error instanceof Error ? error.message : error}\n`);
    process.exit(1);
  }
}
const knowledge = () => ({ kb, matcher });
const handoff = openHandoff(await openChatDatabase(), {
  via: "terminal",
  knowledge,
  channel: createTerminalChannel({ knowledge }),
});

const interactive = process.stdin.isTTY === true;
const rl = createInterface({
  input: process.stdin,
  ...(interactive ? { output: process.stdout, terminal: true } : { terminal: false }),
});
// The lines' iterator is made at once: readline drops lines read before there
// is one (piped input is read while the database is opened on PostgreSQL).
const lines = rl[Symbol.asyncIterator]();
rl.setPrompt("> ");
// Ctrl+C ends the chat like /quit (readline would only pause, and the poll timer keep it alive).
rl.on("SIGINT", () => rl.close());
/** Whether the prompt is on the screen, to be cleared before printing something that arrived. */
let prompted = false;
const say = (text: string) => {
  if (prompted) process.stdout.write("\r\x1b[K");
  prompted = false;
  process.stdout.write(`${text}\n`);
};
const prompt = () => {
  if (!interactive) return;
  rl.prompt(true);
  prompted = true;
};

const deps: SessionDeps = { handoff, kb, matcher, say };
const session: Session =
  operatorId === undefined
    ? await createCitizenSession(deps)
    : await createOperatorSession(deps, operatorId);
say(session.hello);
await session.drain();
prompt();
/** One drain at a time: a slow one and the next tick must not print the same rows twice. */
let draining: Promise<unknown> = Promise.resolve();
const drain = () => {
  const next = draining.then(() => session.drain());
  draining = next.catch(() => undefined);
  return next;
};
const poll = setInterval(() => {
  void drain().then((count) => {
    if (count > 0) prompt();
  });
}, POLL_MS);
// The operator console also reminds of tickets waiting too long, as the bot does.
const reminders =
  operatorId === undefined
    ? undefined
    : setInterval(() => void handoff.desk.remindOverdue(), 60_000);

for await (const line of { [Symbol.asyncIterator]: () => lines }) {
  prompted = false;
  if (!interactive) say(`> ${line}`);
  const going = await session.handle(line);
  await drain();
  if (!going) break;
  say("");
  prompt();
}
clearInterval(poll);
clearInterval(reminders);
// Input has ended: what is already due for this chat is still shown.
await drain();
rl.close();
await handoff.close();
