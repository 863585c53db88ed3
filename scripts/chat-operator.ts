// The operator's side of `npm run chat -- --operator`: the desk's operator
// console (the same commands as the bot's private chat), on shift from the start.
import { parseOperatorCommand, toastText } from "../bot/desk/index.ts";
import type { Person } from "../handoff/index.ts";
import { createChatScreen, type Session, type SessionDeps } from "./chat-console.ts";

/** The local operator's Telegram user id (and private chat id) unless `--id` says otherwise. */
export const OPERATOR_ID = 2;
/** The name a local operator is added under, as a supervisor, if they are not an operator yet. */
export const OPERATOR_NAME = "Терминал";

/** `/take 12` → name "take", args "12"; as in the bot (bot/features/handoff.ts). */
const COMMAND = /^\/([a-z_]+)(?:@\w+)?(?:\s+([\s\S]*))?$/i;
/** `>7 text`: a reply to message #7. */
const REPLY = /^>\s*(\d+)\s+([\s\S]+)$/;

/**
 * An operator's terminal console. `/command` goes to the desk, a bare number
 * presses a button of the latest message, `>N text` replies to message #N
 * (so it goes to that message's ticket), anything else goes to the current ticket.
 */
export async function createOperatorSession(
  { handoff, say }: SessionDeps,
  operatorId = OPERATOR_ID,
): Promise<Session> {
  const { desk, staff } = handoff;
  const person: Person = { chatId: operatorId, userId: operatorId, language: "ru" };
  if ((await staff.byTelegram(operatorId))?.removedAt !== null) {
    await staff.add({ telegramUserId: operatorId, name: OPERATOR_NAME, role: "supervisor" });
  }
  const screen = await createChatScreen({
    outbox: handoff.outbox,
    chatId: operatorId,
    say,
    press: async (action) => {
      const { toast } = await desk.press(person, action);
      return toast && toastText(toast, "ru");
    },
  });
  await desk.operatorRequest(person, { kind: "shift", on: true });
  const name = (await staff.byTelegram(operatorId))?.name ?? OPERATOR_NAME;

  return {
    hello: `Консоль оператора «${name}» (id ${operatorId}). /help — команды; число — нажать кнопку [N] последнего сообщения; >N текст — ответить на сообщение #N; /quit — выход.`,
    drain: screen.drain,
    handle: async (line) => {
      const text = line.trim();
      if (text === "/quit" || text === "/exit") return false;
      if (text === "") return true;
      const command = COMMAND.exec(text);
      const reply = REPLY.exec(text);
      if (command) {
        const commandName = (command[1] ?? "").toLowerCase();
        await desk.operatorRequest(person, parseOperatorCommand(commandName, command[2] ?? ""));
      } else if (reply) {
        const messageId = Number(reply[1]);
        if (!screen.shown(messageId)) screen.notice(`нет сообщения #${messageId}`);
        else
          await desk.operatorMessage(person, { text: reply[2] ?? "", replyToMessageId: messageId });
      } else if (/^\d+$/.test(text)) {
        if (!(await screen.pick(Number(text)))) {
          screen.notice(
            `у последнего сообщения нет кнопки [${text}]; число гражданину: >N ${text}`,
          );
        }
      } else {
        await desk.operatorMessage(person, { text });
      }
      return true;
    },
  };
}
