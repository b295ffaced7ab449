import type { ServerResponse } from 'node:http';

/** Plain text, because the processor's dashboard shows the response body to whoever debugs a failed delivery. */
export function reply(res: ServerResponse, status: number, text: string, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.statusCode = status;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  for (const [name, value] of Object.entries(extraHeaders)) res.setHeader(name, value);
  res.end(text);
}
