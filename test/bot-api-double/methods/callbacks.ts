import { booleanParam, integerParam, stringParam } from "../params.ts";
import { badRequest, ok } from "../responses.ts";
import type { MethodHandler } from "./state.ts";
import { optional } from "./state.ts";

/** answerCallbackQuery: each query once; unknown or answered ids are "too old". */
export const answerCallbackQuery: MethodHandler = (params, state) => {
  const answered = state.callbacks.answer(
    {
      callback_query_id: stringParam(params, "callback_query_id") ?? "",
      ...optional("text", stringParam(params, "text")),
      ...optional(
        "show_alert",
        "show_alert" in params ? booleanParam(params, "show_alert") : undefined,
      ),
      ...optional("url", stringParam(params, "url")),
      ...optional("cache_time", integerParam(params, "cache_time")),
    },
    state.now(),
  );
  if (!answered.ok)
    return badRequest("query is too old and response timeout expired or query ID is invalid");
  return ok(true);
};
