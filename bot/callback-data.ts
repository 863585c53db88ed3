import { INTENT_ID, type Language, TOPICS, type Topic } from "../knowledge/index.ts";
import { MAX_CALLBACK_DATA } from "./desk/index.ts";

/** What a button asks for. Callback data is the only input a client can forge freely. */
export type ButtonAction =
  | { kind: "menu" }
  | { kind: "topic"; topic: Exclude<Topic, "smalltalk"> }
  | { kind: "answer"; intent: string }
  | { kind: "feedback"; intent: string; helpful: boolean }
  | { kind: "operator" }
  | { kind: "language"; language: Language };

const MENU_TOPICS = TOPICS.filter(
  (topic): topic is Exclude<Topic, "smalltalk"> => topic !== "smalltalk",
);

/**
 * Encodes an action as callback data ("a:contacts.hotline", "f:1:…").
 * Throws if the result would exceed Telegram's 64 bytes: that is a bug.
 */
export function encodeAction(action: ButtonAction): string {
  const data = (() => {
    switch (action.kind) {
      case "menu":
        return "m";
      case "topic":
        return `t:${action.topic}`;
      case "answer":
        return `a:${action.intent}`;
      case "feedback":
        return `f:${action.helpful ? 1 : 0}:${action.intent}`;
      case "operator":
        return "o";
      case "language":
        return `l:${action.language}`;
    }
  })();
  if (Buffer.byteLength(data, "utf8") > MAX_CALLBACK_DATA) {
    throw new Error(`callback data over ${MAX_CALLBACK_DATA} bytes: ${data}`);
  }
  return data;
}

/**
 * Parses callback data strictly; anything else (stale formats, forged or
 * malformed bytes) is undefined. Whether an intent still exists is checked by
 * the caller against the current knowledge base.
 */
export function decodeAction(data: string | undefined): ButtonAction | undefined {
  if (data === undefined || Buffer.byteLength(data, "utf8") > MAX_CALLBACK_DATA) return undefined;
  if (data === "m") return { kind: "menu" };
  if (data === "o") return { kind: "operator" };
  const [kind, first, second, ...rest] = data.split(":");
  if (rest.length > 0) return undefined;
  if (kind === "t" && second === undefined) {
    const topic = MENU_TOPICS.find((t) => t === first);
    return topic ? { kind: "topic", topic } : undefined;
  }
  if (kind === "a" && second === undefined && first && INTENT_ID.test(first)) {
    return { kind: "answer", intent: first };
  }
  if (kind === "f" && (first === "0" || first === "1") && second && INTENT_ID.test(second)) {
    return { kind: "feedback", intent: second, helpful: first === "1" };
  }
  if (kind === "l" && second === undefined && (first === "ru" || first === "en")) {
    return { kind: "language", language: first };
  }
  return undefined;
}
