import type { DeskAction } from "../../handoff/index.ts";
import { INTENT_ID } from "../../knowledge/index.ts";

/** Telegram's limit on a button's callback data, in bytes. */
export const MAX_CALLBACK_DATA = 64;

const ID = /^[1-9]\d{0,14}$/;
const flag = (value: boolean | undefined) => (value === undefined ? "-" : value ? "1" : "0");

/** Callback data for a desk button; every prefix starts with "h" (handoff). */
export function encodeDeskAction(action: DeskAction): string {
  switch (action.kind) {
    case "confirm":
      return action.after === undefined ? "hy" : `hy:${action.after}`;
    case "decline":
      return action.after === undefined ? "hx" : `hx:${action.after}`;
    case "take":
      return `ht:${action.ticketId}`;
    case "take_next":
      return "hn";
    case "switch":
      return `hw:${action.ticketId}`;
    case "canned":
      return `hk:${action.ticketId}:${action.intent}`;
    case "solved":
      return `hs:${action.ticketId}:${flag(action.solved)}`;
    case "rate":
      return `hr:${action.ticketId}:${flag(action.solved)}:${action.rating}`;
    case "topic":
      return `hg:${action.ticketId}:${action.intent ?? "new"}`;
    case "topic_skip":
      return `hg:${action.ticketId}:skip`;
  }
}

/** Parses desk callback data strictly; anything else is undefined. */
export function decodeDeskAction(data: string): DeskAction | undefined {
  if (Buffer.byteLength(data, "utf8") > MAX_CALLBACK_DATA) return undefined;
  if (data === "hy") return { kind: "confirm" };
  if (data === "hx") return { kind: "decline" };
  if (data === "hn") return { kind: "take_next" };
  const [kind, id, first, second, ...rest] = data.split(":");
  if (rest.length > 0 || id === undefined || !ID.test(id)) return undefined;
  const ticketId = Number(id);
  const parsedFlag = first === "1" ? true : first === "0" ? false : undefined;
  if (kind === "hy" && first === undefined) return { kind: "confirm", after: ticketId };
  if (kind === "hx" && first === undefined) return { kind: "decline", after: ticketId };
  if (kind === "ht" && first === undefined) return { kind: "take", ticketId };
  if (kind === "hw" && first === undefined) return { kind: "switch", ticketId };
  if (kind === "hk" && second === undefined && first !== undefined && INTENT_ID.test(first)) {
    return { kind: "canned", ticketId, intent: first };
  }
  if (kind === "hs" && second === undefined && parsedFlag !== undefined) {
    return { kind: "solved", ticketId, solved: parsedFlag };
  }
  if (
    kind === "hr" &&
    (parsedFlag !== undefined || first === "-") &&
    /^[1-5]$/.test(second ?? "")
  ) {
    return { kind: "rate", ticketId, solved: parsedFlag, rating: Number(second) };
  }
  if (kind === "hg" && second === undefined && first !== undefined) {
    // Intent ids always have a dot, so "new" and "skip" are never one.
    if (first === "new") return { kind: "topic", ticketId, intent: null };
    if (first === "skip") return { kind: "topic_skip", ticketId };
    if (INTENT_ID.test(first)) return { kind: "topic", ticketId, intent: first };
  }
  return undefined;
}
