import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loyaltyStep } from '../../../nodes/core/loyalty/loyalty-step';
import { parseLoyaltyProgram } from '../../../nodes/core/loyalty/program';
import { dialectStores, type DialectStore } from '../match/store-dialects';
import { message } from '../segment/support/messages';

/** The same scenarios on the SQLite file and on PostgreSQL, to one outcome. */
const stores = dialectStores('tcrm-loyalty-repeats');

for (const store of stores) describe(`Loyalty step: what a repeated event answers on ${store.dialect}`, () => {
  let s: DialectStore;
  before(async () => { s = await store.open(); });
  after(async () => { await s.remove(); });
  const program = parseLoyaltyProgram({ id: 'repeats', currency: 'USD' });

  it('"quiet" (the default) repeats no entries or events; "first" repeats the first answer; neither counts again', async () => {
    const payment = message({ customerId: 'r1', paymentId: 'pi_r1', eventId: 'evt_r1', amountMinor: 4200, at: '2025-03-01T10:00:00Z' });
    const first = (await loyaltyStep(payment, { db: s.db, program })).loyalty;
    assert.equal(first.outcome, 'applied');
    const quiet = (await loyaltyStep(payment, { db: s.db, program })).loyalty;
    assert.deepEqual({ outcome: quiet.outcome, entries: quiet.entries, events: quiet.events }, { outcome: 'duplicate', entries: [], events: [] });
    const again = (await loyaltyStep(payment, { db: s.db, program, repeats: 'first' })).loyalty;
    assert.deepEqual({ outcome: again.outcome, entries: again.entries, events: again.events }, { outcome: 'duplicate', entries: first.entries, events: first.events });
    assert.equal(first.events[0]?.type, 'enrolled');
    const balance = await s.db.get<{ points_balance: number }>('SELECT points_balance FROM loyalty_members WHERE program_id = ? AND customer_id = ?', ['repeats', 'r1']);
    assert.equal(Number(balance!.points_balance), 42);
  });

  it('with a consumer (a node of one flow), each node gets the first answer once and is quiet after; the ledger counts once', async () => {
    const payment = message({ customerId: 'r2', paymentId: 'pi_r2', eventId: 'evt_r2', amountMinor: 1500, at: '2025-03-02T10:00:00Z' });
    const refundSync = (await loyaltyStep(payment, { db: s.db, program, consumer: 'node-red:refund-sync' })).loyalty;
    assert.deepEqual([refundSync.outcome, refundSync.events.map((e) => e.type)], ['applied', ['enrolled']]);
    const welcome = (await loyaltyStep(payment, { db: s.db, program, consumer: 'node-red:loyalty-welcome' })).loyalty;
    assert.deepEqual({ outcome: welcome.outcome, entries: welcome.entries, events: welcome.events }, { outcome: 'duplicate', entries: refundSync.entries, events: refundSync.events }, 'the welcome flow still learns of the enrollment');
    for (const consumer of ['node-red:refund-sync', 'node-red:loyalty-welcome']) {
      const again = (await loyaltyStep(payment, { db: s.db, program, consumer })).loyalty;
      assert.deepEqual([again.outcome, again.entries, again.events], ['duplicate', [], []], `${consumer} meets it again: quiet`);
    }
    const balance = await s.db.get<{ points_balance: number }>('SELECT points_balance FROM loyalty_members WHERE program_id = ? AND customer_id = ?', ['repeats', 'r2']);
    assert.equal(Number(balance!.points_balance), 15);
  });
});
