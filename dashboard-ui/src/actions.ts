import { useState } from 'preact/hooks';
import { errorMessage } from './api.js';

/** A page's actions: what runs now, the last failure (an alert) and the last outcome (a status line). */
export interface Actions {
  /** True while an action runs; the buttons are disabled meanwhile. */
  busy: boolean;
  /** The server's message for the last failed action. */
  error: string | undefined;
  /** What the last action did. */
  notice: unknown;
  /**
   * Runs an action: clears the last messages, shows the failure or the outcome, then calls `after`.
   * @param action - does the work; what it resolves with (text or markup) is shown as the outcome
   * @param refresh - whether to call `after` once it is over (default true)
   */
  run(action: () => Promise<unknown>, refresh?: boolean): Promise<void>;
  /** Shows a message as the outcome (e.g. one carried over from another page). */
  tell(notice: unknown): void;
  /** Hides the failure message. */
  dismiss(): void;
}

/**
 * State for a page's action buttons.
 * @param after - called after every action, done or failed (refreshes the page's data)
 */
export function useActions(after: () => unknown): Actions {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [notice, setNotice] = useState<unknown>(undefined);
  return {
    busy,
    error,
    notice,
    async run(action, refresh = true) {
      setBusy(true);
      setError(undefined);
      setNotice(undefined);
      try {
        const outcome = await action();
        if (outcome !== undefined) setNotice(outcome);
      } catch (err) {
        setError(errorMessage(err));
      } finally {
        setBusy(false);
        if (refresh) void after();
      }
    },
    tell: setNotice,
    dismiss: () => setError(undefined),
  };
}
