import { fieldLockKeys, queueFieldUpdates, type FieldSync, type FieldsTarget } from '../outbox/field-updates';
import { ledgerLockKeys, paymentAfter } from '../ledger/record-events';
import type { PaymentMessage } from '../contracts/payment-message';
import type { SqlDatabase } from '../store/sql-database';
import { localTime } from './calendar';
import type { ClvPrediction } from './clv/predict';
import { parseSegmentConfig, type SegmentConfig } from './config';
import { mapFields, writeLocalCustomerFields, type CustomerFields } from '../crm/customer-fields';
import { evaluateCustomer, fieldValuesOf, type StatsRow } from './evaluate';
import { anomalyOf, type Flags } from './flags';
import { readPaymentFacts } from '../ledger/payment-facts';
import { isFailedAttempt } from '../ledger/payment-rules';
import { preferencesOf, type Preferences } from './preferences';
import type { RfmScores } from './rfm';
import { latestClvModel, latestRfmRun } from './runs-repository';
import { saveEvaluation, SegmentStatsRepository } from './stats-repository';

export interface SegmentStats {
  payments: number;
  purchaseDays: number;
  grossMinor: number;
  refundedMinor: number;
  chargebackMinor: number;
  netMinor: number;
  averageOrderMinor: number | null;
  disputes: number;
  disputedOpenMinor: number;
  firstSeen: string;
  lastSeen: string;
  preferences: Preferences;
}

/** What the Segment step adds to the message, under `segment`. Flows branch on `segment.name` and `segment.flags`. */
export interface SegmentResult {
  /** updated: this event changed the statistics; unchanged: nothing new in it; duplicate: seen before; skipped: see reason. */
  outcome: 'updated' | 'unchanged' | 'duplicate' | 'skipped';
  reason?: string;
  customerId: string | null;
  currency: string;
  stats?: SegmentStats;
  rfm?: (RfmScores & { runId: string; approximate: boolean }) | null;
  /** The customer's segment ("Champions", "At risk", …); null before the first batch run for rules that need RFM scores. */
  name?: string | null;
  clv?: ClvPrediction | null;
  flags?: Flags;
  /** The CRM fields written (CRM field name → value). */
  crmFields?: CustomerFields;
  /** With a SaaS CRM: the fields queued for it (and, after a flush, whether they reached it). */
  crmSync?: FieldSync;
}

export interface SegmentDeps {
  db: SqlDatabase;
  config?: SegmentConfig;
  /** "local": write the fields into the local CRM's customer_fields in the same transaction; "none": only put them on the output. */
  writeFields?: 'local' | 'none';
  /** A SaaS CRM: the fields are also queued in its outbox, in the same transaction (the store keeps its copy). */
  crm?: FieldsTarget;
  now?: () => Date;
}

const SCOPE = 'segment';

/**
 * Segment step: updates the customer's statistics with this event and says what the customer is now. One
 * transaction per event, idempotent by event id: a replayed or duplicated delivery returns the first answer
 * and changes nothing. What the event changed in money is the payment ledger's answer (recorded here too, a no-op
 * when CRM Upsert already recorded it); the statistics catch up with it.
 */
export async function segmentStep(payload: unknown, deps: SegmentDeps): Promise<PaymentMessage & { segment: SegmentResult }> {
  const facts = readPaymentFacts(payload, 'Segment');
  const message = payload as PaymentMessage;
  const skipReason =
    isFailedAttempt(facts.ledgerEvent) ? 'a failed payment is not a purchase' : facts.customerId === null ? 'no customer: the CRM Upsert step did not link this payment to anyone' : null;
  const config = deps.config ?? parseSegmentConfig();
  const repo = new SegmentStatsRepository(deps.db.dialect);
  const at = deps.now?.() ?? new Date();
  const now = at.toISOString();

  const segment = await deps.db.transaction(async (tx): Promise<SegmentResult> => {
    if (skipReason !== null) {
      // The ledger still learns of it: a dispute of a sale not seen yet counts when the sale arrives.
      await paymentAfter(tx, facts.ledgerEvent, at);
      return { outcome: 'skipped', reason: skipReason, customerId: facts.customerId, currency: facts.currency };
    }
    const claim = await tx.run('INSERT INTO processed_events (scope, event_id, result, processed_at) VALUES (?, ?, ?, ?) ON CONFLICT (scope, event_id) DO NOTHING', [
      SCOPE, facts.eventId, '{}', now,
    ]);
    if (claim.changes === 0) {
      const first = await tx.get<{ result: string }>('SELECT result FROM processed_events WHERE scope = ? AND event_id = ?', [SCOPE, facts.eventId]);
      return { ...(JSON.parse(first?.result ?? '{}') as SegmentResult), outcome: 'duplicate' };
    }
    const payment = await paymentAfter(tx, facts.ledgerEvent, at);
    const local = localTime(Date.parse(payment.occurredAt), config.timeZone);
    const localAt = (iso: string) => localTime(Date.parse(iso), config.timeZone);
    const applied = await repo.apply(tx, payment, { customerId: facts.customerId!, local, localAt, lineItems: facts.lineItems, now });
    const stats = applied.counted ? await repo.stats(tx, applied.customerId, payment.currency) : undefined;
    let result: SegmentResult;
    if (!stats) {
      result = { outcome: 'skipped', reason: 'the payment this event is about has not been seen yet; it is remembered and applied when the payment arrives', customerId: applied.customerId, currency: facts.currency };
    } else {
      const [run, model, counters] = await Promise.all([latestRfmRun(tx, payment.currency), latestClvModel(tx, payment.currency), repo.counters(tx, applied.customerId)]);
      const anomaly = applied.newPayment
        ? anomalyOf(
            { amountMinor: payment.grossMinor, minuteOfDay: local.minuteOfDay, locationId: payment.terminal.locationId ?? payment.terminal.readerId },
            await repo.history(tx, applied.customerId, payment.currency, payment, config.flags.anomaly.window),
            config.flags.anomaly,
          )
        : undefined;
      const evaluation = evaluateCustomer(stats, {
        config, run, model, asOfDay: Math.max(localTime(facts.atMs, config.timeZone).day, stats.lastDay),
        paymentMinor: applied.newPayment ? payment.grossMinor : undefined, anomaly,
      });
      const preferences = preferencesOf(counters, config.hemisphere);
      const crmFields = mapFields(fieldValuesOf(stats, evaluation, preferences), config.crmFields);
      await saveEvaluation(tx, stats, evaluation, now);
      if ((deps.writeFields ?? 'local') === 'local') await writeLocalCustomerFields(tx, applied.customerId, crmFields, now);
      const [crmSync] = deps.crm ? await queueFieldUpdates(tx, deps.crm, [{ customerId: applied.customerId, fields: crmFields }], at) : [];
      result = {
        outcome: applied.changed ? 'updated' : 'unchanged',
        customerId: applied.customerId,
        currency: facts.currency,
        stats: statsView(stats, preferences),
        rfm: evaluation.rfm,
        name: evaluation.segment,
        clv: evaluation.clv,
        flags: evaluation.flags,
        crmFields,
        ...(crmSync ? { crmSync } : {}),
      };
    }
    await tx.run('UPDATE processed_events SET result = ? WHERE scope = ? AND event_id = ?', [JSON.stringify(result), SCOPE, facts.eventId]);
    return result;
  }, { lockKeys: [...ledgerLockKeys([facts.ledgerEvent]), ...fieldLockKeys(deps.crm, [facts.customerId])] });
  return { ...message, segment };
}

function statsView(s: StatsRow, preferences: Preferences): SegmentStats {
  return {
    payments: s.payments,
    purchaseDays: s.purchaseDays,
    grossMinor: s.grossMinor,
    refundedMinor: s.refundedMinor,
    chargebackMinor: s.chargebackMinor,
    netMinor: s.netMinor,
    averageOrderMinor: s.payments > 0 ? Math.round(s.netMinor / s.payments) : null,
    disputes: s.disputes,
    disputedOpenMinor: s.disputedOpenMinor,
    firstSeen: s.firstSeen,
    lastSeen: s.lastSeen,
    preferences,
  };
}
