/** Reads a Retry-After header (seconds or an HTTP date) as milliseconds. */
export function retryAfterMs(headers: Record<string, string>, fallbackMs: number, now = Date.now()): number {
  const raw = headers['retry-after'];
  if (!raw) return fallbackMs;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const at = Date.parse(raw);
  return Number.isFinite(at) ? Math.max(0, at - now) : fallbackMs;
}
