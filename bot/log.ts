import { type DestinationStream, type Logger, pino } from "pino";
import { maskPersonalData } from "../knowledge/index.ts";

function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return maskPersonalData(value);
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, depth + 1));
  if (value instanceof Error) return { type: value.name, message: maskPersonalData(value.message) };
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v, depth + 1)]));
}

/**
 * JSON logs (pino) with personal data (maskPersonalData: phone, SNILS, card,
 * passport and INN numbers, e-mail addresses) masked in every string, the
 * message and every field alike.
 *
 * @example createLogger("info").info({ text }, "question")
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "gosuslugi-help" },
      formatters: { log: (object) => maskDeep(object) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((arg) => (typeof arg === "string" ? maskPersonalData(arg) : arg));
          method.apply(this, masked as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
