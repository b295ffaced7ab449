import axios, { AxiosError, type AxiosInstance } from 'axios';
import { HttpNetworkError, type HttpRequest, type HttpResponse, type HttpTransport } from './http-transport';
import { bearerTransport } from './bearer-transport';
import type { TokenCache } from './token-cache';

export interface AxiosTransportOptions {
  /** Every CRM's and processor's base URL is a setting (proxies, sandboxes, data centres). */
  baseUrl?: string;
  /** Adds the Authorization header; a TokenCache for OAuth flows, or a fixed header for API tokens. */
  auth?: { tokens: TokenCache; scheme?: string } | { header: string; value: string };
  /** Per request unless the request says otherwise. */
  timeoutMs?: number;
  /** Use the token's instance URL (Salesforce) as the base when there is one. */
  baseUrlFromToken?: boolean;
}

/**
 * HTTP outside n8n (Node-RED, the Temporal worker, the CLI): axios, the client the design names. With a TokenCache,
 * the core's token goes on each request through bearerTransport, the same wrapper the n8n face puts over n8n's helper.
 */
export function axiosTransport(options: AxiosTransportOptions = {}): HttpTransport {
  const auth = options.auth;
  if (auth && 'tokens' in auth) {
    const inner = axiosTransport({ baseUrl: options.baseUrl, timeoutMs: options.timeoutMs });
    return bearerTransport(inner, { tokens: auth.tokens, scheme: auth.scheme, baseUrl: options.baseUrl, baseUrlFromToken: options.baseUrlFromToken });
  }
  const client: AxiosInstance = axios.create({ validateStatus: () => true, maxRedirects: 0 });
  return {
    async request(req: HttpRequest): Promise<HttpResponse> {
      const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
      if (auth) headers[auth.header.toLowerCase()] = auth.value;
      const url = /^https?:\/\//i.test(req.url) ? req.url : `${(options.baseUrl ?? '').replace(/\/+$/, '')}/${req.url.replace(/^\/+/, '')}`;
      try {
        const res = await client.request({
          method: req.method,
          url,
          headers,
          params: req.qs,
          data: req.body,
          timeout: req.timeoutMs ?? options.timeoutMs ?? 30_000,
          responseType: 'text',
          transformResponse: (x: unknown) => x,
        });
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers ?? {})) if (v !== undefined && v !== null) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
        return { status: res.status, headers: out, body: parseBody(res.data as string | undefined, out['content-type']) };
      } catch (e) {
        if (e instanceof AxiosError) throw new HttpNetworkError(`${req.method} ${url}: ${e.message}`, e.code);
        throw e;
      }
    },
  };
}

function parseBody(text: string | undefined, contentType: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  if (contentType && !/json/i.test(contentType)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
