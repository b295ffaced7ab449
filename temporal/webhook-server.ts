import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Client } from '@temporalio/client';
import { startFromWebhook } from './start-from-webhook';

export interface WebhookServerOptions {
  client: Client;
  /** Per source, the signing secrets its endpoint accepts (several while one is being rolled). */
  secrets: Record<string, readonly string[]>;
  port: number;
  host?: string;
  taskQueue?: string;
  log?: (line: string) => void;
}

export interface RunningWebhookServer {
  /** e.g. http://127.0.0.1:3100 — each source is at `${url}/webhooks/<source>`. */
  url: string;
  close(): Promise<void>;
}

/** Processors send small JSON bodies; anything larger is not a webhook. */
const MAX_BODY_BYTES = 1 << 20;

function readRawBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The HTTP entry of the durable path: `POST /webhooks/<source>` is verified on its raw bytes and, when accepted,
 * becomes a payment workflow (id = the event id, so a redelivery joins the first run). The processor gets its
 * answer as soon as the workflow is durably started, not when the CRM has been written.
 */
export function startWebhookServer(o: WebhookServerOptions): Promise<RunningWebhookServer> {
  const log = o.log ?? (() => undefined);
  const server: Server = createServer(async (req, res) => {
    const answer = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    try {
      const source = /^\/webhooks\/([a-z0-9-]+)\/?$/.exec(req.url ?? '')?.[1];
      if (req.method !== 'POST' || !source || !o.secrets[source]) {
        return answer(404, { error: `POST to /webhooks/<source>, where source is one of: ${Object.keys(o.secrets).join(', ')}` });
      }
      const rawBody = await readRawBody(req);
      if (!rawBody) return answer(413, { error: `body larger than ${MAX_BODY_BYTES} bytes` });
      const out = await startFromWebhook(o.client, source, { rawBody, headers: req.headers }, o.secrets[source]!, { taskQueue: o.taskQueue });
      log(`${source} webhook → ${out.status} ${'workflowId' in out ? out.workflowId : 'rejected' in out ? `rejected: ${out.rejected}` : 'misconfigured' in out ? out.misconfigured : 'ignored'}`);
      answer(out.status, out);
    } catch (e) {
      // Temporal unreachable, or a bug: a 5xx makes the processor retry later, which is what we want.
      log(`webhook failed: ${(e as Error).message}`);
      answer(503, { error: (e as Error).message });
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
