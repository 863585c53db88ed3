/**
 * The commands of the operator console (the desk's, and the supervisors'
 * `/reload` in the bot). From anyone else they are refused and audited, never
 * read as a question.
 */
export const OPERATOR_COMMANDS = [
  "shift",
  "take",
  "tickets",
  "note",
  "kb",
  "transfer",
  "close",
  "topic",
  "queue",
  "stats",
  "reload",
] as const;

export type OperatorCommand = (typeof OPERATOR_COMMANDS)[number];

/** Whether `name` (lowercase, without the slash) is an operator command. */
export function isOperatorCommand(name: string): name is OperatorCommand {
  return (OPERATOR_COMMANDS as readonly string[]).includes(name);
}
