import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.js';

/** How often every page refreshes its data. */
export const POLL_MS = 2000;

/** What {@link usePoll} gives a page. */
export interface Poll<T> {
  /** The latest data for the current key (kept while the server or Redis is away). */
  data: T | undefined;
  /** A lasting failure for the current key (404, 400, 403, 500); cleared by the next success. */
  error: ApiError | undefined;
  /** Loads now (e.g. after an action), then polls on from there. */
  refresh: () => Promise<void>;
}

/**
 * Loads data now and every `intervalMs` after each answer, while the page is visible: polling stops while
 * `document.visibilityState` is `hidden` and resumes (with an immediate load) when it is visible again.
 * Transient failures (Redis unavailable, server unreachable) keep the last data and keep polling, since the banner
 * reports them; a 400, 403 or 404 stops polling until the key changes.
 * @param key - what is loaded; a new key drops the old data and starts over
 * @param load - loads the data; gets an AbortSignal that fires when a newer load supersedes it
 * @param options - `enabled: false` pauses polling and keeps the data; `intervalMs` (default {@link POLL_MS})
 */
export function usePoll<T>(
  key: string,
  load: (signal: AbortSignal) => Promise<T>,
  options: { enabled?: boolean; intervalMs?: number } = {},
): Poll<T> {
  const { enabled = true, intervalMs = POLL_MS } = options;
  const [state, setState] = useState<{ key: string; data?: T; error?: ApiError } | null>(null);
  const loadRef = useRef(load);
  loadRef.current = load;
  const runRef = useRef<() => Promise<void>>(() => Promise.resolve());

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let current: AbortController | undefined;

    const schedule = () => {
      clearTimeout(timer);
      if (!stopped && enabled && document.visibilityState !== 'hidden') timer = setTimeout(run, intervalMs);
    };
    const run = async (): Promise<void> => {
      clearTimeout(timer);
      if (stopped) return;
      current?.abort();
      const controller = (current = new AbortController());
      let again = true;
      try {
        const data = await loadRef.current(controller.signal);
        if (controller.signal.aborted || stopped) return;
        setState({ key, data });
      } catch (err) {
        if (controller.signal.aborted || stopped) return;
        if (err instanceof ApiError && err.transient) return; // the banner says it; keep the data, poll on
        const error = err instanceof ApiError ? err : new ApiError(500, 'CLIENT', String(err));
        if (!(err instanceof ApiError)) console.error(err);
        again = ![400, 403, 404].includes(error.status);
        setState((s) => ({ key, data: s?.key === key ? s.data : undefined, error }));
      } finally {
        if (current === controller) {
          current = undefined;
          if (again) schedule();
        }
      }
    };
    runRef.current = run;

    const onVisibility = () => {
      if (document.visibilityState === 'hidden') {
        clearTimeout(timer);
      } else if (!current) {
        void run();
      }
    };
    if (enabled) {
      document.addEventListener('visibilitychange', onVisibility);
      if (document.visibilityState !== 'hidden') void run();
    }
    return () => {
      stopped = true;
      clearTimeout(timer);
      current?.abort();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [key, enabled, intervalMs]);

  const mine = state?.key === key ? state : undefined;
  return { data: mine?.data, error: mine?.error, refresh: () => runRef.current() };
}
