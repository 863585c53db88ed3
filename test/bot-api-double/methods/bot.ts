import type { BotCommand, BotCommandScope } from "grammy/types";
import { stringParam } from "../params.ts";
import { badRequest, ok } from "../responses.ts";
import type { Params } from "../types.ts";
import { type MethodHandler, optional } from "./state.ts";

/** getMe: the bot user, its id taken from the token. */
export const getMe: MethodHandler = (_params, state) => ok(state.bot);

/** close and logOut: accepted; the double keeps serving. */
export const close: MethodHandler = () => ok(true);

/** setMyCommands: each command 1–32 of a-z 0-9 _, each description 1–256 characters. */
export const setMyCommands: MethodHandler = (params, state) => {
  const { commands } = params;
  if (!Array.isArray(commands)) return badRequest("can't parse commands JSON object");
  for (const entry of commands as Partial<BotCommand>[]) {
    if (typeof entry.command !== "string" || !/^[a-z0-9_]{1,32}$/.test(entry.command))
      return badRequest("BOT_COMMAND_INVALID");
    const description = entry.description;
    if (typeof description !== "string" || description.trim() === "" || description.length > 256)
      return badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
  }
  state.commands.set({
    commands: commands as BotCommand[],
    ...optional("scope", scopeOf(params)),
    ...optional("language_code", stringParam(params, "language_code")),
  });
  return ok(true);
};

/** getMyCommands: the list for exactly this scope and language. */
export const getMyCommands: MethodHandler = (params, state) =>
  ok(state.commands.get(scopeOf(params), stringParam(params, "language_code")));

/** deleteMyCommands: forgets the list for this scope and language. */
export const deleteMyCommands: MethodHandler = (params, state) => {
  state.commands.delete(scopeOf(params), stringParam(params, "language_code"));
  return ok(true);
};

function scopeOf(params: Params): BotCommandScope | undefined {
  const { scope } = params;
  return typeof scope === "object" && scope !== null ? (scope as BotCommandScope) : undefined;
}
