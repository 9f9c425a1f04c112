/**
 * Polls `probe` until `accept` holds or the deadline passes; throws with the last value seen.
 * This is how tests wait: on a condition with a deadline, never a fixed sleep.
 */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  accept: (value: T) => boolean = Boolean,
  { timeout = 15_000, interval = 10, what = 'condition' }: { timeout?: number; interval?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await probe();
      if (accept(last)) return last;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeout} ms waiting for ${what}; last value: ${JSON.stringify(last)}` +
          (lastError ? `; last error: ${(lastError as Error).message}` : ''),
      );
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}
