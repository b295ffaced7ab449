import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { claimBatch, reclaimExpired } from '../../../nodes/core/outbox/claim';
import { markFailed } from '../../../nodes/core/outbox/settle';
import { crmAdapterFromRecord } from '../../../nodes/core/crm/saas/crm-from-credentials';
import { createHubSpotAdapter, hubspotAxiosTransport, parseHubSpotSettings } from '../../../nodes/core/crm/saas/hubspot';
import type { CrmAdapter } from '../../../nodes/core/crm/saas/crm-adapter';
import { CrmRateLimitError } from '../../../nodes/core/crm/saas/crm-errors';
import { DEFAULT_OUTBOX_POLICY } from '../../../nodes/core/outbox/types';
import { TOKEN } from '../crm/saas/hubspot-kit';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { customer, customers, drainUntilEmpty, drainWith, hubspotOutbox, outboxRows, payment, payments, queue, T0, DIALECTS, storeForEachTest, useStores, useNock } from './support/outbox-kit';

useNock();

const openStore = useStores();

/** The adapter (the same object: the drain knows a paced one by identity), and the size of each payment batch it gets. */
function paymentCallSizes(adapter: CrmAdapter): { adapter: CrmAdapter; sizes: number[] } {
  const sizes: number[] = [];
  const upsert = adapter.upsertPayments.bind(adapter);
  return { sizes, adapter: Object.assign(adapter, { upsertPayments: (batch: Parameters<CrmAdapter['upsertPayments']>[0]) => (sizes.push(batch.length), upsert(batch)) }) };
}

for (const dialect of DIALECTS) describe(`outbox drain into HubSpot (contract mock) (${dialect})`, () => {
  let db: SqlDatabase;
  storeForEachTest(openStore, dialect, (opened) => (db = opened));

  it('sends customers, then their payments, in batches of 100 paced under 190 per 10 s, each new deal created with its association; CRM ids come back into crm_links', async () => {
    const { mock, adapter, clock } = await hubspotOutbox();
    const n = 250;
    await queue(db, 'hubspot', payments(...Array.from({ length: n }, (_, i) => payment(i + 1, i + 1))), T0);
    await queue(db, 'hubspot', customers(...Array.from({ length: n }, (_, i) => i + 1)), T0);
    const r = await drainWith(db, adapter, clock);

    assert.equal(r.ended, 'drained');
    assert.deepEqual([r.counts.synced, r.waiting, r.alerts.length], [2 * n, 0, 0]);
    const writes = mock.calls.filter((c) => /batch\/(upsert|create)$/.test(c.path));
    assert.deepEqual(writes.map((c) => [c.path.split('/').slice(4).join(' '), (c.body as { inputs: unknown[] }).inputs.length]), [
      ['contacts batch upsert', 100], ['contacts batch upsert', 100], ['contacts batch upsert', 50], ['deals batch create', 100], ['deals batch create', 100], ['deals batch create', 50],
    ]);
    // Payments went out after their customers, carrying the contacts' ids: no lookup, each associated as it was created.
    assert.equal(mock.callsTo('/contacts/batch/read').length, 0);
    assert.equal(mock.callsTo('/associate/default').length, 0);
    assert.equal(mock.associations.size, n);
    const links = await db.all<{ kind: string; external_id: string; crm_id: string }>('SELECT kind, external_id, crm_id FROM crm_links');
    assert.equal(links.length, 2 * n);
    for (const l of links.filter((x) => x.kind === 'customer')) assert.equal(mock.recordBy('contacts', 'terminal_crm_id', l.external_id)[0]!.id, l.crm_id);
    for (const l of links.filter((x) => x.kind === 'payment')) {
      const deal = mock.recordBy('deals', 'terminal_crm_payment_key', l.external_id)[0]!;
      assert.equal(deal.id, l.crm_id);
      const contact = mock.recordBy('contacts', 'terminal_crm_id', `cus_${l.external_id.split('_').pop()}`)[0]!;
      assert.ok(mock.associations.has(`deals:${deal.id}->contacts:${contact.id}`), `${l.external_id} associated to its own contact`);
    }
    const rows = await outboxRows(db);
    assert.ok(rows.every((x) => x.state === 'synced' && x.crm_id && x.attempts === 1));
    // Seven requests, the account's details (its time zone) and the six writes, spaced a window's share apart
    // (10 s / 190): paced, never refused.
    assert.equal(mock.calls[0]!.path, '/account-info/v3/details');
    assert.equal(mock.calls.length, 7);
    assert.ok(mock.calls.every((c) => c.status < 300));
    const gaps = mock.calls.slice(1).map((c, i) => c.at - mock.calls[i]!.at);
    assert.ok(gaps.every((g) => g >= 10_000 / 190 - 1), `gaps ${gaps.join(', ')}`);
  });

  it('an adapter whose requests the drain does not pace one by one gets payments 100 a call (a call counts as one request)', async () => {
    const { clock } = await hubspotOutbox();
    const settings = parseHubSpotSettings({ auth: { type: 'privateApp', accessToken: TOKEN } });
    const unpaced = paymentCallSizes(createHubSpotAdapter({ http: hubspotAxiosTransport(settings, clock.now), settings, pacer: clock }));
    await queue(db, 'hubspot', customers(...Array.from({ length: 250 }, (_, i) => i + 1)), T0);
    await queue(db, 'hubspot', payments(...Array.from({ length: 250 }, (_, i) => payment(i + 1, i + 1))), T0);
    const r = await drainWith(db, unpaced.adapter, clock);

    assert.deepEqual([r.ended, r.counts.synced], ['drained', 500]);
    assert.deepEqual(unpaced.sizes, [100, 100, 50]);
  });

  it('an adapter built from an engine\'s account record (n8n, Node-RED) paces every request, so payments go 1,000 a call too', async () => {
    const { mock, clock } = await hubspotOutbox();
    const paced = paymentCallSizes(crmAdapterFromRecord('hubspot', { accessToken: TOKEN }));
    await queue(db, 'hubspot', customers(...Array.from({ length: 250 }, (_, i) => i + 1)), T0);
    await queue(db, 'hubspot', payments(...Array.from({ length: 250 }, (_, i) => payment(i + 1, i + 1))), T0);
    const began = Date.now();
    const r = await drainWith(db, paced.adapter, clock);
    const tookMs = Date.now() - began;

    assert.deepEqual([r.ended, r.counts.synced], ['drained', 500]);
    assert.deepEqual(paced.sizes, [250]);
    // Each request (six writes, after the account's details where this process has not learnt them yet: the second
    // store's run has) took its own slot, a window's share apart (10 s / 190), on the real clock.
    const writes = mock.calls.filter((c) => c.path !== '/account-info/v3/details');
    assert.equal(writes.length, 6);
    assert.ok(mock.calls.length - writes.length <= 1);
    assert.ok(tookMs >= (mock.calls.length - 1) * (10_000 / 190) - 10, `${mock.calls.length} requests in ${tookMs} ms`);
  });

  it('a write retried after its answer was lost changes nothing in HubSpot', async () => {
    const { mock, adapter, clock } = await hubspotOutbox({ mock: { faults: { delay: 1, delayMs: 400 } }, env: { HUBSPOT_TIMEOUT_MS: '100' } });
    await queue(db, 'hubspot', customers(1, 2, 3), T0);
    const lost = await drainWith(db, adapter, clock);
    assert.equal(lost.counts.retry, 3);
    assert.match((await outboxRows(db))[0]!.last_error!, /no answer from POST .*contacts\/batch\/upsert/);
    // HubSpot wrote them before the answer was lost.
    await new Promise((r) => setTimeout(r, 450));
    const written = JSON.stringify(mock.records('contacts'));
    assert.equal(mock.records('contacts').length, 3);

    mock.setFaults({});
    clock.advance(60_000);
    const again = await drainWith(db, adapter, clock);
    assert.equal(again.counts.synced, 3);
    assert.equal(mock.callsTo('/contacts/batch/upsert').length, 2, 'the same batch, sent twice');
    assert.equal(JSON.stringify(mock.records('contacts')), written, 'the same three contacts, not even lastmodifieddate moved');
    assert.deepEqual((await outboxRows(db)).map((r) => [r.state, r.attempts]), [['synced', 2], ['synced', 2], ['synced', 2]]);
  });

  it('an account whose answers say it allows fewer requests than the setting (100 per 10 s on Free and Starter, not 190) is drained at their pace: no 429', async () => {
    // Five per 10 s stands for 100: what counts is fewer than the setting's 190 (HUBSPOT_REQUESTS_PER_10S unset).
    const { mock, adapter, clock } = await hubspotOutbox({ mock: { burst: { max: 5, intervalMs: 10_000 } } });
    await queue(db, 'hubspot', customers(...Array.from({ length: 2_000 }, (_, i) => i + 1)), T0);
    const r = await drainWith(db, adapter, clock);

    assert.deepEqual([r.ended, r.counts.synced, r.rateLimited], ['drained', 2_000, 0]);
    assert.equal(mock.records('contacts').length, 2_000);
    assert.equal(mock.calls.filter((c) => c.status === 429).length, 0);
    // 20 requests at 5 per 10 s: 30 s at the least, where 190 per 10 s would have taken one.
    assert.ok(clock.now() - T0 >= 30_000, `${clock.now() - T0} ms`);
  });

  it('an account whose answers say it allows more than the setting is still paced by the setting', async () => {
    const { mock, adapter, clock } = await hubspotOutbox({ mock: { burst: { max: 10, intervalMs: 10_000 } }, env: { HUBSPOT_REQUESTS_PER_10S: '4' } });
    await queue(db, 'hubspot', customers(...Array.from({ length: 1_200 }, (_, i) => i + 1)), T0);
    assert.equal((await drainWith(db, adapter, clock)).counts.synced, 1_200);
    // The account's details, then 12 upserts.
    assert.equal(mock.calls.length, 13);
    // 13 requests at 4 per 10 s (one every 2.5 s): 30 s at the least, where 10 per 10 s would have taken 12.
    assert.ok(clock.now() - T0 >= 30_000, `${clock.now() - T0} ms`);
  });

  it('a rolling-window 429 waits as HubSpot says and carries on with the same records', async () => {
    // The pack on another machine uses one of the account's two slots per window, which this drain cannot see:
    // HubSpot answers 429.
    const { mock, adapter, clock } = await hubspotOutbox({ mock: { burst: { max: 2, intervalMs: 10_000 }, othersInWindow: 1, retryAfterSeconds: 10 } });
    await queue(db, 'hubspot', customers(...Array.from({ length: 500 }, (_, i) => i + 1)), T0);
    const r = await drainWith(db, adapter, clock);

    assert.equal(r.ended, 'drained');
    assert.equal(r.counts.synced, 500);
    assert.ok(r.rateLimited >= 2, `rate limited ${r.rateLimited}`);
    assert.equal(mock.records('contacts').length, 500);
    for (const [i, c] of mock.calls.entries()) {
      if (c.status === 429) assert.ok(mock.calls[i + 1]!.at - c.at >= 10_000, 'nothing went out before Retry-After passed');
    }
    assert.ok((await outboxRows(db)).every((x) => x.state === 'synced' && x.attempts === 1), 'a rate limit is no attempt');
  });

  it('a DAILY 429 stops every drainer of the store until midnight (account time zone) and says so', async () => {
    const { mock, adapter, clock } = await hubspotOutbox({ mock: { daily: 1 }, env: { HUBSPOT_ACCOUNT_TIME_ZONE: 'America/New_York' } });
    await queue(db, 'hubspot', customers(...Array.from({ length: 150 }, (_, i) => i + 1)), T0);
    const r = await drainWith(db, adapter, clock);

    assert.equal(r.ended, 'stopped');
    assert.equal(r.stop?.kind, 'rate-limit');
    assert.match(r.stop!.message, /daily limit.*resets at midnight \(America\/New_York\)/);
    // T0 is 07:00 in New York (12:00Z); midnight there is 05:00Z the next day.
    assert.equal(r.stop!.until, '2025-03-02T05:00:00.000Z');
    assert.deepEqual([r.counts.synced, r.counts.released], [100, 50]);
    const waiting = await outboxRows(db, "state = 'pending'");
    assert.equal(waiting.length, 50);
    assert.ok(waiting.every((x) => x.attempts === 0 && x.next_attempt_at === '2025-03-02T05:00:00.000Z'));

    const calls = mock.calls.length;
    clock.advance(3_600_000);
    const later = await drainWith(db, adapter, clock, { owner: 'another-instance' });
    assert.deepEqual([later.ended, later.stop?.until, later.batches], ['stopped', '2025-03-02T05:00:00.000Z', 0]);
    assert.equal(mock.calls.length, calls, 'not one request during the pause');
  });

  it('with no HUBSPOT_ACCOUNT_TIME_ZONE, a DAILY 429 stops until midnight in the time zone HubSpot gives for the account', async () => {
    // The account is in Los Angeles; the day's cap allows the account's details and one batch.
    const { mock, adapter, clock } = await hubspotOutbox({ mock: { daily: 2, account: { timeZone: 'America/Los_Angeles' } } });
    await queue(db, 'hubspot', customers(...Array.from({ length: 150 }, (_, i) => i + 1)), T0);
    const r = await drainWith(db, adapter, clock);

    assert.deepEqual([r.ended, r.stop?.kind], ['stopped', 'rate-limit']);
    assert.match(r.stop!.message, /daily limit.*resets at midnight \(America\/Los_Angeles\)/);
    // T0 is 04:00 in Los Angeles (12:00Z); midnight there is 08:00Z the next day, where UTC's would be 8 hours early.
    assert.equal(r.stop!.until, '2025-03-02T08:00:00.000Z');
    assert.deepEqual([r.counts.synced, r.counts.released], [100, 50]);
    assert.ok((await outboxRows(db, "state = 'pending'")).every((x) => x.next_attempt_at === '2025-03-02T08:00:00.000Z'));
    assert.deepEqual(mock.callsTo('/account-info/').map((c) => c.status), [200]);
  });

  it('keeps what HubSpot refuses with its message, and never sends it again', async () => {
    const { mock, adapter, clock } = await hubspotOutbox();
    await queue(db, 'hubspot', [...customers(1), { kind: 'customer', record: customer(2, { email: 'not-an-email' }) }, ...customers(3)], T0);
    const r = await drainWith(db, adapter, clock);
    assert.deepEqual([r.counts.synced, r.counts.rejected], [2, 1]);
    const [bad] = await outboxRows(db, "state = 'rejected'");
    assert.equal(bad!.external_id, 'cus_2');
    assert.equal(bad!.last_error, 'Email address not-an-email is invalid');
    clock.advance(86_400_000);
    const again = await drainWith(db, adapter, clock);
    assert.equal(again.batches, 0);
    assert.equal(mock.callsTo('/contacts/batch/upsert').length, 1);
  });

  it("keeps a CRM's refusal scrubbed of a card number it quotes", async () => {
    const { adapter, clock } = await hubspotOutbox();
    await queue(db, 'hubspot', [{ kind: 'customer', record: customer(2, { email: '4242 4242 4242 4242' }) }], T0);
    const r = await drainWith(db, adapter, clock);
    assert.equal(r.counts.rejected, 1);
    const [bad] = await outboxRows(db, "state = 'rejected'");
    assert.match(bad!.last_error!, /^Email address \[redacted card number\] is invalid/);
    assert.doesNotMatch(bad!.last_error!, /4242/);
  });

  it('refuses the payments of a customer HubSpot refused, with its reason, and writes no deal without its contact', async () => {
    const { mock, adapter, clock } = await hubspotOutbox();
    await queue(db, 'hubspot', [...customers(1), { kind: 'customer', record: customer(2, { email: 'not-an-email' }) }], T0);
    await queue(db, 'hubspot', payments(payment(11, 1), payment(12, 2)), T0);
    const r = await drainWith(db, adapter, clock);
    assert.equal(r.waiting, 0, 'nothing is left to retry until it dies');
    const byId = new Map((await outboxRows(db)).map((x) => [x.external_id, x]));
    assert.equal(byId.get('cus_2')!.state, 'rejected');
    const refusedPayment = byId.get('stripe:pi_12')!;
    assert.equal(refusedPayment.state, 'rejected');
    assert.equal(refusedPayment.last_error, 'its customer cus_2 was refused by hubspot: Email address not-an-email is invalid — fix the customer, then queue it again');
    assert.equal(byId.get('stripe:pi_11')!.state, 'synced');
    assert.equal(mock.records('deals').length, 1, 'only the payment whose contact exists became a deal');
  });

  it('gives up after the policy’s attempts: the row is dead and an alert with HubSpot’s reason is kept and returned', async () => {
    const { mock, adapter, clock } = await hubspotOutbox({ mock: { faults: { serverError: 1 } } });
    await queue(db, 'hubspot', customers(1), T0);
    const policy = { maxAttempts: 3 };
    const runs = [];
    for (let i = 0; i < 3; i++) {
      runs.push(await drainWith(db, adapter, clock, { policy }));
      clock.advance(3_600_000);
    }
    assert.deepEqual(runs.map((r) => [r.counts.retry, r.counts.dead]), [[1, 0], [1, 0], [0, 1]]);
    const alert = runs[2]!.alerts[0]!;
    assert.deepEqual({ ...alert, reason: undefined, at: undefined, outboxId: undefined }, { kind: 'crm-dead', crm: 'hubspot', recordKind: 'customer', externalId: 'cus_1', attempts: 3, reason: undefined, at: undefined, outboxId: undefined });
    assert.match(alert.reason, /^gave up after 3 attempts; last: hubspot: 502 on POST \/crm\/v3\/objects\/contacts\/batch\/upsert/);
    const stored = await db.all<{ kind: string; external_id: string; reason: string }>('SELECT kind, external_id, reason FROM outbox_alerts');
    assert.deepEqual(stored.map((x) => ({ ...x })), [{ kind: 'crm-dead', external_id: 'cus_1', reason: alert.reason }]);
    assert.deepEqual((await outboxRows(db)).map((x) => [x.state, x.attempts]), [['dead', 3]]);
    assert.equal(mock.callsTo('/contacts/batch/upsert').length, 3);
    // Backoff: 2 s after the first failure, 4 s after the second, each with its jitter (fixed here at 3/4).
    // From each failed upsert (on the whole millisecond the stored time keeps), which went out after the account's details.
    const failedAt = mock.callsTo('/contacts/batch/upsert').map((c) => Math.floor(c.at));
    assert.equal(Date.parse(runs[0]!.nextAttemptAt!) - failedAt[0]!, 1_500);
    assert.equal(Date.parse(runs[1]!.nextAttemptAt!) - failedAt[1]!, 3_000);
  });

  it('records refused for rate in a batch that otherwise went through (a 429 in a $batch part) count no attempt, and nothing goes out before the wait', async () => {
    const { mock, adapter, clock } = await hubspotOutbox();
    // The port lets a CRM refuse single records of a batch for rate (Dynamics answers each $batch part alone): the
    // first call writes 60 of its records and refuses 40 for 30 s.
    const upsert = adapter.upsertCustomers.bind(adapter);
    let calls = 0;
    Object.assign(adapter, {
      upsertCustomers: async (batch: Parameters<CrmAdapter['upsertCustomers']>[0]) => {
        if (calls++ > 0) return upsert(batch);
        const written = await upsert(batch.slice(0, 60));
        return [...written, ...batch.slice(60).map((c) => ({ externalId: c.externalId, status: 'retry' as const, error: new CrmRateLimitError('hubspot', 'Number of requests exceeded the limit', 30_000, 'wait') }))];
      },
    });
    await queue(db, 'hubspot', customers(...Array.from({ length: 150 }, (_, i) => i + 1)), T0);
    // One attempt allowed: a rate limit counted as one would give the 40 up.
    const runs = await drainUntilEmpty(db, adapter, clock, { policy: { maxAttempts: 1 } });

    assert.equal(mock.records('contacts').length, 150);
    assert.deepEqual(runs.flatMap((r) => r.alerts), []);
    const rows = await outboxRows(db);
    assert.deepEqual([...new Set(rows.map((x) => `${x.state} ${x.attempts}`))], ['synced 1'], 'a rate limit is no attempt');
    assert.equal(runs.reduce((n, r) => n + r.rateLimited, 0), 1);
    const upserts = mock.callsTo('/contacts/batch/upsert');
    assert.ok(upserts[1]!.at - upserts[0]!.at >= 30_000, `the next batch went ${upserts[1]!.at - upserts[0]!.at} ms after the 429, before the 30 s wait`);
  });

  it('a refused credential stops the run with the fix; the records wait without an attempt counted', async () => {
    const { mock, adapter, clock } = await hubspotOutbox({ env: { HUBSPOT_ACCESS_TOKEN: 'pat-na1-revoked' } });
    await queue(db, 'hubspot', customers(1, 2), T0);
    const r = await drainWith(db, adapter, clock);
    assert.equal(r.ended, 'stopped');
    assert.equal(r.stop?.kind, 'auth');
    assert.match(r.stop!.message, /401 on POST .* check the credential/);
    assert.equal(mock.records('contacts').length, 0);
    assert.deepEqual((await outboxRows(db)).map((x) => [x.state, x.attempts]), [['pending', 0], ['pending', 0]]);
  });

  it("stops without the card number an adapter's unexpected error quoted: the run's stop and the rows' last error are scrubbed", async () => {
    const { adapter, clock } = await hubspotOutbox();
    const broken = Object.assign(adapter, {
      upsertCustomers: async () => {
        throw new TypeError('Cannot read properties of undefined (reading "id") in {"note":"4242 4242 4242 4242"}');
      },
    });
    await queue(db, 'hubspot', customers(1), T0);
    const r = await drainWith(db, broken, clock);
    assert.deepEqual([r.ended, r.stop?.kind], ['stopped', 'error']);
    assert.match(r.stop!.message, /^unexpected error from the hubspot adapter: Cannot read properties .*"note":"\[redacted card number\]"/);
    const [row] = await outboxRows(db);
    assert.doesNotMatch(`${r.stop!.message} ${row!.last_error}`, /4242/);
  });

  it('takes back the rows of a drainer that stopped mid-batch once its lease ends, and sends them again', async () => {
    const { mock, adapter, clock } = await hubspotOutbox();
    await queue(db, 'hubspot', customers(1, 2), T0);
    const held = await claimBatch(db, { crm: 'hubspot', kind: 'customer', owner: 'crashed-worker', now: clock.now(), leaseMs: DEFAULT_OUTBOX_POLICY.leaseMs, limit: 100 });
    assert.equal(held.length, 2);

    clock.advance(60_000);
    const during = await drainWith(db, adapter, clock);
    assert.equal(during.batches, 0, 'within the lease the rows are the other drainer’s');
    assert.deepEqual((await outboxRows(db)).map((x) => x.claimed_by), ['crashed-worker', 'crashed-worker']);

    clock.advance(DEFAULT_OUTBOX_POLICY.leaseMs);
    let after = await drainWith(db, adapter, clock);
    if (after.waiting > 0) {
      clock.advance(Date.parse(after.nextAttemptAt!) - clock.now());
      after = await drainWith(db, adapter, clock);
    }
    assert.equal(after.counts.synced, 2);
    assert.equal(mock.records('contacts').length, 2);
    assert.deepEqual((await outboxRows(db)).map((x) => [x.state, x.attempts]), [['synced', 2], ['synced', 2]], 'the lost try counts');
  });

  it('a payment queued before its customer still goes after it, with the contact’s id (no lookup)', async () => {
    const { mock, adapter, clock } = await hubspotOutbox();
    await queue(db, 'hubspot', payments(payment(1, 1)), T0 - 2);
    await queue(db, 'hubspot', customers(1), T0 - 1);
    await drainWith(db, adapter, clock);
    assert.deepEqual(mock.calls.map((c) => c.path), ['/account-info/v3/details', '/crm/v3/objects/contacts/batch/upsert', '/crm/v3/objects/deals/batch/create']);
    const contact = mock.recordBy('contacts', 'terminal_crm_id', 'cus_1')[0]!;
    const deal = mock.recordBy('deals', 'terminal_crm_payment_key', 'stripe:pi_1')[0]!;
    assert.ok(mock.associations.has(`deals:${deal.id}->contacts:${contact.id}`));
  });

  it('a write that failed while a newer state was queued gives way to it (field updates fold into it)', async () => {
    await queue(db, 'hubspot', [{ kind: 'fields', record: { customerExternalId: 'cus_1', fields: { terminal_crm_segment: 'New' } } }], T0);
    const [held] = await claimBatch(db, { crm: 'hubspot', kind: 'fields', owner: 'a', now: T0, leaseMs: 60_000, limit: 10 });
    await queue(db, 'hubspot', [{ kind: 'fields', record: { customerExternalId: 'cus_1', fields: { loyalty_tier: 'Gold' } } }], T0 + 1);
    const { outcome } = await db.transaction((tx) => markFailed(tx, { crm: 'hubspot', owner: 'a', now: T0 + 2, policy: DEFAULT_OUTBOX_POLICY, random: () => 0.5 }, held!, '502'));
    assert.equal(outcome.status, 'superseded');
    const rows = await outboxRows(db);
    assert.equal(rows.length, 1);
    assert.deepEqual([rows[0]!.state, JSON.parse(rows[0]!.payload).fields], ['pending', { terminal_crm_segment: 'New', loyalty_tier: 'Gold' }]);
  });

  it('fields whose drainer crashed while newer fields were queued are folded into the newer row when the lease ends, not dropped', async () => {
    await queue(db, 'hubspot', [{ kind: 'fields', record: { customerExternalId: 'cus_1', fields: { terminal_crm_segment: 'Champions' } } }], T0);
    const [held] = await claimBatch(db, { crm: 'hubspot', kind: 'fields', owner: 'crashed-worker', now: T0, leaseMs: 60_000, limit: 10 });
    assert.ok(held);
    // Loyalty writes its own field meanwhile: a new row, since the first is in flight; it carries only its field.
    await queue(db, 'hubspot', [{ kind: 'fields', record: { customerExternalId: 'cus_1', fields: { loyalty_tier: 'Gold' } } }], T0 + 1);
    await reclaimExpired(db, 'hubspot', T0 + 60_000, DEFAULT_OUTBOX_POLICY, () => 0.5);
    const rows = await outboxRows(db);
    assert.equal(rows.length, 1);
    assert.deepEqual([rows[0]!.state, JSON.parse(rows[0]!.payload).fields], ['pending', { terminal_crm_segment: 'Champions', loyalty_tier: 'Gold' }], 'the segment the crashed drainer may never have sent still goes out');
  });
});
