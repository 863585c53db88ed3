import {
  createStaff,
  createStore,
  createTicketService,
  type QuestionRecord,
  type SqlDatabase,
} from "../../../handoff/index.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;

const INTENTS = [
  "account.login_recovery",
  "account.registration",
  "account.identity_verification",
  "account.email_access",
  "application.status",
  "application.rejected",
  "attachments.requirements",
  "contacts.hotline",
  "contacts.all_channels",
  "contacts.mobile_app",
  "contacts.online_chat",
  "dept.pension",
  "dept.tax",
  "dept.social_insurance",
  "forms.filling_help",
  "hours.schedule",
  "hours.wait_time",
  "privacy.personal_data",
  "services.how_to_apply",
  "tech.site_problems",
  "support.prepare_data",
  "smalltalk.greeting",
  "smalltalk.thanks",
];

/** A small deterministic PRNG (mulberry32), so a seeded month is the same every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Fills `db` through the store and ticket APIs with `days` days before
 * `until` of a busy bot: about 1,000 questions a day (fewer at weekends),
 * 78% answered, 12% clarified, 10% escalated; 👍/👎 on some answers; a
 * third of escalations become tickets with waits of minutes to hours, 5%
 * cancelled, most rated. Returns what it wrote.
 */
export async function seedRealisticMonth(
  db: SqlDatabase,
  options: { until: number; days?: number; seed?: number },
) {
  const { until, days = 30, seed = 7 } = options;
  const rand = random(seed);
  let time = until - days * DAY;
  const now = () => time;
  const staff = createStaff(db, { now });
  for (let n = 1; n <= 6; n++) {
    const { member } = await staff.add({
      telegramUserId: 1000 + n,
      name: `Оператор ${n}`,
      role: n === 1 ? "supervisor" : "operator",
    });
    // Staff ids 1-6, in the order added: the month's tickets name them so.
    if (member.id !== n) throw new Error(`staff member ${n} got id ${member.id}`);
    await staff.setShift(n, true);
  }
  // Popular intents come first: a Zipf-like pick.
  const pickIntent = () => INTENTS[Math.floor(INTENTS.length * rand() ** 2.2)] as string;
  const logNormal = (median: number, spread: number) =>
    median *
    Math.exp(spread * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()));

  let questions = 0;
  let opened = 0;
  let chat = 1_000_000;
  const pending: { at: number; run: () => Promise<unknown> }[] = [];
  await db.transaction(async (tx) => {
    const store = createStore(tx, { now });
    const tickets = createTicketService(tx, { now });
    for (let d = 0; d < days; d++) {
      const dayStart = until - (days - d) * DAY;
      const weekend = new Date(dayStart).getUTCDay() % 6 === 0;
      const count = Math.round((weekend ? 550 : 1000) * (0.85 + 0.3 * rand()));
      for (let i = 0; i < count; i++) {
        time = dayStart + Math.floor(rand() * DAY);
        const roll = rand();
        const decision = roll < 0.78 ? "answer" : roll < 0.9 ? "clarify" : "escalate";
        const intent = pickIntent();
        const chatId = chat++;
        const record: QuestionRecord = {
          chatId,
          text: "Как восстановить пароль от Госуслуг?",
          language: "ru",
          decision,
          intent: decision === "answer" ? intent : null,
          confidence: 0.5 + rand() / 2,
          candidates: [{ intent, score: 0.6 }],
        };
        await store.recordQuestion(record);
        questions++;
        if (decision === "answer" && rand() < 0.08) {
          const unhelpfulOdds =
            intent.startsWith("tech.") || intent.startsWith("application.") ? 0.5 : 0.15;
          await store.recordFeedback(chatId, intent, rand() >= unhelpfulOdds);
        }
        if (decision === "escalate" && rand() < 0.35) {
          const ticket = await tickets.openTicket({
            chatId,
            language: "ru",
            question: record.text,
            topIntents: record.candidates,
          });
          if (!ticket.ok) continue;
          opened++;
          const id = ticket.ticket.id;
          const takenAt = time + Math.round(logNormal(4 * MINUTE, 1.1));
          if (rand() < 0.05) {
            pending.push({ at: takenAt - 1, run: () => tickets.cancel(chatId) });
            continue;
          }
          const operator = 1 + Math.floor(rand() * 6);
          const closedAt = takenAt + Math.round(logNormal(9 * MINUTE, 0.8));
          const rating =
            rand() < 0.65 ? Math.min(5, Math.max(1, Math.round(5.4 - 2.5 * rand() ** 2))) : 0;
          const solved = rand() < 0.8;
          pending.push({ at: takenAt, run: () => tickets.takeTicket(id, operator) });
          pending.push({
            at: closedAt,
            run: async () => {
              await tickets.close(id, operator);
              if (rating > 0) await tickets.rate(id, chatId, rating, solved);
            },
          });
        }
      }
    }
    // Later events of tickets happen at their own moments (some after `until`: still open now).
    for (const event of pending.sort((a, b) => a.at - b.at)) {
      if (event.at >= until) continue;
      time = event.at;
      await event.run();
    }
  });
  return { questions, opened };
}
