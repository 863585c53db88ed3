import type { Incident } from "./incident-model.ts";
import type { Signals } from "./signals.ts";

/** The signal a change of incidents is published on (the console's post, update, end). */
export const INCIDENTS_SIGNAL = "incidents";

/**
 * The active incidents a process answers with, kept in memory (a question
 * reads them without a query): loaded at start, again at each incidents
 * signal and after a resync, and by a short poll as the backstop (a signal
 * may be lost, and on SQLite the console is another process no signal
 * reaches).
 */
export interface ActiveIncidents {
  /** The incidents active at the last load, oldest posted first. */
  current(): readonly Incident[];
  /** Loads them again now; resolves when loaded (a load under way is waited for, then done again). */
  refresh(): Promise<void>;
  /** Loads them, then follows the signal and the poll. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ActiveIncidentsOptions {
  /** The backstop poll's period in ms. Defaults to 1,000 (as the desk effects' poll). */
  pollMs?: number;
  /** Told when a load fails (the previous incidents stay). */
  onError?: (error: unknown) => void;
}

/**
 * Keeps the active incidents of `load` in memory, following `signals`.
 *
 * @example const incidents = followIncidents(() => repos.incidents.active(), wakeUps); await incidents.start();
 */
export function followIncidents(
  load: () => Promise<Incident[]>,
  signals: Signals | undefined,
  options: ActiveIncidentsOptions = {},
): ActiveIncidents {
  const { pollMs = 1_000, onError } = options;
  let active: readonly Incident[] = [];
  let loading: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  const unsubscribes: (() => void)[] = [];
  const loadOnce = async () => {
    try {
      active = await load();
    } catch (error) {
      onError?.(error);
    }
  };
  // One load at a time; a signal during a load loads once more after it, so
  // a change committed meanwhile is not missed.
  const refresh = (): Promise<void> => {
    if (loading) {
      again = true;
      return loading;
    }
    loading = (async () => {
      do {
        again = false;
        await loadOnce();
      } while (again);
    })().finally(() => {
      loading = undefined;
    });
    return loading;
  };
  const wake = () => void refresh();
  return {
    current: () => active,
    refresh,
    start: async () => {
      await refresh();
      if (signals) {
        unsubscribes.push(signals.subscribe(INCIDENTS_SIGNAL, wake), signals.onResync(wake));
      }
      timer = setInterval(wake, pollMs);
      timer.unref();
    },
    stop: async () => {
      clearInterval(timer);
      for (const unsubscribe of unsubscribes.splice(0)) unsubscribe();
      await loading;
    },
  };
}
