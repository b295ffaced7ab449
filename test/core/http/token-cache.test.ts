import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callCrm } from '../../../nodes/core/crm/saas/call-crm';
import { bearerTransport } from '../../../nodes/core/http/bearer-transport';
import type { HttpRequest, HttpResponse } from '../../../nodes/core/http/http-transport';
import { sharedTokenSlot, TokenCache } from '../../../nodes/core/http/token-cache';

const DEADLINE = { timeout: 10_000 };

/**
 * A CRM that knows which tokens it issued and which it revoked: a call with a live token is answered 200, any other
 * 401. `hold` keeps the answer to one execution's first call until released, so it comes back after the others'.
 */
function crm() {
  const live = new Set<string>();
  let issued = 0;
  const calls: { execution: string; authorization: string | undefined; status: number }[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const held = new Set<string>();
  return {
    calls,
    logins: () => issued,
    revokeAll: () => live.clear(),
    hold: (execution: string) => held.add(execution),
    release: () => release(),
    login: async () => {
      const token = `t${++issued}`;
      live.add(token);
      return { token };
    },
    transport: {
      async request(req: HttpRequest): Promise<HttpResponse> {
        const execution = req.headers?.['x-execution'] ?? '?';
        const authorization = req.headers?.authorization;
        const status = live.has(authorization?.replace(/^Bearer /, '') ?? '') ? 200 : 401;
        if (held.delete(execution)) await gate;
        calls.push({ execution, authorization, status });
        return { status, headers: {}, body: status === 200 ? {} : [{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }] };
      },
    },
  };
}

describe('TokenCache over a shared slot: executions of one account share its token', () => {
  it('a 401 answering a token another execution has renewed since keeps the new token: no second login, the retry goes with it', DEADLINE, async () => {
    const vendor = crm();
    // Two executions of one account (n8n builds each one's adapter anew), their caches over the account's one slot.
    const slot = sharedTokenSlot('token-cache.test', 'stale-401', `${Date.now()}`);
    const execution = (name: string) => {
      const http = bearerTransport(vendor.transport, { tokens: new TokenCache(vendor.login, Date.now, 60_000, slot), baseUrl: 'https://acme.my.salesforce.com' });
      return (path: string) => callCrm('salesforce', http, { method: 'GET', url: path, headers: { 'x-execution': name } });
    };
    const a = execution('A');
    const b = execution('B');
    await a('/services/data/v66.0/limits');
    assert.equal(vendor.logins(), 1);

    // The session ends (Salesforce's timeout, or an admin revoking it). B's call leaves with it and its 401 is slow;
    // A's call meets the 401 first, renews the account's token and retries.
    vendor.revokeAll();
    vendor.hold('B');
    const slow = b('/services/data/v66.0/sobjects/Contact/updated');
    await new Promise((r) => setImmediate(r));
    const fast = await a('/services/data/v66.0/limits');
    assert.equal(fast.status, 200);
    vendor.release();
    const late = await slow;

    assert.equal(late.status, 200);
    assert.deepEqual(
      vendor.calls.map((c) => [c.execution, c.authorization, c.status]),
      [
        ['A', 'Bearer t1', 200],
        ['A', 'Bearer t1', 401],
        ['A', 'Bearer t2', 200],
        ['B', 'Bearer t1', 401],
        ['B', 'Bearer t2', 200],
      ],
      "B's 401 was for t1, which A had already replaced: B goes on with t2",
    );
    assert.equal(vendor.logins(), 2, 'one login for the session that ended, not one for each execution that met it');
    // A later execution still finds the account's token.
    await a('/services/data/v66.0/limits');
    assert.equal(vendor.logins(), 2);
  });

  it('a 401 for the token the slot holds renews it, and callers meeting it at the same time share the one login', DEADLINE, async () => {
    const vendor = crm();
    const slot = sharedTokenSlot('token-cache.test', 'current-401', `${Date.now()}`);
    const http = (name: string) => {
      const t = bearerTransport(vendor.transport, { tokens: new TokenCache(vendor.login, Date.now, 60_000, slot) });
      return (path: string) => callCrm('salesforce', t, { method: 'GET', url: `https://acme.my.salesforce.com${path}`, headers: { 'x-execution': name } });
    };
    const a = http('A');
    const b = http('B');
    await a('/x');
    vendor.revokeAll();
    const both = await Promise.all([a('/y'), b('/z')]);
    assert.deepEqual(both.map((r) => r.status), [200, 200]);
    assert.equal(vendor.logins(), 2, 'the revoked token renewed once for both');
    assert.deepEqual(vendor.calls.filter((c) => c.status === 200).map((c) => c.authorization), ['Bearer t1', 'Bearer t2', 'Bearer t2']);
  });
});
