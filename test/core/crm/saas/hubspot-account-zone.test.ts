import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CrmRateLimitError } from '../../../../nodes/core/crm/saas/crm-errors';
import { ASK_AGAIN_AFTER_MS, zoneOf } from '../../../../nodes/core/crm/saas/hubspot-account-zone';
import { msUntilNextMidnight } from '../../../../nodes/core/crm/saas/hubspot-errors';
import { customer, hubspot, useNock } from './hubspot-kit';

useNock();

const HOUR = 3_600_000;

/** Upserts one customer at a time until HubSpot's daily cap refuses one: that refusal. */
async function untilDailyCap(adapter: Awaited<ReturnType<typeof hubspot>>['adapter']): Promise<CrmRateLimitError> {
  for (let n = 1; n <= 5; n++) {
    const e = await adapter.upsertCustomers([customer(n)]).then(() => undefined, (x: unknown) => x);
    if (e !== undefined) {
      assert.ok(e instanceof CrmRateLimitError && e.limitName === 'DAILY', String(e));
      return e;
    }
  }
  throw new Error('the daily cap never refused a call');
}

describe('HubSpot adapter: the time zone the daily cap resets in', () => {
  it('with no time zone set, a DAILY 429 stops until midnight in the zone HubSpot gives for the account', async () => {
    // The account is in Los Angeles; the cap allows the account's details and one upsert.
    const { mock, adapter } = await hubspot({ mock: { daily: 2, account: { timeZone: 'America/Los_Angeles' } } });
    const err = await untilDailyCap(adapter);
    assert.equal(err.policy, 'stop');
    // 12:00 UTC on 1 March is 04:00 in Los Angeles (PST); midnight there is 08:00 UTC on 2 March, not 00:00 UTC.
    assert.equal(err.retryAfterMs, 20 * HOUR);
    assert.match(err.message, /resets at midnight \(America\/Los_Angeles\)/);
    // Asked once, before the first batch, with the adapter's token, and counted by HubSpot like any call.
    assert.deepEqual(mock.calls.map((c) => [c.method, c.path, c.status]), [
      ['GET', '/account-info/v3/details', 200],
      ['POST', '/crm/v3/objects/contacts/batch/upsert', 200],
      ['POST', '/crm/v3/objects/contacts/batch/upsert', 429],
    ]);
    assert.equal(mock.calls[0]!.authorization, mock.calls[1]!.authorization);
  });

  it('a time zone set in the settings wins: HubSpot is not asked', async () => {
    const { mock, adapter } = await hubspot({ mock: { daily: 1, account: { timeZone: 'America/Los_Angeles' } }, settings: { accountTimeZone: 'America/New_York' } });
    const err = await untilDailyCap(adapter);
    // 07:00 in New York (EST); midnight there is 05:00 UTC on 2 March.
    assert.equal(err.retryAfterMs, 17 * HOUR);
    assert.match(err.message, /resets at midnight \(America\/New_York\);/);
    assert.equal(mock.callsTo('/account-info/').length, 0);
  });

  it('an app without the scope (403 MISSING_SCOPES) syncs on, and the daily cap falls back to UTC, saying why', async () => {
    const { mock, adapter } = await hubspot({ mock: { daily: 2, account: 'missing-scopes' } });
    const err = await untilDailyCap(adapter);
    assert.equal(mock.records('contacts').length, 1, 'the first batch went through: the refused reading did not fail it');
    // 12:00 UTC; UTC's midnight is 12 hours on.
    assert.equal(err.retryAfterMs, 12 * HOUR);
    assert.match(err.message, /resets at midnight \(UTC: HubSpot did not give the account's time zone \(403 on GET \/account-info\/v3\/details: MISSING_SCOPES: This app hasn't been granted all required scopes.* \(scopes: oauth\)\); set it \(HUBSPOT_ACCOUNT_TIME_ZONE/);
    assert.deepEqual(mock.callsTo('/account-info/').map((c) => c.status), [403], 'asked once: a refusal for good is not asked again');
  });

  it('a zone name this runtime does not know is replaced by the UTC offset HubSpot gives with it', async () => {
    const { adapter } = await hubspot({ mock: { daily: 2, account: { timeZone: 'Pacific/Atlantis', utcOffsetMilliseconds: -8 * HOUR } } });
    const err = await untilDailyCap(adapter);
    assert.equal(err.retryAfterMs, 20 * HOUR, 'midnight at UTC-8: 08:00 UTC');
    assert.match(err.message, /\(-08:00: HubSpot's time zone "Pacific\/Atlantis" is unknown to this runtime; its UTC offset/);
  });

  it('a reading that fails for a reason that may pass leaves the batch to go on, and is tried again five minutes later at the earliest', async () => {
    const { mock, adapter, clock } = await hubspot({ mock: { faults: { at: { 1: '502' } }, account: { timeZone: 'US/Pacific' } } });
    assert.equal((await adapter.upsertCustomers([customer(1)]))[0]!.status, 'synced');
    assert.equal((await adapter.upsertCustomers([customer(2)]))[0]!.status, 'synced');
    assert.deepEqual(mock.callsTo('/account-info/').map((c) => c.status), [502], 'not asked before every batch');
    clock.advance(ASK_AGAIN_AFTER_MS);
    await adapter.upsertCustomers([customer(3)]);
    await adapter.upsertCustomers([customer(4)]);
    assert.deepEqual(mock.callsTo('/account-info/').map((c) => c.status), [502, 200], 'asked again, then known');
    assert.equal(mock.records('contacts').length, 4);
  });

  it('when the cap already refuses the reading, the batch is not sent and the stop lasts to the next full hour, when it is asked again', async () => {
    const { mock, adapter, clock } = await hubspot({ mock: { daily: 0 } });
    clock.advance(20 * 60_000);
    const err = await adapter.upsertCustomers([customer(1)]).then(() => undefined, (x: unknown) => x);
    assert.ok(err instanceof CrmRateLimitError && err.policy === 'stop' && err.limitName === 'DAILY', String(err));
    // 12:20 UTC: 13:00 is the next hour on which most zones' midnight falls; a day's wait in the wrong zone is not risked.
    assert.equal(err.retryAfterMs, 40 * 60_000);
    assert.match(err.message, /HubSpot has not said yet; nothing more goes out until the next full hour.*HUBSPOT_ACCOUNT_TIME_ZONE/);
    assert.equal(mock.callsTo('/contacts/').length, 0, 'the batch was not sent into the cap');
    clock.advance(err.retryAfterMs);
    await assert.rejects(adapter.upsertCustomers([customer(1)]), (e) => e instanceof CrmRateLimitError && e.retryAfterMs === HOUR);
    assert.equal(mock.callsTo('/account-info/').length, 2);
  });

  it('reads the zone from the account details as documented', () => {
    assert.deepEqual(zoneOf({ portalId: 62515, timeZone: 'US/Eastern', utcOffset: '-05:00', utcOffsetMilliseconds: -18_000_000 }), { timeZone: 'US/Eastern' });
    assert.deepEqual(zoneOf({ timeZone: 'Asia/Nowhere', utcOffsetMilliseconds: 19_800_000 }).timeZone, '+05:30');
    for (const body of [{ timeZone: 'Asia/Nowhere' }, {}, 'not json', { timeZone: 42, utcOffsetMilliseconds: '-5' }]) {
      const z = zoneOf(body);
      assert.equal(z.timeZone, 'UTC', JSON.stringify(body));
      assert.match(z.why!, /HUBSPOT_ACCOUNT_TIME_ZONE/);
    }
  });

  it('finds the next midnight at a fixed UTC offset', () => {
    const at = Date.parse('2025-03-01T20:00:00Z');
    assert.equal(at + msUntilNextMidnight(at, '+05:30'), Date.parse('2025-03-01T18:30:00Z') + 24 * HOUR);
    assert.equal(at + msUntilNextMidnight(at, '-08:00'), Date.parse('2025-03-02T08:00:00Z'));
    assert.equal(at + msUntilNextMidnight(at, '+00:00'), Date.parse('2025-03-02T00:00:00Z'));
  });
});
