import type { IExecuteFunctions, IHookFunctions, IHttpRequestOptions, IPollFunctions, IWebhookFunctions } from 'n8n-workflow';
import { HttpNetworkError, type HttpRequest, type HttpResponse, type HttpTransport } from '../../core/http/http-transport';

type Ctx = IExecuteFunctions | IWebhookFunctions | IHookFunctions | IPollFunctions;

/** How long a request waits for its answer when neither the caller nor the credential says. */
export const DEFAULT_N8N_HTTP_TIMEOUT_MS = 30_000;

export interface N8nHttpOptions {
  /**
   * How long a request waits when the request itself does not say (the credential's Timeout): n8n gives up then, so
   * a vendor that holds its answer does not hold the execution.
   */
  timeoutMs?: number;
  /**
   * false: the credential signs nothing (no `authenticate`, no OAuth2: Salesforce, Dynamics 365) and the core puts
   * its own token on each request (bearerTransport). n8n then sends the request as it is given, and a 401 comes back
   * to the core at once, which renews its token and retries, instead of n8n sending it again unchanged first.
   */
  authenticates?: boolean;
}

/**
 * The core's HttpTransport inside n8n: every request goes through `httpRequestWithAuthentication` with the
 * node's credential, so n8n adds the auth header and refreshes OAuth2 tokens as its users expect (or, for a
 * credential that signs nothing, carries the request the core signed).
 */
export function n8nHttpTransport(ctx: Ctx, credentialType: string, baseUrl?: string, o: N8nHttpOptions = {}): HttpTransport {
  const authenticates = o.authenticates ?? true;
  return {
    authenticates,
    async request(req: HttpRequest): Promise<HttpResponse> {
      const absolute = /^https?:\/\//i.test(req.url);
      const options: IHttpRequestOptions = {
        method: req.method,
        url: absolute || !baseUrl ? req.url : `${baseUrl.replace(/\/+$/, '')}/${req.url.replace(/^\/+/, '')}`,
        headers: { accept: 'application/json', ...req.headers },
        qs: req.qs as IHttpRequestOptions['qs'],
        body: req.body as IHttpRequestOptions['body'],
        json: req.body === undefined || (typeof req.body === 'object' && !Buffer.isBuffer(req.body)),
        timeout: req.timeoutMs ?? o.timeoutMs ?? DEFAULT_N8N_HTTP_TIMEOUT_MS,
        returnFullResponse: true,
        // n8n refreshes an OAuth2 token only when it sees the 401 as an error; the status comes back from the catch.
        // With nothing for n8n to refresh, every status is an answer (n8n would send a 401 again as it was).
        ignoreHttpStatusErrors: !authenticates,
      };
      try {
        const res = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, credentialType, options)) as {
          statusCode: number;
          headers: Record<string, string | string[]>;
          body: unknown;
        };
        return response(res.statusCode, res.headers, res.body);
      } catch (e) {
        // A 4xx/5xx after n8n's own refresh-and-retry is still an answer: the core reads the vendor's status and body.
        const answered = (e as { cause?: { response?: ErrorResponse }; response?: ErrorResponse }).cause?.response ?? (e as { response?: ErrorResponse }).response;
        if (answered && typeof answered.status === 'number') return response(answered.status, answered.headers, answered.data ?? answered.body);
        // Not a NodeApiError on purpose: the core's sources and CRM adapters turn "no answer" into their own typed
        // errors (retry later, 500 to the processor); the node that called the core wraps what comes out of it.
        // eslint-disable-next-line @n8n/community-nodes/require-node-api-error
        throw new HttpNetworkError(`${req.method} ${options.url}: ${(e as Error).message}`);
      }
    },
  };
}

interface ErrorResponse {
  status: number;
  headers?: Record<string, string | string[]>;
  data?: unknown;
  body?: unknown;
}

function response(status: number, rawHeaders: Record<string, string | string[]> | undefined, rawBody: unknown): HttpResponse {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawHeaders ?? {})) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  let body = rawBody;
  if (typeof body === 'string' && /json/i.test(headers['content-type'] ?? '')) {
    try {
      body = JSON.parse(body);
    } catch {
      // leave the text as it is
    }
  }
  return { status, headers, body };
}
