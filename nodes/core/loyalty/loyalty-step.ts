import { fieldLockKeys, queueFieldUpdates, type FieldSync, type FieldsTarget } from '../outbox/field-updates';
import { ledgerLockKeys, paymentAfter } from '../ledger/record-events';
import { mapFields, writeLocalCustomerFields, type CustomerFields } from '../crm/customer-fields';
import { readPaymentFacts } from '../ledger/payment-facts';
import { isFailedAttempt } from '../ledger/payment-rules';
import type { PaymentMessage } from '../contracts/payment-message';
import type { SqlDatabase, SqlExecutor } from '../store/sql-database';
import { LoyaltyLedger, type LedgerEntry, type Member, type MembershipEvent } from './ledger';
import type { LoyaltyProgram } from './program';

/** What the Loyalty step adds to the message, under `loyalty`. Flows branch on `loyalty.events` (enrolled, tier-changed). */
export interface LoyaltyResult {
  programId: string;
  /** applied: the ledger or membership changed; unchanged: nothing new; duplicate: this event was seen before; skipped: see reason. */
  outcome: 'applied' | 'unchanged' | 'duplicate' | 'skipped';
  reason?: string;
  customerId: string | null;
  member?: Member | null;
  entries: LedgerEntry[];
  events: MembershipEvent[];
  crmFields?: CustomerFields;
  /** With a SaaS CRM: the membership fields queued for it (and, after a flush, whether they reached it). */
  crmSync?: FieldSync;
}

export interface LoyaltyDeps {
  db: SqlDatabase;
  program: LoyaltyProgram;
  /** "local": membership fields into the local CRM in the same transaction; "none": only on the output. */
  writeFields?: 'local' | 'none';
  /** A SaaS CRM: changed membership fields are also queued in its outbox, in the same transaction. */
  crm?: FieldsTarget;
  now?: () => Date;
  /**
   * What a repeat of an event already applied returns. "quiet" (the default): no entries and no events, so a flow
   * does not act on them twice. "first": the first answer's entries and events, for an engine that retries a step
   * whose first answer it may never have received (a Temporal activity whose worker stopped after the commit).
   * Either way the outcome is "duplicate" and nothing changes.
   */
  repeats?: 'quiet' | 'first';
  /**
   * The node this step runs in (an n8n workflow's node, a Node-RED node). Several flows on one store each meet the
   * same event (the thank-you, loyalty-welcome and refund-sync templates side by side): the ledger counts it once,
   * and each node gets the first answer once — its enrollment or tier change included — so the one whose messages
   * they are still sends them; a repeat to the same node is "quiet". Without it, `repeats` decides.
   */
  consumer?: string;
}

export function membershipFields(program: LoyaltyProgram, m: Member): CustomerFields {
  return mapFields({ tier: m.tier, points: m.pointsBalance, heldPoints: m.pointsHeld, memberSince: m.enrolledAt }, program.crmFields);
}

/**
 * The membership as fields: into the store's copy (unless `local` is false) and, with a SaaS CRM, into its outbox,
 * in the caller's transaction.
 */
export async function writeMembership(
  tx: SqlExecutor,
  program: LoyaltyProgram,
  m: Member,
  at: Date,
  to: { local?: boolean; crm?: FieldsTarget } = {},
): Promise<{ fields: CustomerFields; crmSync?: FieldSync }> {
  const fields = membershipFields(program, m);
  if (to.local ?? true) await writeLocalCustomerFields(tx, m.customerId, fields, at.toISOString());
  const [crmSync] = to.crm ? await queueFieldUpdates(tx, to.crm, [{ customerId: m.customerId, fields }], at) : [];
  return crmSync ? { fields, crmSync } : { fields };
}

/**
 * Loyalty step: earns, reverses, holds and releases points for this payment event and enrols or re-tiers the
 * customer. One transaction; idempotent per event (a repeat returns the first answer) and per ledger entry (see
 * ledger.ts), so duplicate deliveries and replays change nothing. What the event changed in money is the payment
 * ledger's answer (recorded here too, a no-op when CRM Upsert already recorded it).
 */
export async function loyaltyStep(payload: unknown, deps: LoyaltyDeps): Promise<PaymentMessage & { loyalty: LoyaltyResult }> {
  const facts = readPaymentFacts(payload, 'Loyalty');
  const message = payload as PaymentMessage;
  const { program } = deps;
  const base = { programId: program.id, customerId: facts.customerId, entries: [], events: [] };
  const skipReason =
    isFailedAttempt(facts.ledgerEvent) ? 'a failed payment earns nothing'
      : facts.customerId === null ? 'no customer: the CRM Upsert step did not link this payment to anyone'
        : null;
  // The payment's currency, not the event's: a report naming another currency than its sale's (a refund, a dispute)
  // would otherwise bring a sale of another currency into the program, or keep one of its own out of it.
  const otherCurrency = (currency: string) => `the payment is in ${currency}; the program "${program.id}" counts ${program.currency} only`;
  const ledger = new LoyaltyLedger(program);
  const at = deps.now?.() ?? new Date();
  const now = at.toISOString();
  const scope = `loyalty:${program.id}`;

  const loyalty = await deps.db.transaction(async (tx): Promise<LoyaltyResult> => {
    if (skipReason !== null) {
      // The ledger still learns of it: a dispute of a sale not seen yet counts when the sale arrives.
      await paymentAfter(tx, facts.ledgerEvent, at);
      return { ...base, outcome: 'skipped', reason: skipReason };
    }
    // Until its sale arrives, a payment is in the currency it was first heard in; the sale fixes it (ledger payment-rules).
    const payment = await paymentAfter(tx, facts.ledgerEvent, at);
    if (payment.currency !== program.currency) return { ...base, outcome: 'skipped', reason: otherCurrency(payment.currency) };
    const claim = await tx.run('INSERT INTO processed_events (scope, event_id, result, processed_at) VALUES (?, ?, ?, ?) ON CONFLICT (scope, event_id) DO NOTHING', [
      scope, facts.eventId, '{}', now,
    ]);
    const newToConsumer = deps.consumer === undefined ? undefined : (await tx.run(
      'INSERT INTO processed_events (scope, event_id, result, processed_at) VALUES (?, ?, ?, ?) ON CONFLICT (scope, event_id) DO NOTHING',
      [`${scope}:met-by:${deps.consumer}`, facts.eventId, '{}', now],
    )).changes === 1;
    if (claim.changes === 0) {
      const first = await tx.get<{ result: string }>('SELECT result FROM processed_events WHERE scope = ? AND event_id = ?', [scope, facts.eventId]);
      const answered = JSON.parse(first?.result ?? '{}') as LoyaltyResult;
      return (newToConsumer ?? deps.repeats === 'first')
        ? { ...answered, outcome: 'duplicate', entries: answered.entries ?? [], events: answered.events ?? [] }
        : { ...answered, outcome: 'duplicate', entries: [], events: [] };
    }
    const { entries, events, customerId, membershipMoved } = await ledger.apply(tx, payment, { eventId: facts.eventId, occurredAt: facts.occurredAt, customerId: facts.customerId! }, now);
    const member = (await ledger.member(tx, customerId)) ?? null;
    const changed = entries.length > 0 || events.length > 0 || membershipMoved;
    const local = (deps.writeFields ?? 'local') === 'local';
    // A membership a void took back (no tier, no points, no member-since) or moved goes to the CRM too, or it would keep the old one.
    const written = member && (member.enrolled || membershipMoved) && changed && (local || deps.crm)
      ? await writeMembership(tx, program, member, at, { local, crm: deps.crm }) : undefined;
    const crmFields = written?.fields ?? (member?.enrolled ? membershipFields(program, member) : undefined);
    const result: LoyaltyResult = {
      ...base, customerId, outcome: changed ? 'applied' : 'unchanged', member, entries, events,
      ...(crmFields ? { crmFields } : {}), ...(written?.crmSync ? { crmSync: written.crmSync } : {}),
    };
    await tx.run('UPDATE processed_events SET result = ? WHERE scope = ? AND event_id = ?', [JSON.stringify(result), scope, facts.eventId]);
    return result;
  }, { lockKeys: [...ledgerLockKeys([facts.ledgerEvent]), ...fieldLockKeys(deps.crm, [facts.customerId])] });
  return { ...message, loyalty };
}
