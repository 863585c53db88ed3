import type { BotCommand, BotCommandScope } from "grammy/types";
import type { CommandsSetting } from "./types.ts";

/** The bot's command lists, one per scope and language, as setMyCommands left them. */
export interface CommandBook {
  set(setting: CommandsSetting): void;
  get(scope: BotCommandScope | undefined, languageCode: string | undefined): BotCommand[];
  delete(scope: BotCommandScope | undefined, languageCode: string | undefined): void;
  /** The last setMyCommands call's parameters. */
  readonly last: CommandsSetting | undefined;
}

function keyOf(scope: BotCommandScope | undefined, languageCode: string | undefined): string {
  const { type = "default", ...rest } = (scope ?? {}) as Record<string, unknown>;
  const details = Object.keys(rest)
    .sort()
    .map((name) => `${name}=${String(rest[name])}`);
  return [type, ...details, languageCode ?? ""].join("|");
}

/** @example createCommandBook().set({ commands: [{ command: "start", description: "Start" }] }) */
export function createCommandBook(): CommandBook {
  const lists = new Map<string, BotCommand[]>();
  let last: CommandsSetting | undefined;
  return {
    set(setting) {
      lists.set(keyOf(setting.scope, setting.language_code), setting.commands);
      last = setting;
    },
    get: (scope, languageCode) => lists.get(keyOf(scope, languageCode)) ?? [],
    delete(scope, languageCode) {
      lists.delete(keyOf(scope, languageCode));
    },
    get last() {
      return last;
    },
  };
}
