import { randomUUID } from 'node:crypto';

/**
 * OData $batch bodies as Dataverse reads and writes them ("Execute batch operations using the Web API"):
 * multipart/mixed, each part `Content-Type: application/http` holding one raw HTTP request or response, change
 * sets as nested multipart/mixed parts. Lines end in CRLF as MIME wants.
 */

export interface BatchOperation {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Absolute URL of the operation. */
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface BatchPartResponse {
  status: number;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: unknown;
}

const CRLF = '\r\n';

export function newBatchBoundary(): string {
  return `batch_${randomUUID()}`;
}

/** Operations as top-level parts of one batch (no change sets; see the adapter for why). */
export function buildBatchBody(boundary: string, operations: readonly BatchOperation[]): string {
  const parts = operations.map((op) => {
    const lines = ['Content-Type: application/http', 'Content-Transfer-Encoding: binary', '', `${op.method} ${op.url} HTTP/1.1`];
    if (op.body !== undefined) lines.push('Content-Type: application/json; type=entry');
    for (const [k, v] of Object.entries(op.headers ?? {})) lines.push(`${k}: ${v}`);
    lines.push('');
    if (op.body !== undefined) lines.push(JSON.stringify(op.body));
    return `--${boundary}${CRLF}${lines.join(CRLF)}${CRLF}`;
  });
  return `${parts.join('')}--${boundary}--${CRLF}`;
}

export function boundaryOf(contentType: string | undefined): string | undefined {
  return /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '')?.slice(1).find(Boolean);
}

/** The responses of a batch answer in order; a change set's responses are flattened into the list. */
export function parseBatchResponse(text: string, contentType: string | undefined): BatchPartResponse[] {
  const boundary = boundaryOf(contentType) ?? /^--([^\r\n]+)/m.exec(text)?.[1];
  if (!boundary) return [];
  const out: BatchPartResponse[] = [];
  for (const part of splitParts(text, boundary)) {
    const { headers, content } = splitHead(part);
    const type = headers['content-type'] ?? '';
    if (/^multipart\/mixed/i.test(type)) out.push(...parseBatchResponse(content, type));
    else {
      const response = parseHttpMessage(content);
      if (response) out.push(response);
    }
  }
  return out;
}

function splitParts(text: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const end = text.indexOf(`${delimiter}--`);
  const body = end >= 0 ? text.slice(0, end) : text;
  return body
    .split(delimiter)
    .slice(1)
    .map((p) => p.replace(/^\r?\n/, ''));
}

function splitHead(part: string): { headers: Record<string, string>; content: string } {
  const m = /\r?\n\r?\n/.exec(part);
  const head = m ? part.slice(0, m.index) : part;
  const content = m ? part.slice(m.index + m[0].length) : '';
  return { headers: headerMap(head.split(/\r?\n/)), content };
}

function headerMap(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return headers;
}

/** "HTTP/1.1 204 No Content", headers, blank line, body. */
export function parseHttpMessage(content: string): BatchPartResponse | undefined {
  // The status line has no colon, so the header map skips it.
  const { headers: raw, content: body } = splitHead(content);
  const statusLine = content.split(/\r?\n/, 1)[0] ?? '';
  const status = Number(/^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(statusLine)?.[1]);
  if (!Number.isInteger(status)) return undefined;
  const text = body.replace(/\s+$/, '');
  let parsed: unknown = text === '' ? undefined : text;
  if (/^[[{]/.test(text)) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status, headers: raw, body: parsed };
}
