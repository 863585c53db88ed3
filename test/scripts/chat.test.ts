import { describe, expect, it } from "vitest";
import { runScript } from "./run-script.ts";

describe("npm run chat", () => {
  it("answers, offers numbered follow-ups, and escalates what it cannot answer", () => {
    const { status, stdout } = runScript("chat.ts", [], {
      input: "как восстановить пароль\n1\nрецепт борща\nhow do I reset my password\n/quit\n",
    });
    expect(status).toBe(0);
    const turns = stdout.split("\n> ").slice(1);
    expect(turns).toHaveLength(5);
    expect(turns[0]).toContain("🔗");
    expect(turns[0]).toMatch(/\n {2}1\. /);
    expect(turns[1]).not.toContain("не нашёл");
    expect(turns[2]).toContain("передам его оператору");
    expect(turns[3]).toContain("Reset");
  });
});
