import { LocalSqlCrm } from '../../../../nodes/core/crm/local-sql-crm';
import { processPayments } from '../../../../nodes/core/pipeline/process-payment';
import { normalizeStripeEvent } from '../../../../nodes/core/sources/stripe-terminal';
import type { SqlDatabase } from '../../../../nodes/core/store/sql-database';
import { keyProviderFromSpec } from '../../../../nodes/core/tokenize/key-provider';
import { chargeObject, paymentIntentObject, stripeEvent } from '../../../../sandbox/simulator/stripe-terminal-events';
import { TEST_TOKEN_KEYS } from '../../../support/temp-store';

export const RACE_EMAIL = 'race@example.com';
const norm = (type: string, object: object, id: string) => normalizeStripeEvent(stripeEvent(type, object, { id }));

/**
 * One customer's day as Stripe delivers it: a PaymentIntent event and a charge event per payment, and for every
 * fourth payment two cumulative refund events (300, then 700 refunded in all). `setup` is the first payment,
 * which creates the customer; `events` is everything after it, which two instances will race on.
 */
export function raceEvents(payments = 20): { setup: unknown[]; events: unknown[]; expected: { payments: number; grossMinor: number; refundedMinor: number } } {
  const setup = [norm('charge.succeeded', chargeObject({ amount: 1000, email: RACE_EMAIL, paymentIntentId: 'pi_race_0', chargeId: 'ch_race_0' }), 'evt_race_0')];
  const events: unknown[] = [];
  let gross = 1000;
  let refunded = 0;
  for (let i = 1; i <= payments; i++) {
    const base = { amount: 1000 + 137 * i, email: RACE_EMAIL, paymentIntentId: `pi_race_${i}`, chargeId: `ch_race_${i}` };
    gross += base.amount;
    events.push(norm('payment_intent.succeeded', paymentIntentObject(base), `evt_pi_${i}`));
    events.push(norm('charge.succeeded', chargeObject({ ...base, card: { fingerprint: 'fp_race' } }), `evt_ch_${i}`));
    if (i % 4 === 1) {
      events.push(norm('charge.refunded', chargeObject({ ...base, amountRefunded: 300 }), `evt_rf_${i}_300`));
      events.push(norm('charge.refunded', chargeObject({ ...base, amountRefunded: 700 }), `evt_rf_${i}_700`));
      refunded += 700;
    }
  }
  return { setup, events, expected: { payments: payments + 1, grossMinor: gross, refundedMinor: refunded } };
}

export interface EventOutcome {
  eventId: string;
  outcome: string;
}

/**
 * One engine instance: the pipeline over `events`, split into `lanes` that run at the same time (an engine
 * handles several deliveries at once). Returns every event's outcome.
 */
export async function runInstance(db: SqlDatabase, events: readonly unknown[], lanes = 3): Promise<EventOutcome[]> {
  const ctx = { keys: keyProviderFromSpec(TEST_TOKEN_KEYS), crm: new LocalSqlCrm(db) };
  const split: unknown[][] = Array.from({ length: lanes }, () => []);
  events.forEach((e, i) => split[i % lanes]!.push(e));
  const done = await Promise.all(
    split.map(async (lane) => {
      const out: EventOutcome[] = [];
      for (const e of lane) {
        const [p] = await processPayments([e], ctx);
        out.push({ eventId: p!.event.id, outcome: p!.upsert.outcome });
      }
      return out;
    }),
  );
  return done.flat();
}
