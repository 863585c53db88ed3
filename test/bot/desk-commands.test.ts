import { describe, expect, it } from "vitest";
import { parseOperatorCommand } from "../../bot/desk/index.ts";
import { OPERATOR_COMMANDS } from "../../handoff/index.ts";

describe("operator console commands as the desk's requests", () => {
  it("reads ids, targets and words, and leaves the rest at each command's default", () => {
    expect(parseOperatorCommand("take", "12")).toEqual({ kind: "take", ticketId: 12 });
    expect(parseOperatorCommand("take", "twelve")).toEqual({ kind: "take" });
    expect(parseOperatorCommand("close", " 7 ")).toEqual({ kind: "close", ticketId: 7 });
    expect(parseOperatorCommand("close", "")).toEqual({ kind: "close" });
    expect(parseOperatorCommand("transfer", "queue")).toEqual({ kind: "transfer", to: "queue" });
    expect(parseOperatorCommand("transfer", "601")).toEqual({ kind: "transfer", to: 601 });
    expect(parseOperatorCommand("transfer", "Анне")).toEqual({ kind: "transfer" });
    expect(parseOperatorCommand("shift", "on")).toEqual({ kind: "shift", on: true });
    expect(parseOperatorCommand("shift", "off")).toEqual({ kind: "shift", on: false });
    expect(parseOperatorCommand("shift", "maybe")).toEqual({ kind: "shift" });
    expect(parseOperatorCommand("note", "  звонила дважды ")).toEqual({
      kind: "note",
      text: "звонила дважды",
    });
    expect(parseOperatorCommand("kb", "смс")).toEqual({ kind: "kb", query: "смс" });
    expect(parseOperatorCommand("topic", "new")).toEqual({ kind: "topic", choice: "new" });
    expect(parseOperatorCommand("stats", "")).toEqual({ kind: "stats" });
  });

  it("knows every operator command the bot refuses to citizens", () => {
    for (const name of OPERATOR_COMMANDS) expect(parseOperatorCommand(name, "").kind).toBe(name);
  });

  it("takes an unknown command, or an object's own key, as a request for help", () => {
    for (const name of ["frobnicate", "constructor", "__proto__", "toString", ""]) {
      expect(parseOperatorCommand(name, "")).toEqual({ kind: "help" });
    }
  });
});
