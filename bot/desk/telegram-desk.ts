import type { Desk, Person } from "../../handoff/index.ts";
import { decodeDeskAction } from "./callback-data.ts";
import { parseOperatorCommand } from "./commands.ts";
import { toastText } from "./render.ts";

/** What to answer a Telegram button press with (its callback answer). */
export interface TelegramPressAnswer {
  /** A short plain-text notice on the pressed button. */
  toast?: string;
  /** The pressed message's buttons are used up (or stale): remove them. */
  spent?: true;
}

/** A console command as typed: `/take 12` is `{ name: "take", args: "12" }`. */
export interface Command {
  name: string;
  args: string;
}

/** The desk as Telegram drives it: callback data and typed commands in, plain toasts out. */
export interface TelegramDesk extends Omit<Desk, "press"> {
  /** A press of a button with this callback data; undefined when it is not a desk button. */
  press(person: Person, data: string, updateId?: number): Promise<TelegramPressAnswer | undefined>;
  /** A typed console command. */
  operatorCommand(person: Person, command: Command, updateId?: number): Promise<void>;
}

/**
 * The desk behind Telegram's vocabulary: callback data decoded strictly
 * (anything else is not the desk's), commands parsed into requests, and a
 * toast rendered as the plain text a callback answer shows.
 *
 * @example const desk = telegramDesk(handoff.desk); await desk.press(person, "hy");
 */
export function telegramDesk(desk: Desk): TelegramDesk {
  return {
    ...desk,
    press: async (person, data, updateId) => {
      const action = decodeDeskAction(data);
      if (!action) return undefined;
      const { toast, ...answer } = await desk.press(person, action, updateId);
      return toast === undefined ? answer : { ...answer, toast: toastText(toast, person.language) };
    },
    operatorCommand: (person, command, updateId) =>
      desk.operatorRequest(person, parseOperatorCommand(command.name, command.args), updateId),
  };
}
