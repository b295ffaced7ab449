import type { HttpResponse } from '../../http/http-transport';
import { retryAfterMs } from '../../http/retry-after';
import { CrmRateLimitError } from './crm-errors';

/** A rolling 24 h window frees the oldest credits first: worth looking again within the hour. */
const CREDITS_RETRY_MS = 60 * 60 * 1000;
/** Concurrency frees as soon as one of the org's in-flight calls ends. */
const CONCURRENCY_RETRY_MS = 2_000;

/**
 * Reads Zoho's 429 TOO_MANY_REQUESTS, which Zoho sends for two different limits (v8 status codes: "the number of
 * API requests for the 24 hour period is exceeded or the concurrency limit of the user for the app is exceeded"):
 * - API credits per rolling 24 h: Zoho reports what is left in `X-API-CREDITS-REMAINING` once half is used; at 0
 *   nothing goes through until old calls age out of the window, so the outbox stops and an operator is told;
 * - concurrent calls per org and app (5 on Free up to 25; 10 for upserts of more than 10 records): wait briefly.
 * Zoho sends no Retry-After; one is honoured if a proxy adds it.
 */
export function readZohoRateLimit(res: HttpResponse, now: () => number = Date.now): CrmRateLimitError | undefined {
  const body = (res.body ?? {}) as { code?: unknown; message?: unknown };
  if (res.status !== 429 && body.code !== 'TOO_MANY_REQUESTS') return undefined;
  const said = typeof body.message === 'string' ? `: ${body.message}` : '';
  const credits = res.headers['x-api-credits-remaining'];
  if (credits !== undefined && credits.trim() !== '' && Number(credits) <= 0) {
    return new CrmRateLimitError(
      'zoho',
      `the org's API credits for the last 24 hours are used up${said}; see Setup → Developer Space → APIs → API usage, or buy add-on credits`,
      retryAfterMs(res.headers, CREDITS_RETRY_MS, now()),
      'stop',
      'API credits (rolling 24 h)',
    );
  }
  return new CrmRateLimitError('zoho', `too many concurrent calls${said}`, retryAfterMs(res.headers, CONCURRENCY_RETRY_MS, now()), 'wait', 'concurrency');
}
