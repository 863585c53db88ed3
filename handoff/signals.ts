import { EventEmitter } from "node:events";

/**
 * Wake-ups between the bot's processes: "the outbox has rows", "the
 * knowledge base changed". A signal carries no data that must arrive: it may
 * be lost (a broken connection), so every listener also polls as a
 * backstop, and is told `resync` after a gap in which signals may have been
 * missed.
 */
export interface Signals {
  /** Tells every process, this one included. */
  publish(channel: string, payload?: string): Promise<void>;
  /** Calls `listener` with each signal's payload on `channel`; returns the unsubscribe. */
  subscribe(channel: string, listener: (payload: string) => void): () => void;
  /** Calls `listener` after signals may have been missed (the connection came back). */
  onResync(listener: () => void): () => void;
  close(): Promise<void>;
}

/**
 * Signals within one process: the SQLite deployment, where one process is
 * the only one.
 *
 * @example const signals = createLocalSignals(); signals.subscribe("outbox", wake);
 */
export function createLocalSignals(): Signals {
  const checked = (channel: string) => signalChannel(channel);
  const events = new EventEmitter();
  events.setMaxListeners(0);
  return {
    publish: async (channel, payload = "") => {
      events.emit(`signal:${checked(channel)}`, payload);
    },
    subscribe: (channel, listener) => {
      events.on(`signal:${checked(channel)}`, listener);
      return () => events.off(`signal:${channel}`, listener);
    },
    onResync: (listener) => {
      events.on("resync", listener);
      return () => events.off("resync", listener);
    },
    close: async () => {
      events.removeAllListeners();
    },
  };
}

/** Returns `channel` if it is a channel name (letters, digits, underscores), or throws. */
export function signalChannel(channel: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`Not a signal channel name: ${channel}`);
  return channel;
}
