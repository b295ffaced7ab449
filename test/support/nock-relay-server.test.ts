import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createHubSpotAdapter, hubspotAxiosTransport, parseHubSpotSettings } from '../../nodes/core/crm/saas/hubspot';
import { HubSpotMock } from '../core/crm/saas/mocks/hubspot-mock';
import { startNockRelay, type NockRelay } from './nock-relay-server';

const TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
const run = promisify(execFile);

describe('nock relay server', { timeout: 30_000 }, () => {
  let mock: HubSpotMock;
  let relay: NockRelay;
  before(async () => {
    mock = await HubSpotMock.start({ privateAppToken: TOKEN, burst: { max: 3, intervalMs: 10_000 } });
    relay = await startNockRelay({ target: mock.baseUrl });
  });
  after(async () => {
    await relay.close();
    mock.stop();
  });

  it('carries a HubSpot batch upsert to the contract mock and its answer back', async () => {
    const settings = parseHubSpotSettings({ auth: { type: 'privateApp', accessToken: TOKEN }, baseUrl: relay.url });
    const adapter = createHubSpotAdapter({ http: hubspotAxiosTransport(settings, Date.now), settings, pacer: { now: Date.now, sleep: async () => {} } });
    const results = await adapter.upsertCustomers([
      { externalId: 'cus_1', profile: { givenName: 'Ana', familyName: 'Diaz', email: 'ana@example.com' } },
      { externalId: 'cus_2', profile: { givenName: 'Bo', familyName: 'Li', email: 'bo@example.com' } },
    ]);
    assert.deepEqual(results.map((r) => r.status), ['synced', 'synced']);
    assert.equal(mock.recordBy('contacts', 'email', 'ana@example.com').length, 1);
    assert.equal(mock.recordBy('contacts', 'email', 'bo@example.com').length, 1);
    const upsert = mock.callsTo('/crm/v3/objects/contacts/batch/upsert');
    assert.equal(upsert.length, 1);
    assert.equal(upsert[0]!.authorization, `Bearer ${TOKEN}`);
    // The account's details first (its time zone, for the daily cap), then the upsert.
    assert.deepEqual(relay.calls.map((c) => [c.method, c.path, c.status]), [['GET', '/account-info/v3/details', 200], ['POST', '/crm/v3/objects/contacts/batch/upsert', 200]]);
  });

  it("answers another process with HubSpot's 429 body and rate-limit headers", async () => {
    // The burst of 3 per 10 s: the two calls above used two, this child's first call uses the third, the second is refused.
    const script = `
      const call = () => fetch(process.argv[1] + '/crm/v3/objects/contacts/batch/upsert', {
        method: 'POST',
        headers: { authorization: 'Bearer ${TOKEN}', 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: [{ idProperty: 'email', id: 'cy@example.com', properties: { email: 'cy@example.com' } }] }),
      }).then(async (r) => ({ status: r.status, headers: Object.fromEntries(r.headers), body: await r.json() }));
      (async () => { const a = await call(); const b = await call(); console.log(JSON.stringify([a, b])); })();`;
    const { stdout } = await run(process.execPath, ['-e', script, relay.url], { timeout: 10_000 });
    const [first, second] = JSON.parse(stdout) as { status: number; headers: Record<string, string>; body: Record<string, unknown> }[];
    assert.equal(first!.status, 200);
    assert.equal(second!.status, 429);
    assert.equal(second!.body.errorType, 'RATE_LIMIT');
    assert.equal(second!.body.policyName, 'TEN_SECONDLY_ROLLING');
    assert.equal(second!.body.message, 'You have reached your ten_secondly_rolling limit.');
    assert.equal(second!.headers['x-hubspot-ratelimit-max'], '3');
    assert.equal(second!.headers['x-hubspot-ratelimit-remaining'], '0');
    assert.equal(second!.headers['x-hubspot-ratelimit-interval-milliseconds'], '10000');
    assert.equal(mock.recordBy('contacts', 'email', 'cy@example.com').length, 1);
  });

  it('answers 502 naming the reason when no mock takes the request, and never reaches the real vendor', async () => {
    const other = await startNockRelay({ target: 'https://unmocked.example.com', keepNetConnect: true });
    try {
      const r = await fetch(`${other.url}/anything`);
      assert.equal(r.status, 502);
      assert.match(await r.text(), /^nock relay: .*unmocked\.example\.com/);
    } finally {
      await other.close();
    }
  });
});
