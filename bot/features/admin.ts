import { Composer } from "grammy";
import type { BotContext } from "../context.ts";
import type { BotDeps } from "../deps.ts";
import { describeReload } from "../knowledge-source.ts";
import { readOr } from "../read-or.ts";

/**
 * Admin commands (supervisors): `/reload` loads the knowledge folder again
 * and says what happened, with the file and field of every error. For anyone
 * else the command passes on (to the operator console or the citizen side).
 */
export function createAdminFeature(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  // Roles unreadable (the database is down): nobody is a supervisor now.
  const admins = composer.chatType("private").filter((ctx) =>
    readOr(
      deps.handoff.storage,
      async () => {
        const member = await deps.handoff.staff.byTelegram(ctx.from.id);
        return member?.removedAt === null && member.role === "supervisor";
      },
      false,
    ),
  );
  admins.command("reload", async (ctx) => {
    const { reloadKnowledge } = deps;
    if (!reloadKnowledge) {
      await ctx.reply("Перезагрузка базы знаний здесь недоступна.");
      return;
    }
    deps.log.info({ user: ctx.from.id }, "knowledge reload asked");
    await ctx.reply(describeReload(await reloadKnowledge()), { parse_mode: "HTML" });
  });
  return composer;
}
