import { HttpNetworkError, type HttpRequest, type HttpResponse, type HttpTransport } from '../../http/http-transport';
import { retryAfterMs } from '../../http/retry-after';
import { CrmAuthError, CrmNoAnswerError, CrmRateLimitError, CrmTransientError } from './crm-errors';

export interface CallOptions {
  /** The vendor's reading of a 429 (or of its own rate-limit body on another status); default: wait for Retry-After. */
  rateLimit?: (res: HttpResponse) => CrmRateLimitError | undefined;
  /** A 403 the vendor gives for one record (not the credential): handed back for the adapter to read. */
  recordForbidden?: (req: HttpRequest, res: HttpResponse) => boolean;
  /**
   * A 401 or 403 refusing this one request, not the credential (Zoho's OAUTH_SCOPE_MISMATCH: a scope the token
   * lacks): handed back as it is, for the adapter to read, without the refresh that would only mint a token of the
   * same scopes.
   */
  refused?: (res: HttpResponse) => boolean;
}

/**
 * One CRM request with the rules every adapter shares: a 401 refreshes the token once and retries; a second 401
 * (or a 403) is an auth error for an operator; no answer or a 5xx is transient; a 429 is a rate limit. 2xx and the
 * other 4xx come back for the adapter to read (per-record validation errors live in them).
 */
export async function callCrm(crm: string, http: HttpTransport, req: HttpRequest, options: CallOptions = {}): Promise<HttpResponse> {
  let res = await send(crm, http, req);
  if ((res.status === 401 || res.status === 403) && options.refused?.(res)) return res;
  if (res.status === 401 && http.refreshAuth) {
    await http.refreshAuth(req);
    res = await send(crm, http, req);
  }
  const limited = options.rateLimit?.(res);
  if (limited) throw limited;
  if (res.status === 429) {
    throw new CrmRateLimitError(crm, `rate limit reached (${req.method} ${req.url})`, retryAfterMs(res.headers, 10_000), 'wait');
  }
  if (res.status === 403 && options.recordForbidden?.(req, res)) return res;
  if (res.status === 401 || res.status === 403) {
    throw new CrmAuthError(crm, `${res.status} on ${req.method} ${req.url}: ${describeBody(res.body)} — check the credential (token, scopes, permissions)`);
  }
  if (res.status >= 500) {
    throw new CrmTransientError(crm, `${res.status} on ${req.method} ${req.url}: ${describeBody(res.body)}`, res.headers['retry-after'] ? retryAfterMs(res.headers, 0) : undefined);
  }
  return res;
}

async function send(crm: string, http: HttpTransport, req: HttpRequest): Promise<HttpResponse> {
  try {
    return await http.request(req);
  } catch (e) {
    if (e instanceof HttpNetworkError) throw new CrmNoAnswerError(crm, `no answer from ${req.method} ${req.url}: ${e.message}`);
    throw e;
  }
}

export function describeBody(body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return (text ?? '').slice(0, 300);
}
