import type { HttpResponse } from '../../http/http-transport';
import { retryAfterMs } from '../../http/retry-after';
import { CrmRateLimitError } from './crm-errors';

/** Pipedrive's burst window (docs: "core-api-concepts-rate-limiting"): rolling, 2 seconds, per token. */
export const PIPEDRIVE_WINDOW_MS = 2000;

/** No burst window asks for this long a wait: a 429 that does is the daily budget, whatever headers came with it. */
const LONGEST_BURST_WAIT_MS = 60_000;

/**
 * Reads Pipedrive's 429. Two limits answer 429 alike (rate-limiting docs):
 * - the burst limit per token per rolling 2 s: wait `Retry-After`, else `x-ratelimit-reset` seconds, else one window;
 * - the company's daily token budget (token-based rate limiting): while `x-daily-ratelimit-token-remaining` is 0 every
 *   request is refused until the budget resets at midnight server time, so retrying only burns more — stop and tell
 *   someone. The older POST/PUT fair-use cap (`x-daily-requests-left`, API-token requests) reads the same way.
 *   Pipedrive documents neither the daily 429's body nor its `Retry-After`, and its own staff say the token headers
 *   can be missing for a few requests, so a 429 whose error names the daily budget, or whose `Retry-After` is longer
 *   than any burst window, is the budget too; a `Retry-After` that long says when it resets, else midnight UTC.
 * Pipedrive also warns that integrations which keep calling after a 429 get blocked outright.
 */
export function readPipedriveRateLimit(res: HttpResponse, now: () => number = Date.now): CrmRateLimitError | undefined {
  if (res.status !== 429) return undefined;
  const h = res.headers;
  const body = res.body as { error?: unknown } | undefined;
  const said = typeof body?.error === 'string' ? `: ${body.error}` : '';
  const retryAfter = h['retry-after'] ? retryAfterMs(h, 0, now()) : 0;
  const longWait = retryAfter > LONGEST_BURST_WAIT_MS;
  const namesBudget = typeof body?.error === 'string' && /\b(daily|budget)\b/i.test(body.error);
  if (exhausted(h['x-daily-ratelimit-token-remaining']) || exhausted(h['x-daily-requests-left']) || namesBudget || longWait) {
    return new CrmRateLimitError(
      'pipedrive',
      `the company's daily API budget is used up${said}; nothing more goes out until it resets${longWait ? '' : ' at midnight (Pipedrive server time)'} — see Company settings → API usage, or buy a top-up`,
      longWait ? retryAfter : msUntilUtcMidnight(now()),
      'stop',
      'daily token budget',
    );
  }
  const reset = Number(h['x-ratelimit-reset']);
  const fallback = Number.isFinite(reset) && reset > 0 ? reset * 1000 : PIPEDRIVE_WINDOW_MS;
  return new CrmRateLimitError('pipedrive', `burst rate limit reached${said}`, Math.max(retryAfterMs(h, fallback, now()), 1), 'wait', 'burst (2-second window)');
}

function exhausted(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== '' && Number(value) <= 0;
}

function msUntilUtcMidnight(at: number): number {
  const d = new Date(at);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1) - at;
}
