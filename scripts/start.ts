// npm start: the bot (bot/main.ts), and beside it in the same process the
// web console when CONSOLE_PORT is set (web/console/main.ts; `npm run
// console` runs it alone). The two never import each other: they share the
// database, and what the console says waits there for the bot to send.
if (process.env.CONSOLE_PORT?.trim()) {
  const { startConsole } = await import("../web/console/main.ts");
  try {
    const running = await startConsole();
    console.log(`The console is at ${running.publicUrl} (${running.address})`);
  } catch (error) {
    console.error(`Cannot start the console: ${(error as Error).message}`);
    process.exit(1);
  }
}
await import("../bot/main.ts");
