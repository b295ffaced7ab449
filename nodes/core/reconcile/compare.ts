import { crmPaymentOf } from '../crm/saas/crm-payment';
import { paymentKeyOf } from '../ledger/ledger-event';
import { ledgerPaymentOf, readRecords, type LedgerPayment } from '../ledger/payment-rows';
import { paymentsOf as ledgerPage } from '../ledger/read-payments';
import { recordSyncStates } from '../crm/crm-sync-state';
import type { CrmPayment } from '../crm/saas/crm-adapter';
import type { SqlExecutor } from '../store/sql-database';
import type { Difference, DuplicatedFinding, MismatchedFinding, MissingFinding, PaymentFacts, UnknownFinding } from './findings';

type Reader = Pick<SqlExecutor, 'all'>;

export interface Findings {
  /** Payments the ledger holds for the window. */
  ledgerPayments: number;
  missing: MissingFinding[];
  duplicated: DuplicatedFinding[];
  mismatched: MismatchedFinding[];
  unknown: UnknownFinding[];
}

export function factsOf(p: LedgerPayment): PaymentFacts {
  return { currency: p.currency, amountMinor: p.grossMinor, refundedMinor: p.refundedMinor, status: p.status, occurredAt: p.occurredAt };
}

/**
 * The processor's payments of a window against the ledger, and the ledger against a SaaS CRM's outbox and link
 * table when one is named. Only payments the processor saw made count: a failed attempt is nobody's money.
 */
export async function compareWithLedger(
  db: Reader,
  source: string,
  window: { since: Date; until: Date },
  processor: ReadonlyMap<string, LedgerPayment>,
  crm?: string,
): Promise<Findings> {
  const inWindow = await ledgerPaymentsIn(db, source, window);
  const ledger = await readRecords(db, [...processor.values()].map((p) => ({ source: p.source, paymentId: p.paymentId })));
  const out: Findings = { ledgerPayments: inWindow.size, missing: [], duplicated: [], mismatched: [], unknown: [] };

  for (const [key, p] of processor) {
    if (!p.counted) continue;
    const stored = ledger.get(key);
    const l = stored && ledgerPaymentOf(stored);
    if (!l || !l.counted) {
      out.missing.push({ key, from: 'ledger', processor: factsOf(p), ...(l ? { ledger: factsOf(l) } : {}) });
      continue;
    }
    inWindow.set(key, l);
    const differences: Difference[] = [];
    if (l.currency !== p.currency) differences.push({ field: 'currency', expected: p.currency, found: l.currency });
    if (l.grossMinor !== p.grossMinor) differences.push({ field: 'amount', expected: p.grossMinor, found: l.grossMinor });
    if (l.refundedMinor !== p.refundedMinor) differences.push({ field: 'refunded', expected: p.refundedMinor, found: l.refundedMinor });
    // Histories list sales and refunds, not disputes: a disputed payment's status is the ledger's to tell.
    if (l.status !== p.status && l.disputePhase === null) differences.push({ field: 'status', expected: p.status, found: l.status });
    if (differences.length) out.mismatched.push({ key, in: 'ledger', differences });
  }
  for (const [key, l] of inWindow) if (l.counted && !processor.has(key)) out.unknown.push({ key, ledger: factsOf(l) });

  const keys = [...new Set([...processor.keys(), ...inWindow.keys()])].map((k) => k.slice(source.length + 1));
  out.duplicated.push(...(await duplicatesOf(db, source, keys)));
  if (crm) {
    const crmFindings = await compareWithCrm(db, crm, [...inWindow.values()]);
    out.missing.push(...crmFindings.missing);
    out.mismatched.push(...crmFindings.mismatched);
  }
  return out;
}

async function ledgerPaymentsIn(db: Reader, source: string, window: { since: Date; until: Date }): Promise<Map<string, LedgerPayment>> {
  const out = new Map<string, LedgerPayment>();
  let cursor: string | null = null;
  do {
    const page = await ledgerPage(db, { source, since: window.since.toISOString(), until: window.until.toISOString(), limit: 1000, cursor });
    for (const p of page.payments) out.set(p.key, p);
    cursor = page.next;
  } while (cursor);
  return out;
}

/** A payment counted more than once by the ledger's own events, or with more than one sale row in the local CRM. */
async function duplicatesOf(db: Reader, source: string, paymentIds: readonly string[]): Promise<DuplicatedFinding[]> {
  const out: DuplicatedFinding[] = [];
  for (let i = 0; i < paymentIds.length; i += 400) {
    const chunk = paymentIds.slice(i, i + 400);
    const marks = chunk.map(() => '?').join(', ');
    const counted = await db.all<{ payment_id: string; n: number }>(
      `SELECT payment_id, SUM(payments) AS n FROM ledger_events WHERE source = ? AND payment_id IN (${marks}) GROUP BY payment_id HAVING SUM(payments) > 1`,
      [source, ...chunk],
    );
    for (const r of counted) out.push({ key: paymentKeyOf({ source, paymentId: r.payment_id }), in: 'ledger', count: Number(r.n) });
    const rows = await db.all<{ payment_id: string; n: number }>(
      `SELECT payment_id, COUNT(*) AS n FROM transactions WHERE source = ? AND kind = 'payment' AND payment_id IN (${marks}) GROUP BY payment_id HAVING COUNT(*) > 1`,
      [source, ...chunk],
    );
    for (const r of rows) out.push({ key: paymentKeyOf({ source, paymentId: r.payment_id }), in: 'transactions', count: Number(r.n) });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Each payment the CRM should hold (counted, with a customer) against what was queued for it: never queued nor
 * linked, or given up (rejected, dead), is missing there; a newest queued record whose money differs from the
 * ledger's is stale. (Synced rows are deleted after a day: then the link alone says the CRM has it.)
 */
async function compareWithCrm(db: Reader, crm: string, payments: readonly LedgerPayment[]): Promise<Pick<Findings, 'missing' | 'mismatched'>> {
  const expected = new Map(payments.flatMap((p) => {
    const record = crmPaymentOf(p);
    return record ? [[record.externalId, { record, facts: factsOf(p) }] as const] : [];
  }));
  const out: Pick<Findings, 'missing' | 'mismatched'> = { missing: [], mismatched: [] };
  if (expected.size === 0) return out;
  const states = await recordSyncStates(db, crm, [...expected.keys()].map((externalId) => ({ kind: 'payment' as const, externalId })));
  const sent = await newestQueued(db, crm, [...expected.keys()]);
  for (const [key, { record, facts }] of expected) {
    const state = states.get(`payment\u0000${key}`);
    if (!state || state.status === 'rejected' || state.status === 'dead') {
      out.missing.push({ key, from: 'crm', ledger: facts });
      continue;
    }
    const last = sent.get(key);
    if (!last) continue;
    const differences: Difference[] = [];
    if (last.amount?.currency !== record.amount.currency) differences.push({ field: 'currency', expected: record.amount.currency, found: String(last.amount?.currency) });
    if (last.amount?.minor !== record.amount.minor) differences.push({ field: 'amount', expected: record.amount.minor, found: Number(last.amount?.minor) });
    if (last.refunded?.minor !== record.refunded.minor) differences.push({ field: 'refunded', expected: record.refunded.minor, found: Number(last.refunded?.minor) });
    if (last.status !== record.status) differences.push({ field: 'status', expected: record.status, found: String(last.status) });
    if (differences.length) out.mismatched.push({ key, in: 'crm', differences });
  }
  return out;
}

async function newestQueued(db: Reader, crm: string, keys: readonly string[]): Promise<Map<string, Partial<CrmPayment>>> {
  const out = new Map<string, Partial<CrmPayment>>();
  for (let i = 0; i < keys.length; i += 400) {
    const chunk = keys.slice(i, i + 400);
    // Row ids grow with the time they were queued (outbox/enqueue.ts): the last one per record is the newest.
    const rows = await db.all<{ external_id: string; payload: string }>(
      `SELECT external_id, payload FROM outbox WHERE crm = ? AND kind = 'payment' AND state <> 'rejected' AND state <> 'dead' AND external_id IN (${chunk.map(() => '?').join(', ')}) ORDER BY id`,
      [crm, ...chunk],
    );
    for (const r of rows) out.set(r.external_id, JSON.parse(r.payload) as Partial<CrmPayment>);
  }
  return out;
}
