import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpRequest } from '../../nodes/core/http/http-transport';
import { cloverApiStub } from './clover-events';
import { sumupApiStub } from './sumup-events';

/**
 * Clover and SumUp notifications only name a payment; the trigger then fetches it from the processor's REST API.
 * This server plays those two APIs on 127.0.0.1 for the simulated payments (the stubs of clover-events.ts and
 * sumup-events.ts), so every engine fetches them over HTTP exactly as it would from Clover or SumUp. Each base
 * URL carries "sandbox", which is how the Clover source tells a test account from a live one.
 */
export interface ProcessorApiServer {
  /** CLOVER_BASE_URL for the engines. */
  cloverBaseUrl: string;
  /** SUMUP_BASE_URL for the engines. */
  sumupBaseUrl: string;
  clover: ReturnType<typeof cloverApiStub>;
  sumup: ReturnType<typeof sumupApiStub>;
  /** Requests answered so far, per API (a refused token included). */
  served: { clover: number; sumup: number };
  close(): Promise<void>;
}

export interface ProcessorApiOptions {
  /** The bearer token Clover's API accepts (the merchant API token, CLOVER_API_TOKEN). */
  cloverApiToken: string;
  /** The bearer token SumUp's API accepts (SUMUP_ACCESS_TOKEN). */
  sumupAccessToken: string;
  /** Default: a free port. */
  port?: number;
}

const CLOVER_PREFIX = '/sandbox/clover';
const SUMUP_PREFIX = '/sandbox/sumup';

/** The 401 bodies each API documents for a missing or wrong token. */
const UNAUTHORIZED = {
  clover: { message: '401 Unauthorized' },
  sumup: { error_code: 'NOT_AUTHORIZED', message: 'Unauthorized' },
};

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startProcessorApiServer(o: ProcessorApiOptions): Promise<ProcessorApiServer> {
  const clover = cloverApiStub();
  const sumup = sumupApiStub();
  const served = { clover: 0, sumup: 0 };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const api = url.pathname.startsWith(`${CLOVER_PREFIX}/`) ? 'clover' : url.pathname.startsWith(`${SUMUP_PREFIX}/`) ? 'sumup' : undefined;
    if (!api) return send(res, 404, { message: `not an API of this sandbox; use ${CLOVER_PREFIX}/… or ${SUMUP_PREFIX}/…` });
    served[api]++;
    const token = api === 'clover' ? o.cloverApiToken : o.sumupAccessToken;
    if (req.headers.authorization !== `Bearer ${token}`) return send(res, 401, UNAUTHORIZED[api]);
    if (req.method !== 'GET') return send(res, 405, { message: 'the simulated API is read-only' });
    const request: HttpRequest = { method: 'GET', url: url.pathname, qs: Object.fromEntries(url.searchParams) };
    const stub = api === 'clover' ? clover : sumup;
    const answer = await stub.request(request);
    // The stubs keep every request for tests; a sandbox running for days must not.
    stub.requests.length = 0;
    send(res, answer.status, answer.body);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => send(res, 500, { message: (e as Error).message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, '127.0.0.1', () => resolve());
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    cloverBaseUrl: `${base}${CLOVER_PREFIX}`,
    sumupBaseUrl: `${base}${SUMUP_PREFIX}`,
    clover,
    sumup,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
