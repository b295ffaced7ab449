import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { settingsFromEnv } from '../../../nodes/core/pipeline/settings';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { chargeObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { createActivities } from '../../../temporal/activities/worker-activities';
import { seedCustomers, strangers } from '../../core/match/match-fixtures';
import { tempStore, TEST_TOKEN_KEYS } from '../../support/temp-store';

let card = 8000;
/** Scores about 0.69 against the stored Jonathan Smith of 94110. */
const probablyJon = () =>
  normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 900, name: 'John Smith', postalCode: '94110', card: { last4: String(card++), fingerprint: `fp_ra_${card}` } })));

describe('payment activities: match thresholds and review answers', () => {
  let s: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    s = await tempStore();
    await seedCustomers(s.crm, [...strangers(), { id: 'cus_jon', givenName: 'Jonathan', familyName: 'Smith', email: 'jonathan.smith@example.com', postalCode: '94110' }]);
  });
  after(async () => s?.remove());

  /** The worker's way: settings from the environment straight into createActivities. */
  const fromEnv = (env: NodeJS.ProcessEnv) => createActivities(settingsFromEnv({ TERMINAL_CRM_STORE_URL: s.url, TERMINAL_CRM_TOKEN_KEYS: TEST_TOKEN_KEYS, TERMINAL_CRM_SEGMENT_CONFIG: 'off', ...env }));

  it('passes the thresholds from the environment to the matcher', async () => {
    const defaults = fromEnv({});
    const lenient = fromEnv({ TERMINAL_CRM_MATCH_LINK_THRESHOLD: '0.6', TERMINAL_CRM_MATCH_REVIEW_THRESHOLD: '0.6' });
    const strict = fromEnv({ TERMINAL_CRM_MATCH_REVIEW_THRESHOLD: '0.8' });
    const e = probablyJon();
    const decisions = await Promise.all([defaults, lenient, strict].map(async (a) => (await a.match(await a.tokenize(e))).match));
    assert.deepEqual(decisions.map((m) => [m.decision, m.customerId]), [['review', null], ['link', 'cus_jon'], ['create', null]]);
  });

  it('reviewWait answers the configured wait', async () => {
    assert.deepEqual(await Promise.all([fromEnv({}), fromEnv({ TERMINAL_CRM_REVIEW_WAIT: '0' }), fromEnv({ TERMINAL_CRM_REVIEW_WAIT: '30m' })].map((a) => a.reviewWait())), [72 * 3_600_000, 0, 1_800_000]);
  });

  it('upsert with an operator\'s link records under that customer; a malformed answer fails for good without writing', async () => {
    const a = fromEnv({});
    const e = probablyJon();
    const matched = await a.match(await a.tokenize(e));
    await assert.rejects(a.upsert(matched, { action: 'link', customerId: 42 } as never), { name: 'ApplicationFailure', type: 'InputError', nonRetryable: true });
    assert.equal(await s.db.get('SELECT event_id FROM transactions WHERE event_id = ?', [e.id]), undefined);
    const recorded = await a.upsert(matched, { action: 'link' });
    assert.deepEqual([recorded.match.decision, recorded.crm.customerId, recorded.crm.customerCreated], ['link', 'cus_jon', false]);
    assert.equal((await s.db.get<{ customer_id: string }>('SELECT customer_id FROM transactions WHERE event_id = ?', [e.id]))!.customer_id, 'cus_jon');
  });
});
