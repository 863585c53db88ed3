import type { DecisionCounts } from "../ports.ts";

/** The decisions in stacking order, with their Russian names. */
export const DECISIONS: readonly { key: keyof DecisionCounts; name: string }[] = [
  { key: "answered", name: "Отвечено" },
  { key: "clarified", name: "Уточнено" },
  { key: "escalated", name: "Передано оператору" },
];

/** How an intent is shown: its title when the knowledge base has one. */
export type IntentTitle = (intentId: string) => string | undefined;
