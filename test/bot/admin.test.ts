import { describe, expect, it } from "vitest";
import type { ReloadResult } from "../../bot/knowledge-source.ts";
import { addOperator } from "../handoff/staff-fixture.ts";
import { createHarness } from "./harness.ts";

const SUPERVISOR = { id: 700, first_name: "Вера", language_code: "ru" };
const OPERATOR = { id: 601, first_name: "Анна", language_code: "ru" };

async function setUp(result: ReloadResult) {
  let reloads = 0;
  const h = createHarness({
    reloadKnowledge: () => {
      reloads++;
      return result;
    },
  });
  await addOperator(h.handoff.staff, SUPERVISOR.id, "Вера", { role: "supervisor" });
  await addOperator(h.handoff.staff, OPERATOR.id, "Анна");
  return { h, reloads: () => reloads };
}

describe("admins' /reload", () => {
  it("reloads for a supervisor and says what changed", async () => {
    const { h, reloads } = await setUp({ ok: true, intents: 29, previousIntents: 28, ms: 400 });
    await h.handle(h.text("/reload", SUPERVISOR));
    expect(reloads()).toBe(1);
    expect(h.sent()).toEqual(["✅ База знаний обновлена: 29 интентов (было 28), 400 мс."]);
  });

  it("gives a supervisor the errors with file and field when the edit is refused", async () => {
    const { h } = await setUp({
      ok: false,
      issues: [
        {
          code: "invalid_field",
          file: "contacts.hotline.yaml",
          field: "answer.ru",
          message: "is too long",
        },
      ],
    });
    await h.handle(h.text("/reload", SUPERVISOR));
    expect(h.sent()[0]).toContain("• contacts.hotline.yaml: answer.ru: is too long");
  });

  it("does nothing for operators and citizens", async () => {
    const { h, reloads } = await setUp({ ok: true, intents: 28, previousIntents: 28, ms: 1 });
    await h.handle(h.text("/reload", OPERATOR));
    await h.handle(h.text("/reload"));
    await h.deliver();
    expect(reloads()).toBe(0);
    expect(h.sent().some((text) => text.includes("База знаний"))).toBe(false);
  });
});
