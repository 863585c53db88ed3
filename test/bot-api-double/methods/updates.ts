import { booleanParam, integerParam, stringParam } from "../params.ts";
import { badRequest, conflict, ok } from "../responses.ts";
import type { Params } from "../types.ts";
import { type MethodHandler, optional } from "./state.ts";

const WEBHOOK_ACTIVE =
  "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";

/**
 * getUpdates: confirms updates below `offset`, then answers at once when
 * updates are waiting, or waits up to `timeout` seconds for one.
 */
export const getUpdates: MethodHandler = async (params, state, signal) => {
  const { queue, webhook } = state;
  if (webhook.active) return conflict(WEBHOOK_ACTIVE);
  // Any new getUpdates ends the one still waiting, as on Telegram.
  queue.interrupt("terminated");
  const offset = integerParam(params, "offset");
  if (offset !== undefined) queue.confirm(offset);
  const limit = Math.min(Math.max(integerParam(params, "limit") ?? 100, 1), 100);
  const timeoutSeconds = Math.max(integerParam(params, "timeout") ?? 0, 0);
  setAllowedUpdates(params, state.queue);
  // Real time, not the double's clock: a test may freeze that one.
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const batch = queue.peek(limit);
    const left = deadline - Date.now();
    if (batch.length > 0 || left <= 0) return ok(batch);
    const outcome = await queue.wait(left, signal);
    if (outcome === "terminated")
      return conflict(
        "terminated by other getUpdates request; make sure that only one bot instance is running",
      );
    if (outcome === "webhook") return conflict("terminated by setWebhook request");
    if (outcome === "aborted" || outcome === "closed") return ok([]);
  }
};

/** setWebhook: an http(s) URL (plain http allowed, for tests); an empty URL removes it. */
export const setWebhook: MethodHandler = (params, state) => {
  const url = stringParam(params, "url") ?? "";
  if (url === "") return deleteWebhook(params, state, new AbortController().signal);
  if (!isHttpUrl(url)) return badRequest("bad webhook: invalid webhook URL specified");
  const secretToken = stringParam(params, "secret_token");
  if (secretToken !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken))
    return badRequest("secret token contains unallowed characters");
  const before = state.webhook.info();
  if (booleanParam(params, "drop_pending_updates")) state.queue.clear();
  setAllowedUpdates(params, state.queue);
  state.queue.interrupt("webhook");
  state.webhook.set({
    url,
    ...optional("secretToken", secretToken),
    ...optional("maxConnections", integerParam(params, "max_connections")),
  });
  return ok(true, before.url === url ? "Webhook is already set" : "Webhook was set");
};

/** deleteWebhook: back to getUpdates; `drop_pending_updates` forgets what waits. */
export const deleteWebhook: MethodHandler = (params, state) => {
  const wasActive = state.webhook.active;
  if (booleanParam(params, "drop_pending_updates")) state.queue.clear();
  state.webhook.delete();
  return ok(true, wasActive ? "Webhook was deleted" : "Webhook is already deleted");
};

/** getWebhookInfo: the URL, pending count and the last delivery error. */
export const getWebhookInfo: MethodHandler = (_params, state) => ok(state.webhook.info());

function setAllowedUpdates(params: Params, queue: { setAllowedUpdates(types: string[]): void }) {
  const { allowed_updates: allowed } = params;
  if (Array.isArray(allowed)) queue.setAllowedUpdates(allowed.map(String));
}

function isHttpUrl(url: string): boolean {
  try {
    return ["http:", "https:"].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}
