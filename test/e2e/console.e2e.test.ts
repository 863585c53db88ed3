import { join } from "node:path";
import { expect, it } from "vitest";
import { createStaff, createStaffAccounts, newToken, tokenHash } from "../../handoff/index.ts";
import { openStorage } from "../../handoff/storage/index.ts";
import { textOf } from "../bot-api-double/index.ts";
import { freePort } from "../free-port.ts";
import { useBotProcess } from "./e2e-setup.ts";

const e2e = useBotProcess("e2e-console-");
const citizen = { id: 3101, first_name: "Анна", language_code: "ru" };

it("npm start with CONSOLE_PORT serves the console beside the bot: a reply typed in it reaches the citizen in Telegram", async () => {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const database = join(e2e.dir, "bot.sqlite");
  const bot = await e2e.launch(
    { DATABASE_PATH: database, CONSOLE_PORT: String(port), CONSOLE_URL: origin },
    { program: "scripts/start.ts", throughTsx: true },
  );
  const { double } = e2e;

  // An operator's account, made as `npm run admin -- staff add` does.
  const db = await openStorage({ engine: "sqlite", path: database }, { create: false });
  const { member } = await createStaff(db).add({ login: "olga", name: "Ольга", role: "operator" });
  const link = newToken();
  await createStaffAccounts(db).invite(member.id, tokenHash(link), Date.now() + 60_000);
  await db.close();

  const welcome = await fetch(`${origin}/api/welcome`, {
    method: "POST",
    headers: { "content-type": "application/json", origin },
    body: JSON.stringify({ token: link, password: "correct horse battery staple" }),
  });
  expect(welcome.status).toBe(200);
  const cookie = (welcome.headers.get("set-cookie") ?? "").split(";")[0] as string;
  const { csrfToken } = (await welcome.json()) as { csrfToken: string };
  const call = async (path: string, body?: object) =>
    (await fetch(`${origin}${path}`, {
      method: body ? "POST" : "GET",
      headers: {
        cookie,
        origin,
        ...(body ? { "content-type": "application/json", "x-csrf-token": csrfToken } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    }).then((r) => r.json())) as Record<string, unknown>;
  expect(await call("/api/shift", { on: true })).toEqual({ ok: true, onShift: true });

  // The citizen asks what the bot cannot answer, in Telegram, and confirms.
  let since = double.calls.length;
  double.sendText(citizen, "какая погода завтра в Москве");
  const offer = await double.waitForMessage(
    (m) => m.chat.id === citizen.id && JSON.stringify(m.reply_markup ?? {}).includes("hy"),
    { since, timeoutMs: 10_000 },
  );
  double.pressButton(citizen, offer, "hy");
  await double.waitForMessage((m) => m.chat.id === citizen.id && textOf(m).includes("передано"), {
    since,
    timeoutMs: 10_000,
  });
  const queue = (await call("/api/queue")) as { waiting: { id: number }[] };
  const id = queue.waiting[0]?.id as number;
  expect(id).toBeGreaterThan(0);

  since = double.calls.length;
  expect(await call(`/api/tickets/${id}/take`, {})).toEqual({ ok: true });
  expect(
    await call(`/api/tickets/${id}/reply`, { text: "Здравствуйте, это Ольга из браузера" }),
  ).toEqual({
    ok: true,
  });
  await double.waitForMessage(
    (m) => m.chat.id === citizen.id && textOf(m).includes("Ольга из браузера"),
    {
      since,
      timeoutMs: 10_000,
    },
  );

  // The citizen answers in Telegram; the console's transcript has it.
  double.sendText(citizen, "Спасибо, жду");
  await expect
    .poll(
      async () =>
        ((await call(`/api/tickets/${id}`)) as { messages: { text: string }[] }).messages.map(
          (m) => m.text,
        ),
      { timeout: 10_000 },
    )
    .toContain("Спасибо, жду");
  expect(await bot.stop("SIGTERM")).toBe(0);
  await expect(fetch(`${origin}/healthz`)).rejects.toThrow();
});
