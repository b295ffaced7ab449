import type { HttpRequest, HttpResponse, HttpTransport } from './http-transport';
import type { AccessToken, TokenCache } from './token-cache';

export interface BearerTransportOptions {
  /** The access token to send, fetched and cached by the core (one token for every call until it expires or a 401). */
  tokens: TokenCache;
  /** The Authorization scheme; Zoho wants `Zoho-oauthtoken`. */
  scheme?: string;
  /** A relative path is resolved against this base. */
  baseUrl?: string;
  /** Resolve against the instance URL the token names (Salesforce's instance_url, Zoho's api_domain) when it names one. */
  baseUrlFromToken?: boolean;
}

/**
 * The core's own OAuth token on any transport: each request leaves with `Authorization: <scheme> <token>` and, when
 * its URL is a path, the base URL (or the token's instance URL) in front; a 401 renews the token it was sent with
 * (`refreshAuth`, which callCrm calls once). The inner transport only carries the request: axios outside n8n, n8n's
 * httpRequestWithAuthentication with a credential that signs nothing inside n8n (Salesforce, Dynamics 365).
 */
export function bearerTransport(inner: HttpTransport, options: BearerTransportOptions): HttpTransport {
  const { tokens } = options;
  // The token each request left with, so a 401 renews only that one (another caller may have renewed it since).
  const sentWith = new WeakMap<HttpRequest, AccessToken>();
  return {
    async request(req: HttpRequest): Promise<HttpResponse> {
      const t = await tokens.get();
      sentWith.set(req, t);
      const base = options.baseUrlFromToken && t.instanceUrl ? t.instanceUrl : options.baseUrl;
      return inner.request({ ...req, url: resolveUrl(base, req.url), headers: { ...req.headers, authorization: `${options.scheme ?? 'Bearer'} ${t.token}` } });
    },
    refreshAuth: async (failed?: HttpRequest) => void (await tokens.renew(failed && sentWith.get(failed))),
  };
}

/** An absolute URL as it is; a path after `base` (one slash between), or as it is when there is no base to put before it. */
export function resolveUrl(base: string | undefined, url: string): string {
  if (/^https?:\/\//i.test(url) || base === undefined) return url;
  return `${base.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
}
