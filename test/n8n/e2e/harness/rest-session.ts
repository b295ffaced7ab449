import { randomUUID } from 'node:crypto';
import { E2E_OWNER } from './n8n-env';

/** n8n's internal REST API (/rest), logged in as the owner created from the environment. */
export interface RestSession {
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
}

export async function ownerSession(baseUrl: string): Promise<RestSession> {
  // n8n binds the session cookie to a browser id sent as a header with every request.
  const browserId = randomUUID();
  const headers = { 'content-type': 'application/json', 'browser-id': browserId };
  const login = await fetch(`${baseUrl}/rest/login`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ emailOrLdapLoginId: E2E_OWNER.email, password: E2E_OWNER.password }),
  });
  if (!login.ok) throw new Error(`owner login failed: HTTP ${login.status} ${await login.text()}`);
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return {
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await fetch(`${baseUrl}/rest${path}`, { method, headers: { ...headers, cookie }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} /rest${path}: HTTP ${res.status} ${text}`);
      return (JSON.parse(text) as { data: T }).data;
    },
  };
}
