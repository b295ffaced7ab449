import axios, { AxiosError, type AxiosInstance } from 'axios';
import { HttpNetworkError, type HttpRequest, type HttpResponse, type HttpTransport } from './http-transport';
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

/** HTTP outside n8n (Node-RED, the Temporal worker, the CLI): axios, the client the design names. */
export function axiosTransport(options: AxiosTransportOptions = {}): HttpTransport {
  const client: AxiosInstance = axios.create({ validateStatus: () => true, maxRedirects: 0 });
  const auth = options.auth;
  return {
    async request(req: HttpRequest): Promise<HttpResponse> {
      const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
      let base = options.baseUrl;
      if (auth && 'tokens' in auth) {
        const t = await auth.tokens.get();
        headers.authorization = `${auth.scheme ?? 'Bearer'} ${t.token}`;
        if (options.baseUrlFromToken && t.instanceUrl) base = t.instanceUrl;
      } else if (auth) {
        headers[auth.header.toLowerCase()] = auth.value;
      }
      const url = /^https?:\/\//i.test(req.url) ? req.url : `${(base ?? '').replace(/\/+$/, '')}/${req.url.replace(/^\/+/, '')}`;
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
    refreshAuth: auth && 'tokens' in auth ? async () => void (await auth.tokens.renew()) : undefined,
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
