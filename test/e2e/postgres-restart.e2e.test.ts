import { afterEach, describe, expect, it } from "vitest";
import { TEXTS } from "../../bot/texts.ts";
import { createPostgresServer, type TestPostgresServer } from "../postgres/server.ts";
import { useBotProcess } from "./e2e-setup.ts";

const citizen = { id: 4201, first_name: "Олег", language_code: "ru" };
const WAIT = { timeoutMs: 40_000 };
const e2e = useBotProcess("e2e-pg-restart-");

let server: TestPostgresServer | undefined;
afterEach(async () => {
  await server?.remove();
  server = undefined;
});

describe("the bot on PostgreSQL when the server goes away and comes back", () => {
  it("answers from the knowledge base meanwhile, says so on /healthz, and reconnects by itself", async () => {
    const { double } = e2e;
    server = createPostgresServer();
    await server.start();
    const port = String(20_000 + Math.floor(Math.random() * 20_000));
    await e2e.launch({ DATABASE_URL: server.url, HEALTH_PORT: port });
    const health = async () => {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const answers = () =>
      double.calls.filter(
        (c) =>
          c.method === "sendMessage" && Number(c.params.chat_id) === citizen.id && c.response?.ok,
      );
    expect((await health()).status).toBe(200);

    // The citizen hears that nothing can be passed on now, and the knowledge
    // base answers without the database; /healthz says what is wrong.
    await server.stop();
    double.sendText(citizen, "телефон горячей линии");
    await double.waitFor(() => answers().length >= 2, WAIT);
    expect(String(answers()[0]?.params.text)).toContain(TEXTS.ru.storageFailure.slice(0, 40));
    expect(String(answers()[1]?.params.text)).toContain("8 800");
    expect((await health()).status).toBe(503);

    // The pool opens new connections by itself: a new question is answered,
    // and /healthz is 200 again once a write works.
    await server.start();
    double.sendText(citizen, "как восстановить пароль");
    await double.waitFor(() => answers().length >= 3, WAIT);
    const deadline = Date.now() + 30_000;
    let status = (await health()).status;
    while (status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      status = (await health()).status;
    }
    expect(status).toBe(200);
  });
});
