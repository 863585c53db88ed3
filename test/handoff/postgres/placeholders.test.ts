import { describe, expect, it } from "vitest";
import { toPositional } from "../../../handoff/postgres/placeholders.ts";

describe("toPositional", () => {
  it("numbers positional placeholders in order", () => {
    expect(toPositional("SELECT * FROM t WHERE a = ? AND b = ?")).toEqual({
      text: "SELECT * FROM t WHERE a = $1 AND b = $2",
      order: [0, 1],
    });
  });

  it("gives a name used twice one number", () => {
    expect(
      toPositional("UPDATE t SET at = :now WHERE due <= :now AND (:chat IS NULL OR c = :chat)"),
    ).toEqual({
      text: "UPDATE t SET at = $1 WHERE due <= $1 AND ($2 IS NULL OR c = $2)",
      order: ["now", "chat"],
    });
  });

  it("leaves casts, literals, quoted identifiers and comments alone", () => {
    const text = `SELECT ':x', 'it''s ?', "col?", n::bigint -- a ? here
      /* :y ? */ FROM t WHERE a = :a`;
    expect(toPositional(text)).toEqual({
      text: `SELECT ':x', 'it''s ?', "col?", n::bigint -- a ? here
      /* :y ? */ FROM t WHERE a = $1`,
      order: ["a"],
    });
  });
});
