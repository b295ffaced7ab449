import type { HttpResponse } from '../../http/http-transport';
import { retryAfterMs } from '../../http/retry-after';
import { CrmRateLimitError } from './crm-errors';

/** Pipedrive's burst window (docs: "core-api-concepts-rate-limiting"): rolling, 2 seconds, per token. */
export const PIPEDRIVE_WINDOW_MS = 2000;

/**
 * Reads Pipedrive's 429. Two limits answer 429 alike (rate-limiting docs):
 * - the burst limit per token per rolling 2 s: wait `Retry-After`, else `x-ratelimit-reset` seconds, else one window;
 * - the company's daily token budget (token-based rate limiting): while `x-daily-ratelimit-token-remaining` is 0 every
 *   request is refused until the budget resets at midnight server time, so retrying only burns more — stop and tell
 *   someone. The older POST/PUT fair-use cap (`x-daily-requests-left`, API-token requests) reads the same way.
 * Pipedrive also warns that integrations which keep calling after a 429 get blocked outright.
 */
export function readPipedriveRateLimit(res: HttpResponse, now: () => number = Date.now): CrmRateLimitError | undefined {
  if (res.status !== 429) return undefined;
  const h = res.headers;
  const body = res.body as { error?: unknown } | undefined;
  const said = typeof body?.error === 'string' ? `: ${body.error}` : '';
  if (exhausted(h['x-daily-ratelimit-token-remaining']) || exhausted(h['x-daily-requests-left'])) {
    return new CrmRateLimitError(
      'pipedrive',
      `the company's daily API budget is used up${said}; nothing more goes out until it resets at midnight (Pipedrive server time) — see Company settings → API usage, or buy a top-up`,
      msUntilUtcMidnight(now()),
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
