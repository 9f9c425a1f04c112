/** A message for the next page to show (e.g. "Deleted job x" after Delete on a job page); read once. */
let pending: string | undefined;

/** Leaves a message for the next page. */
export function leaveFlash(message: string): void {
  pending = message;
}

/** Takes the message left for this page, if any. */
export function takeFlash(): string | undefined {
  const message = pending;
  pending = undefined;
  return message;
}
