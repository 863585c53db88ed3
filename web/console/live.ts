import type { DeskEffect, DeskEffects, RecordedEffect, StaffRole } from "../../handoff/index.ts";

/** What a page is told of a change: enough to know what to fetch again, nothing personal. */
export interface LiveEvent {
  id: number;
  /** Whose effect: a citizen was told something, a staff member, or a shown thing changed. */
  to: DeskEffect["kind"];
  /** The notice's kind ("card": a new ticket; "from_citizen": a message…). */
  notice: string;
  ticketId?: number;
}

/** A connected page: whose it is, and how to send it an event. */
export interface LiveClient {
  staffId: number;
  role: StaffRole;
  send(event: LiveEvent): void;
}

/** Whether a staff member's page hears of an effect: supervisors of all, operators of theirs and the queue's. */
export function concerns(
  effect: DeskEffect,
  client: Pick<LiveClient, "staffId" | "role">,
): boolean {
  if (client.role === "supervisor") return true;
  // A card taken or cancelled, a topic settled: the queue everyone sees changed.
  if (effect.kind === "update") return true;
  return effect.kind === "staff" && effect.staffId === client.staffId;
}

const toEvent = ({ id, effect }: RecordedEffect): LiveEvent => ({
  id,
  to: effect.kind,
  notice: effect.notice.kind,
  ...(effect.ticketId !== undefined ? { ticketId: effect.ticketId } : {}),
});

export interface LiveFeedOptions {
  /** How often the feed is read without a wake-up (what another process said). Defaults to 100 ms. */
  pollMs?: number;
  /** Told of a read that failed (the database is away): the feed goes on trying. */
  onError?: (error: unknown) => void;
}

/**
 * Follows the desk's recorded effects, whichever process said them, and
 * passes each to the pages it concerns: one read a poll for the whole
 * process, however many pages are open. A page that reconnects fetches its
 * state again (nothing is replayed); the feed starts at the newest effect.
 *
 * @example const feed = createLiveFeed(() => repos.effects); feed.start(); feed.add(client);
 */
export function createLiveFeed(effects: () => DeskEffects, options: LiveFeedOptions = {}) {
  const { pollMs = 100, onError } = options;
  const clients = new Set<LiveClient>();
  let cursor: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let reading: Promise<void> | undefined;

  const read = async () => {
    cursor ??= await effects().latestId();
    for (;;) {
      const batch = await effects().after(cursor, 500);
      for (const recorded of batch) {
        cursor = recorded.id;
        const event = toEvent(recorded);
        for (const client of clients) {
          if (concerns(recorded.effect, client)) client.send(event);
        }
      }
      if (batch.length < 500) return;
    }
  };
  /** Reads what is new now (a wake-up), unless a read is under way. */
  const wake = () => {
    reading ??= read()
      .catch((error) => onError?.(error))
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };
  return {
    add(client: LiveClient) {
      clients.add(client);
      return () => void clients.delete(client);
    },
    get size() {
      return clients.size;
    },
    wake,
    async start() {
      await wake();
      timer = setInterval(wake, pollMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await reading;
      clients.clear();
    },
  };
}

export type LiveFeed = ReturnType<typeof createLiveFeed>;
