import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Client } from '@temporalio/client';
import type { Inbox } from '../nodes/core/inbox/inbox';
import { DEFAULT_MAX_BODY_BYTES, jsonAnswer, type ReceiveOptions } from '../nodes/core/pipeline/receive-webhook';
import type { HttpTransport } from '../nodes/core/http/http-transport';
import type { Source } from '../nodes/core/sources/source';
import { scrubbedError } from '../nodes/core/tokenize/scrub-error';
import { startFromWebhook } from './start-from-webhook';

/** One source the entry serves at /webhooks/<name>, with the credential record its source parses. */
export interface WebhookSourceEntry {
  source: Source<unknown>;
  credentials: Record<string, unknown>;
}

export interface WebhookServerOptions {
  client: Client;
  /**
   * A client on the connection of a worker in this process that polls the task queue, when there is one (asked per
   * delivery: the worker may come up after the entry): new sagas then start eagerly on it.
   */
  localWorkerClient?: () => Client | undefined;
  /** Per path name (the source's name), the source and its credentials. */
  sources: Record<string, WebhookSourceEntry>;
  port: number;
  host?: string;
  taskQueue?: string;
  /** Replay protection and the durable record of what was accepted. */
  inbox?: Inbox;
  /** The store the ledger is in (the inbox's), for what a source's read leaves untold (ReceiveOptions.store). */
  store?: ReceiveOptions['store'];
  http?: HttpTransport;
  /** The URL processors call when a proxy or tunnel sits in front (Square signs it); default: the Host header. */
  publicBaseUrl?: string;
  log?: (line: string) => void;
}

export interface RunningWebhookServer {
  /** e.g. http://127.0.0.1:3100 — each source is at `${url}/webhooks/<source>`. */
  url: string;
  close(): Promise<void>;
}

function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The HTTP entry of the durable path: `POST /webhooks/<source>` is verified on its raw bytes and each accepted
 * event becomes a payment workflow. The processor gets its answer as soon as the events are kept and their
 * workflows durably started, not when the CRM has been written.
 */
export function startWebhookServer(o: WebhookServerOptions): Promise<RunningWebhookServer> {
  const log = o.log ?? (() => undefined);
  const server: Server = createServer(async (req, res) => {
    const send = (a: { status: number; contentType: string; body: string }) => res.writeHead(a.status, { 'content-type': a.contentType }).end(a.body);
    try {
      const name = /^\/webhooks\/([a-z0-9-]+)\/?(\?.*)?$/.exec(req.url ?? '')?.[1];
      const entry = name ? o.sources[name] : undefined;
      if (req.method !== 'POST' || !entry) {
        return send(jsonAnswer(404, { error: `POST to /webhooks/<source>, where source is one of: ${Object.keys(o.sources).join(', ')}` }));
      }
      const limit = entry.source.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
      const rawBody = await readRawBody(req, limit);
      if (!rawBody) return send(jsonAnswer(413, { received: false, rejected: `body larger than ${limit} bytes` }));
      const base = o.publicBaseUrl ?? `http://${req.headers.host ?? '127.0.0.1'}`;
      const local = o.localWorkerClient?.();
      const out = await startFromWebhook(
        local ?? o.client,
        entry.source,
        { rawBody, headers: req.headers, method: req.method, url: `${base.replace(/\/+$/, '')}${req.url}`, receivedAt: new Date() },
        { credentials: entry.credentials, inbox: o.inbox, store: o.store, http: o.http },
        { taskQueue: o.taskQueue, eager: local !== undefined },
      );
      const what = out.workflowIds.length ? out.workflowIds.join(', ') : (out.rejected ?? out.misconfigured ?? (out.report.duplicates.length ? 'duplicate' : 'ignored'));
      log(`${name} webhook → ${out.status} ${what}`);
      send(out.answer);
    } catch (e) {
      // Temporal unreachable, or a bug: a 5xx makes the processor retry later, which is what we want. Logged and
      // answered scrubbed of card data (scrubError): the error may quote what it was handed.
      const error = scrubbedError(e);
      log(`webhook failed: ${error.message}`);
      send(jsonAnswer(503, { error: error.message }));
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '127.0.0.1', () => {
      const addr = server.address() as { port: number; address: string };
      resolve({
        url: `http://${addr.address}:${addr.port}`,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}
