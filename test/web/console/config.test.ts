import { describe, expect, it } from "vitest";
import { ConsoleConfigError, consoleConfigOf } from "../../../web/console/config.ts";
import { PASSWORD, setUpConsole } from "./fixture.ts";

describe("the console's settings", () => {
  it("default to this machine, where localhost and 127.0.0.1 are both the console", () => {
    const config = consoleConfigOf({});
    expect(config).toMatchObject({
      host: "127.0.0.1",
      port: 8080,
      publicUrl: "http://localhost:8080",
      alsoOrigins: ["http://127.0.0.1:8080"],
      secureCookies: false,
      idleMs: 30 * 60_000,
    });
    expect(consoleConfigOf({ CONSOLE_PORT: "9000" }).alsoOrigins).toEqual([
      "http://127.0.0.1:9000",
    ]);
  });

  it("take CONSOLE_URL as the one origin, Secure cookies behind https, and refuse unusable values", () => {
    const config = consoleConfigOf({
      CONSOLE_URL: "https://console.example.org/",
      CONSOLE_IDLE_MINUTES: "15",
    });
    expect(config).toMatchObject({
      publicUrl: "https://console.example.org",
      alsoOrigins: [],
      secureCookies: true,
      idleMs: 15 * 60_000,
    });
    for (const env of [
      { CONSOLE_PORT: "http" },
      { CONSOLE_PORT: "70000" },
      { CONSOLE_URL: "not a url" },
      { CONSOLE_URL: "ftp://x.org" },
      { CONSOLE_IDLE_MINUTES: "0" },
    ]) {
      expect(() => consoleConfigOf(env), JSON.stringify(env)).toThrow(ConsoleConfigError);
    }
  });

  it("accept changes from the loopback origin beside localhost, and from nowhere else", async () => {
    const console = await setUpConsole("http://localhost:8080", {
      alsoOrigins: ["http://127.0.0.1:8080"],
    });
    await console.handoff.staff.add({ login: "olga", name: "Ольга", role: "operator" });
    const attempt = (origin: string) =>
      console.app.inject({
        method: "POST",
        url: "/api/sign-in",
        headers: { origin },
        payload: { login: "olga", password: PASSWORD },
      });
    expect((await attempt("http://127.0.0.1:8080")).json()).toMatchObject({ error: "wrong" });
    expect((await attempt("http://127.0.0.2:8080")).json()).toMatchObject({ error: "origin" });
    await console.app.close();
  });
});
