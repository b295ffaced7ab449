import type { IncomingMessage } from 'node:http';
import { InputError } from '../../core/errors';

/** Stripe's events are a few kilobytes; anything near this size is not a payment notification. */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {}

export async function readStream(req: IncomingMessage, limit = MAX_WEBHOOK_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += bytes.length;
    if (size > limit) throw new BodyTooLargeError(`request body is larger than ${limit} bytes`);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

/**
 * The request body exactly as it was sent: signatures are computed over these bytes, and a body a JSON parser
 * has rebuilt no longer matches. Normally claimRawBody has read it already; otherwise the stream is read here.
 */
export async function readRawBody(req: IncomingMessage & { body?: unknown; _body?: boolean }): Promise<Buffer> {
  if (!req._body && !req.readableEnded) return readStream(req);
  if (Buffer.isBuffer(req.body)) return req.body;
  throw new InputError(
    'Path',
    'another part of Node-RED parsed this request before the trigger could check its signature',
    'remove any body parser for this path from httpNodeMiddleware in settings.js; if Node-RED is embedded in your own app, mount RED.httpNode before your body parsers',
  );
}
