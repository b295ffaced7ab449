import { randomUUID } from 'node:crypto';

/** n8n's internal REST API (/rest), the one its editor uses, logged in as the owner. */
export interface RestSession {
  /** `path` under /rest; resolves with the response's `data`. */
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** A JSON file the editor loads outside /rest with the same session, e.g. /types/nodes.json. */
  editorFile<T = unknown>(path: string): Promise<T>;
}

export async function ownerSession(baseUrl: string, owner: { email: string; password: string }): Promise<RestSession> {
  // n8n binds the session cookie to a browser id sent as a header with every request.
  const browserId = randomUUID();
  const headers = { 'content-type': 'application/json', 'browser-id': browserId };
  const login = await fetch(`${baseUrl}/rest/login`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ emailOrLdapLoginId: owner.email, password: owner.password }),
  });
  if (!login.ok) throw new Error(`n8n owner login as ${owner.email} failed: HTTP ${login.status} ${await login.text()}`);
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return {
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await fetch(`${baseUrl}/rest${path}`, { method, headers: { ...headers, cookie }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} /rest${path}: HTTP ${res.status} ${text}`);
      return (JSON.parse(text) as { data: T }).data;
    },
    async editorFile<T>(path: string): Promise<T> {
      const res = await fetch(`${baseUrl}${path}`, { headers: { ...headers, cookie } });
      if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
  };
}
