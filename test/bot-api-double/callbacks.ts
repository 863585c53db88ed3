import type { CallbackQuery } from "grammy/types";
import type { CallbackAnswer } from "./types.ts";

/** Callback queries users made, each answerable once. */
export interface CallbackBook {
  nextId(): string;
  open(query: CallbackQuery): void;
  /** Answers an open query; `ok: false` when it is unknown or was answered already. */
  answer(
    fields: Omit<CallbackAnswer, "query" | "time">,
    time: number,
  ): { ok: true; answer: CallbackAnswer } | { ok: false };
  readonly answers: readonly CallbackAnswer[];
}

/** @example const callbacks = createCallbackBook(); callbacks.open(query) */
export function createCallbackBook(): CallbackBook {
  const open = new Map<string, CallbackQuery>();
  const answers: CallbackAnswer[] = [];
  let counter = 0;
  return {
    // Real ids are long decimal strings; a fixed prefix keeps them recognisable.
    nextId: () => `4096000000000${++counter}`,
    open(query) {
      open.set(query.id, query);
    },
    answer(fields, time) {
      const query = open.get(fields.callback_query_id);
      if (!query) return { ok: false };
      open.delete(fields.callback_query_id);
      const answer: CallbackAnswer = { ...fields, query, time };
      answers.push(answer);
      return { ok: true, answer };
    },
    answers,
  };
}
