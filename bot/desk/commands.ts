import type { OperatorRequest } from "../../handoff/index.ts";

/**
 * An operator console command as the desk's request: `/take 12` is
 * `parseOperatorCommand("take", "12")`, `{ kind: "take", ticketId: 12 }`.
 * Words a command does not know leave it at its default (`/shift maybe`
 * says whether one is on shift); a command nobody knows is help.
 *
 * @example parseOperatorCommand("transfer", "queue") // { kind: "transfer", to: "queue" }
 */
export function parseOperatorCommand(name: string, args: string): OperatorRequest {
  const words = args.trim();
  const id = /^\d+$/.test(words) ? Number(words) : undefined;
  const ticket = id === undefined ? {} : { ticketId: id };
  switch (name) {
    case "shift":
      return words === "on" || words === "off"
        ? { kind: "shift", on: words === "on" }
        : { kind: "shift" };
    case "take":
      return { kind: "take", ...ticket };
    case "close":
      return { kind: "close", ...ticket };
    case "transfer":
      return words === "queue"
        ? { kind: "transfer", to: "queue" }
        : { kind: "transfer", ...(id === undefined ? {} : { to: id }) };
    case "note":
      return { kind: "note", text: words };
    case "kb":
      return { kind: "kb", query: words };
    case "topic":
      return { kind: "topic", choice: words };
    case "tickets":
    case "queue":
    case "stats":
    case "reload":
      return { kind: name };
    default:
      return { kind: "help" };
  }
}
