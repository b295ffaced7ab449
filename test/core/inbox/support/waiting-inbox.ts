import type { PaymentEvent } from '../../../../nodes/core/contracts/payment-event';
import { SqlInbox } from '../../../../nodes/core/inbox/inbox';
import { claimWaitingEvents, redriveInbox, redriveIntoWorkflows } from '../../../../nodes/core/inbox/redrive';
import { normalizeAdyenItem } from '../../../../nodes/core/sources/adyen-normalize';
import { normalizeStripeEvent } from '../../../../nodes/core/sources/stripe-terminal';
import type { SqlDatabase } from '../../../../nodes/core/store/sql-database';
import { chargeObject, stripeEvent } from '../../../../sandbox/simulator/stripe-terminal-events';
import { testKeys } from '../../../support/temp-store';
import adyenSwipe from '../../sources/fixtures/adyen/authorisation-swipe.json';

const MIN = 60_000;
export const REDRIVE_FAILURE = 'HubSpot: 502 Bad Gateway on POST /crm/v3/objects/contacts/batch/upsert';
/** The id the worker's classic payment workflow (paymentToCrm) takes for an event: payment-<event id>. */
export const workflowIdOf = (event: Pick<PaymentEvent, 'id'>) => `payment-${event.id}`;

function stripeSale(n: number, at: number): PaymentEvent {
  const created = Math.floor(at / 1000);
  return normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ chargeId: `ch_inboxreport_${n}`, amount: 1000 + n, created, email: `inbox${n}@example.com`, card: { fingerprint: `fp_inboxreport_${n}` } }), { id: `evt_1InboxReport${n}${'B'.repeat(14)}`, created }));
}

/**
 * An inbox as triggers and redrives leave it, `now` being the report's time, through the real SqlInbox and redrive:
 * `claimed` (stripe, accepted an hour ago) is held by a redrive right now; `handed` (stripe, 55 minutes ago) was
 * handed to its workflow by the worker's redrive 20 minutes ago, whose claim has run out while the workflow runs;
 * `failed` (stripe, 50 minutes ago) failed a redrive 30 minutes ago, whose claim has run out; `done` (stripe, 40
 * minutes ago) was recorded; `adyen` (10 minutes ago) waits for its first redrive; `recent` (stripe, 1 minute ago) is
 * younger than the default 5-minute grace.
 */
export async function fillInbox(db: SqlDatabase, now: number) {
  const inbox = new SqlInbox(db, testKeys(), 'test-trigger');
  const item = structuredClone(adyenSwipe.notificationItems[0]!.NotificationRequestItem);
  item.pspReference = 'INBOXREPORT00001';
  const e = {
    claimed: stripeSale(1, now - 60 * MIN),
    handed: stripeSale(5, now - 55 * MIN),
    failed: stripeSale(2, now - 50 * MIN),
    done: stripeSale(3, now - 40 * MIN),
    adyen: normalizeAdyenItem({ live: false, NotificationRequestItem: item }),
    recent: stripeSale(4, now - MIN),
  };
  await inbox.accept([e.claimed], new Date(now - 60 * MIN));
  await inbox.accept([e.handed], new Date(now - 55 * MIN));
  await inbox.accept([e.failed], new Date(now - 50 * MIN));
  await inbox.accept([e.done], new Date(now - 40 * MIN));
  await inbox.accept([e.adyen], new Date(now - 10 * MIN));
  await inbox.accept([e.recent], new Date(now - MIN));
  await inbox.markDone([e.done.id]);
  // A redrive (the worker's, say) took the oldest 2 minutes ago: its 5-minute claim still holds it.
  await claimWaitingEvents(db, new Date(now - 2 * MIN), { olderThanMs: 5 * MIN, limit: 1 });
  // The worker's redrive, 20 minutes ago, took the oldest it could (`handed`: `claimed` is held) and started its
  // workflow; its 5-minute claim has run out since.
  const worker = await redriveIntoWorkflows(db, (event) => Promise.resolve(workflowIdOf(event as PaymentEvent)), { olderThanMs: 5 * MIN, limit: 1, now: () => new Date(now - 20 * MIN) });
  if (worker.redriven.map((r) => r.eventId).join() !== e.handed.id) throw new Error(`the worker's redrive took ${JSON.stringify(worker.redriven)}`);
  // An earlier redrive, 30 minutes ago, took what had waited 5 minutes then and was not claimed: `failed` alone
  // (the worker's claim of `handed`, until 15 minutes ago, kept it off).
  const run = await redriveInbox(db, () => Promise.reject(new Error(REDRIVE_FAILURE)), { olderThanMs: 5 * MIN, now: () => new Date(now - 30 * MIN) });
  if (run.failed.map((f) => f.eventId).join() !== e.failed.id) throw new Error(`the redrive took ${JSON.stringify(run.failed)}`);
  return e;
}
