/** Server time minus browser time (ms), learnt from the overview's `now`; 0 until then. */
let offsetMs = 0;

/**
 * Learns the server's clock from a response that carries its `now`.
 * @param serverNow - the server's `now` (ms)
 * @param sentAt - browser time when the request was sent
 * @param receivedAt - browser time when the answer arrived
 */
export function learnServerTime(serverNow: number, sentAt: number, receivedAt: number): void {
  if (Number.isFinite(serverNow)) offsetMs = serverNow - (sentAt + receivedAt) / 2;
}

/** The server's time now (ms), for relative times that do not depend on the browser's clock being right. */
export function serverNow(): number {
  return Date.now() + offsetMs;
}
