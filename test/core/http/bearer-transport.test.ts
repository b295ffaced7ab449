import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bearerTransport, resolveUrl } from '../../../nodes/core/http/bearer-transport';
import type { HttpRequest, HttpTransport } from '../../../nodes/core/http/http-transport';
import { TokenCache } from '../../../nodes/core/http/token-cache';

/** An inner transport that only carries: it remembers each request and answers 200. */
function carrier(): HttpTransport & { seen: HttpRequest[] } {
  const seen: HttpRequest[] = [];
  return { seen, request: async (req) => (seen.push(req), { status: 200, headers: {}, body: {} }) };
}

describe('bearerTransport: the core’s token on any transport', () => {
  it('puts the cached token on each request and the base URL before a path; an absolute URL goes as it is', async () => {
    let fetched = 0;
    const tokens = new TokenCache(async () => ({ token: `t${++fetched}` }));
    const inner = carrier();
    const http = bearerTransport(inner, { tokens, baseUrl: 'https://contoso.crm.dynamics.com/' });
    await http.request({ method: 'GET', url: '/api/data/v9.2/contacts', headers: { prefer: 'odata.maxpagesize=5' }, qs: { $top: 1 } });
    await http.request({ method: 'POST', url: 'https://contoso.crm.dynamics.com/api/data/v9.2/$batch', body: 'x' });
    assert.deepEqual(
      inner.seen.map((r) => [r.method, r.url, r.headers]),
      [
        ['GET', 'https://contoso.crm.dynamics.com/api/data/v9.2/contacts', { prefer: 'odata.maxpagesize=5', authorization: 'Bearer t1' }],
        ['POST', 'https://contoso.crm.dynamics.com/api/data/v9.2/$batch', { authorization: 'Bearer t1' }],
      ],
    );
    assert.deepEqual([inner.seen[0]!.qs, inner.seen[1]!.body], [{ $top: 1 }, 'x']);
    assert.equal(fetched, 1, 'one token for both');
    assert.equal(http.authenticates, undefined, 'the core signs: nothing for a caller to skip');
  });

  it('goes to the instance URL the token names when told to, and refreshAuth renews the token', async () => {
    let fetched = 0;
    const tokens = new TokenCache(async () => ({ token: `00D!${++fetched}`, instanceUrl: 'https://acme.my.salesforce.com' }));
    const inner = carrier();
    const http = bearerTransport(inner, { tokens, scheme: 'Bearer', baseUrlFromToken: true });
    await http.request({ method: 'GET', url: 'services/data/v66.0/limits', headers: { authorization: 'Bearer stale' } });
    await http.refreshAuth!();
    await http.request({ method: 'GET', url: '/services/data/v66.0/limits' });
    assert.deepEqual(
      inner.seen.map((r) => [r.url, r.headers?.authorization]),
      [
        ['https://acme.my.salesforce.com/services/data/v66.0/limits', 'Bearer 00D!1'],
        ['https://acme.my.salesforce.com/services/data/v66.0/limits', 'Bearer 00D!2'],
      ],
    );
  });

  it('resolves a path against a base with one slash between, and leaves it for the inner transport when there is no base', () => {
    assert.equal(resolveUrl('https://api.example.com//', '//v1/x'), 'https://api.example.com/v1/x');
    assert.equal(resolveUrl(undefined, '/v1/x'), '/v1/x');
    assert.equal(resolveUrl('https://api.example.com', 'HTTPS://other.example.com/y'), 'HTTPS://other.example.com/y');
  });
});
