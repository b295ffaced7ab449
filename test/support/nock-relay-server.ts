import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';

type Nock = typeof import('nock', { with: { 'resolution-mode': 'import' } }).default;

export interface NockRelayOptions {
  /**
   * The vendor base URL the contract mock intercepts (e.g. `https://api.hubapi.com`), or a function picking it per
   * request path (a CRM whose token endpoint is on another host than its API).
   */
  target: string | ((path: string) => string);
  /**
   * Leave nock's net-connect setting as it is. By default the relay turns real network off except loopback, so a
   * request the mock does not match fails here instead of reaching the vendor; `close()` turns it back on.
   */
  keepNetConnect?: boolean;
}

export interface RelayedCall {
  method: string;
  path: string;
  status: number;
}

export interface NockRelay {
  /** Where an engine in another process sends the CRM's requests instead of the vendor's base URL. */
  url: string;
  calls: RelayedCall[];
  /**
   * Keeps every request that arrives from now on unanswered until `release()`, so a test can have an engine's CRM
   * call in flight at a chosen moment (while it kills a server, say); `waiting()` counts the requests held.
   */
  hold(): RelayHold;
  close(): Promise<void>;
}

export interface RelayHold {
  waiting(): number;
  release(): void;
}

// Hop-by-hop headers and the ones the re-issued request or the reply sets for itself.
const DROPPED = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'proxy-connection', 'upgrade']);

/**
 * A loopback HTTP server in the test process that replays every request it gets (method, path and query, headers,
 * body) to the vendor's base URL with Node's http/https, where the in-process nock contract mocks
 * (test/core/crm/saas/mocks/) intercept it, and answers with the mock's status, headers and body. An engine in
 * another process (n8n, Node-RED, the Temporal worker) reaches a contract mock by taking the relay's URL as the
 * CRM's base URL. A failure to reach the mock is answered 502 with the reason as text.
 */
export async function startNockRelay(options: NockRelayOptions): Promise<NockRelay> {
  const nock: Nock = (await import('nock')).default;
  if (!options.keepNetConnect) {
    nock.disableNetConnect();
    nock.enableNetConnect((host: string) => /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host));
  }
  const calls: RelayedCall[] = [];
  let held: { waiting: number; released: Promise<void> } | undefined;
  const server = createServer((req, res) => {
    const gate = held;
    if (!gate) return void relay(req, res, options, calls);
    gate.waiting++;
    void gate.released.then(() => relay(req, res, options, calls));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    hold: () => {
      let release!: () => void;
      const gate = { waiting: 0, released: new Promise<void>((r) => (release = r)) };
      held = gate;
      return {
        waiting: () => gate.waiting,
        release: () => {
          if (held === gate) held = undefined;
          release();
        },
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (!options.keepNetConnect) nock.enableNetConnect();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function relay(req: IncomingMessage, res: ServerResponse, options: NockRelayOptions, calls: RelayedCall[]): Promise<void> {
  const path = req.url ?? '/';
  const method = req.method ?? 'GET';
  try {
    const body = await readAll(req);
    const base = typeof options.target === 'function' ? options.target(path) : options.target;
    const answer = await forward(new URL(path, base.replace(/\/+$/, '') + '/'), method, req.headers, body);
    calls.push({ method, path, status: answer.status });
    res.writeHead(answer.status, answer.headers).end(answer.body);
  } catch (err) {
    calls.push({ method, path, status: 502 });
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`nock relay: ${(err as Error).message}`);
  }
}

function forward(url: URL, method: string, headers: IncomingHttpHeaders, body: Buffer): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !DROPPED.has(k)) out[k] = v;
  if (body.length > 0) out['content-length'] = String(body.length);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = send(url, { method, headers: out }, (answer) => {
      readAll(answer).then((text) => {
        const back: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined && !DROPPED.has(k)) back[k] = v;
        back['content-length'] = String(text.length);
        resolve({ status: answer.statusCode ?? 502, headers: back, body: text });
      }, reject);
    });
    r.on('error', reject);
    r.end(body);
  });
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
