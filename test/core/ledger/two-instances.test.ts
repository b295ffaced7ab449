import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LedgerEvent } from '../../../nodes/core/ledger/ledger-event';
import { paymentsOf } from '../../../nodes/core/ledger/read-payments';
import { ledgerLockKeys, recordEvents, type RecordedEvent } from '../../../nodes/core/ledger/record-events';
import { migrate } from '../../../nodes/core/store/migrations';
import { PostgresDatabase } from '../../../nodes/core/store/postgres-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { startPostgresServer, type PostgresServer } from '../../support/postgres-server';
import { cumulativeRefund, dispute, ownRefund, payment, reversedRefund } from './support/events';

let server: PostgresServer;
before(async () => {
  server = await startPostgresServer();
});
after(async () => {
  await server?.stop();
});

/**
 * Twelve payments' events as processors deliver them: a PaymentIntent event and a charge event each, cumulative
 * refunds for some, refunds reported one by one (two of the same size, one of them reversed) for others, disputes
 * lost and won.
 */
function history(): LedgerEvent[] {
  const out: LedgerEvent[] = [];
  for (let i = 0; i < 12; i++) {
    const id = `pi_race_${i}`;
    const amount = 1000 + 111 * i;
    const at = `2025-04-${String(i + 1).padStart(2, '0')}T10:00:00.000Z`;
    out.push(payment(id, amount, at, { eventId: `stripe:evt_pi_${i}` }));
    out.push(payment(id, amount, at, { eventId: `stripe:evt_ch_${i}`, card: { brand: 'visa', last4: '4242', entryMode: 'chip' } }));
    if (i % 3 === 0) {
      out.push(cumulativeRefund(id, 200, at, { eventId: `stripe:evt_rf_${i}_200` }));
      out.push(cumulativeRefund(id, 500, at, { eventId: `stripe:evt_rf_${i}_500` }));
    }
    if (i % 3 === 1) {
      out.push(ownRefund(id, `re_${i}_a`, 150, at, { eventId: `stripe:evt_own_${i}_a` }));
      out.push(ownRefund(id, `re_${i}_b`, 150, at, { eventId: `stripe:evt_own_${i}_b` }));
      out.push(ownRefund(id, `re_${i}_a`, 150, at, { eventId: `stripe:evt_own_${i}_a_updated` }));
      out.push(reversedRefund(id, `re_${i}_b`, 150, at, { eventId: `stripe:evt_own_${i}_b_reversed` }));
    }
    if (i % 4 === 2) {
      out.push(dispute(id, 'disputed', amount, at, { eventId: `stripe:evt_dp_${i}` }));
      out.push(dispute(id, i % 8 === 2 ? 'refunded' : 'succeeded', amount, at, { eventId: `stripe:evt_dc_${i}` }));
    }
  }
  return out;
}

/**
 * One instance: `lanes` deliveries at once, each a transaction of `batch` events, as CRM Upsert records them. With
 * the ledger's lock keys transactions on one payment queue; without them Postgres aborts one of two that collide
 * and the store runs it again.
 */
async function instance(db: SqlDatabase, events: readonly LedgerEvent[], locks: boolean, lanes = 3, batch = 2): Promise<RecordedEvent[]> {
  const split: LedgerEvent[][] = Array.from({ length: lanes }, () => []);
  events.forEach((e, i) => split[i % lanes]!.push(e));
  const done = await Promise.all(
    split.map(async (lane) => {
      const out: RecordedEvent[] = [];
      for (let i = 0; i < lane.length; i += batch) {
        const chunk = lane.slice(i, i + batch);
        out.push(...(await db.transaction((tx) => recordEvents(tx, chunk), { lockKeys: locks ? ledgerLockKeys(chunk) : [] })));
      }
      return out;
    }),
  );
  return done.flat();
}

async function allPayments(db: SqlDatabase) {
  const page = await paymentsOf(db, { limit: 1000 });
  return page.payments.map((p) => ({ ...p }));
}

describe('two instances recording one stream of events at once', () => {
  for (const locks of [true, false]) {
    it(`on Postgres, through two connection pools${locks ? '' : ', without lock keys'}: every event recorded once, every payment as one careful pass leaves it`, async (t) => {
      const events = history();
      const referenceDb = new PostgresDatabase(await server.createDatabase('tcrm_ledger_ref'));
      const url = await server.createDatabase('tcrm_ledger_race');
      const [a, b] = [new PostgresDatabase(url), new PostgresDatabase(url)];
      try {
        await migrate(referenceDb);
        for (const e of events) await referenceDb.transaction((tx) => recordEvents(tx, [e]));
        const want = await allPayments(referenceDb);

        await Promise.all([migrate(a), migrate(b)]);
        const started = Date.now();
        const [outA, outB] = await Promise.all([instance(a, events, locks), instance(b, [...events].reverse(), locks)]);
        t.diagnostic(`2 × ${events.length} events in ${Date.now() - started} ms`);

        const byEvent = new Map<string, RecordedEvent[]>();
        for (const o of [...outA, ...outB]) byEvent.set(o.eventId, [...(byEvent.get(o.eventId) ?? []), o]);
        assert.equal(byEvent.size, events.length);
        for (const [eventId, outcomes] of byEvent) {
          const firsts = outcomes.filter((o) => o.outcome !== 'duplicate');
          assert.equal(firsts.length, 1, `${eventId}: recorded by one instance, a duplicate for the other (${outcomes.map((o) => o.outcome).join(', ')})`);
          assert.deepEqual(outcomes.find((o) => o.outcome === 'duplicate')!.delta, firsts[0]!.delta, `${eventId}: the duplicate carries the first delta`);
        }
        const got = await allPayments(a);
        const facts = (ps: typeof want) => ps.map((p) => ({
          key: p.key, counted: p.counted, gross: p.grossMinor, refunded: p.refundedMinor, chargeback: p.chargebackMinor, net: p.netMinor,
          dispute: p.disputePhase, status: p.status, events: p.events, card: p.card.last4, firstSeen: p.firstSeen, lastSeen: p.lastSeen,
        }));
        assert.deepEqual(facts(got), facts(want));
        // What consumers adding the deltas count is what the payments say, whatever order the events were recorded in.
        for (const p of got) {
          const firsts = [...byEvent.values()].map((o) => o.find((x) => x.outcome !== 'duplicate')!).filter((o) => o.payment.key === p.key);
          const sum = (k: 'payments' | 'grossMinor' | 'refundedMinor' | 'chargebackMinor') => firsts.reduce((s, o) => s + o.delta[k], 0);
          assert.deepEqual([sum('payments'), sum('grossMinor'), sum('refundedMinor'), sum('chargebackMinor')], [1, p.grossMinor, p.refundedMinor, p.chargebackMinor], p.key);
        }
        assert.deepEqual(got.filter((p) => p.refundedMinor > 0).map((p) => p.refundedMinor), [500, 150, 500, 150, 500, 150, 500, 150]);
        assert.deepEqual(got.filter((p) => p.chargebackMinor > 0).map((p) => p.paymentId), ['pi_race_2', 'pi_race_10']);
      } finally {
        await Promise.all([a.close(), b.close(), referenceDb.close()]);
      }
    });
  }
});
