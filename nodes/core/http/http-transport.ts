/**
 * HTTP as the core sees it. The face provides the implementation: n8n's `httpRequestWithAuthentication` (n8n's
 * credentials and OAuth refresh), axios elsewhere (nodes/core/http/axios-transport.ts). The core never imports an
 * HTTP client, so a vendor adapter runs unchanged in every engine.
 */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absolute URL, or a path the transport resolves against its base URL. */
  url: string;
  headers?: Record<string, string>;
  /** Query string parameters. */
  qs?: Record<string, string | number | boolean | undefined>;
  /** An object is sent as JSON; a string or Buffer as it is (set content-type yourself). */
  body?: unknown;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Parsed JSON where the answer was JSON, else the text. */
  body: unknown;
}

/**
 * Sends one request and returns the answer whatever its status (a 4xx/5xx is a response, not an exception);
 * throws only when no answer came (timeout, connection refused), as an HttpNetworkError.
 */
export interface HttpTransport {
  request(req: HttpRequest): Promise<HttpResponse>;
  /**
   * Called once after a 401: drop the cached token and fetch a new one. Transports whose engine refreshes by
   * itself (n8n's OAuth2 credentials) may leave it out. `failed` is the request the 401 answered: a token renewed by
   * another caller since that request left is kept, not dropped again for a login of its own.
   */
  refreshAuth?(failed?: HttpRequest): Promise<void>;
  /**
   * The transport signs each request with the credential itself (n8n's httpRequestWithAuthentication, whose
   * credential exchanges and refreshes its own tokens): the caller's Authorization header is replaced, so a caller
   * fetches no token of its own.
   */
  readonly authenticates?: boolean;
}

export class HttpNetworkError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'HttpNetworkError';
  }
}

export function headerOf(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  // Object.keys, not entries: every webhook reads its signature header here, and a pair per header was most of it.
  for (const k of Object.keys(headers)) {
    if (k.toLowerCase() !== wanted) continue;
    const v = headers[k];
    return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}
