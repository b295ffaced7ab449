import { retryAfterMs } from '../http/retry-after';
import { HttpNetworkError, type HttpRequest, type HttpResponse, type HttpTransport } from '../http/http-transport';
import { pathOf } from '../http/url-path';
import { PushAuthError, PushTransientError, type TerminalVendor } from './terminal-push';

export interface CallRules {
  /** The settings field holding the credential, and how to fix it, for a 401/403. */
  credential: { field: string; fix: string };
  /** True for the request that starts a payment: without an answer nobody knows whether the reader has it. */
  startsPayment: boolean;
}

/**
 * One vendor request with the rules every terminal adapter shares: no answer, a 5xx or a 429 is transient; a 401
 * or 403 is an auth error for an operator. Every other answer comes back for the adapter to read, because each
 * vendor says "offline", "busy" or "declined" in its own 4xx bodies.
 */
export async function callVendor(vendor: TerminalVendor, http: HttpTransport, req: HttpRequest, rules: CallRules): Promise<HttpResponse> {
  let res: HttpResponse;
  try {
    res = await http.request(req);
  } catch (e) {
    if (e instanceof HttpNetworkError) {
      throw new PushTransientError(
        vendor,
        rules.startsPayment
          ? `no answer to ${req.method} ${pathOf(req.url)} (${e.message}); the reader may already show the sale — look at it before pushing again`
          : `no answer to ${req.method} ${pathOf(req.url)} (${e.message}); try again`,
        rules.startsPayment,
      );
    }
    throw e;
  }
  if (res.status === 401 || res.status === 403) {
    throw new PushAuthError(vendor, `${res.status} from ${req.method} ${pathOf(req.url)}: ${vendorSays(res.body)}`, rules.credential.field, rules.credential.fix);
  }
  if (res.status === 429) {
    throw new PushTransientError(vendor, `rate limit reached on ${req.method} ${pathOf(req.url)}; the sale was not sent, push again shortly`, false, retryAfterMs(res.headers, 2_000));
  }
  if (res.status >= 500) {
    throw new PushTransientError(
      vendor,
      `${res.status} from ${req.method} ${pathOf(req.url)}: ${vendorSays(res.body)}`,
      rules.startsPayment,
      res.headers['retry-after'] ? retryAfterMs(res.headers, 0) : undefined,
    );
  }
  return res;
}

/** The vendor's words for an error, short, for messages and logs (no request bodies, so no secrets or card data). */
export function vendorSays(body: unknown): string {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const error = b.error && typeof b.error === 'object' ? (b.error as Record<string, unknown>) : undefined;
    const errors = Array.isArray(b.errors) ? (b.errors as Array<Record<string, unknown>>) : undefined;
    const text = error?.message ?? errors?.[0]?.detail ?? errors?.[0]?.code ?? b.message ?? b.errorCode;
    if (typeof text === 'string') return text.slice(0, 300);
  }
  return (typeof body === 'string' ? body : JSON.stringify(body) ?? '').slice(0, 300);
}

