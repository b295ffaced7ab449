import type { HttpRequest, HttpResponse, HttpTransport } from '../../../../nodes/core/http/http-transport';

/**
 * A transport whose answers to the requests `when` picks are changed by `reshape` (the real mock's answer in, the
 * answer the adapter gets out): a CRM, or a proxy in between, answering in a shape its API does not document.
 */
export function reshaped(http: HttpTransport, when: (req: HttpRequest) => boolean, reshape: (res: HttpResponse) => Partial<HttpResponse>): HttpTransport {
  return {
    ...(http.refreshAuth ? { refreshAuth: (failed?: HttpRequest) => http.refreshAuth!(failed) } : {}),
    async request(req) {
      const res = await http.request(req);
      return when(req) ? { ...res, ...reshape(res) } : res;
    },
  };
}

/** A transport that keeps every request it passes on in `into`: the exact requests an adapter sent, to hold to a vendor's reference. */
export function recorded(http: HttpTransport, into: HttpRequest[]): HttpTransport {
  return {
    ...http,
    request: (req) => {
      into.push(req);
      return http.request(req);
    },
  };
}

/** Requests whose method is `method` and whose URL path (no host, no query) ends with `pathEnd`. */
export const to = (method: HttpRequest['method'], pathEnd: string | RegExp) => (req: HttpRequest) =>
  req.method === method && (typeof pathEnd === 'string' ? req.url.replace(/\?.*$/, '').endsWith(pathEnd) : pathEnd.test(req.url.replace(/\?.*$/, '')));

export const PROXY_HTML = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>';
