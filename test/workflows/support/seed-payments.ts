import type { LoyaltyProgram } from '../../../nodes/core/loyalty/program';
import { loyaltyStep } from '../../../nodes/core/loyalty/loyalty-step';
import { segmentStep } from '../../../nodes/core/segment/segment-step';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import type { PaymentMessage } from '../../../nodes/core/contracts/payment-message';
import { matchStep, openCrm, tokenizeStep, upsertStep } from '../../../nodes/core/steps/steps';
import { openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { chargeObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import type { RecordedMessage } from '../../../workflows/activity-contracts/payment-activities';
import { testKeys } from '../../support/temp-store';

export interface SeedPayment {
  email: string;
  amount: number;
  at: string;
}

/** Six customers' sales in May 2025, each with another recency, frequency and spend. */
export const MAY_SALES: readonly SeedPayment[] = [
  ...[1, 2, 3].map((d) => ({ email: 'ana@example.com', amount: 2500, at: `2025-05-0${d}T10:00:00Z` })),
  { email: 'ben@example.com', amount: 900, at: '2025-05-04T11:00:00Z' },
  ...[5, 9].map((d) => ({ email: 'chloe@example.com', amount: 4100, at: `2025-05-${String(d).padStart(2, '0')}T12:00:00Z` })),
  { email: 'dev@example.com', amount: 15000, at: '2025-05-20T09:30:00Z' },
  ...[21, 22, 23, 24].map((d) => ({ email: 'eve@example.com', amount: 700, at: `2025-05-${d}T08:15:00Z` })),
  { email: 'fay@example.com', amount: 3300, at: '2025-05-28T17:45:00Z' },
];

/** The payment path as the Temporal activities or the core steps run it; `recorded` is what CRM Upsert put out. */
export interface PaymentPath {
  tokenize(event: PaymentEvent): Promise<PaymentMessage> | PaymentMessage;
  match(message: PaymentMessage): Promise<PaymentMessage>;
  upsert(message: PaymentMessage): Promise<PaymentMessage>;
  segment(recorded: PaymentMessage): Promise<unknown>;
  loyalty(recorded: PaymentMessage): Promise<unknown>;
}

/** The core steps on a store, shaped like the activities: for tests of faces that run without Temporal. */
export function coreSteps(storeUrl: string, program: LoyaltyProgram | null): PaymentPath {
  const keys = testKeys();
  return {
    tokenize: (event) => tokenizeStep(event, keys),
    match: async (message) => matchStep(message, await openCrm({ storeUrl })),
    upsert: async (message) => (await upsertStep([message], await openCrm({ storeUrl })))[0]!,
    segment: async (recorded) => segmentStep(recorded, { db: await openDatabase(storeUrl) }),
    loyalty: async (recorded) => (program ? loyaltyStep(recorded, { db: await openDatabase(storeUrl), program }) : null),
  };
}

/** Card sales through the payment path, called directly (no workflow): what the store holds after a day's trade. */
export async function seedPayments(path: PaymentPath, payments: readonly SeedPayment[]): Promise<RecordedMessage[]> {
  const out: RecordedMessage[] = [];
  for (const p of payments) {
    const charge = chargeObject({ amount: p.amount, email: p.email, card: { fingerprint: `fp_${p.email}` } });
    const event = normalizeStripeEvent(stripeEvent('charge.succeeded', charge, { created: Date.parse(p.at) / 1000 }));
    const recorded = (await path.upsert(await path.match(await path.tokenize(event)))) as RecordedMessage;
    await path.segment(recorded);
    await path.loyalty(recorded);
    out.push(recorded);
  }
  return out;
}

/** RFM by its definition, computed here from the seeded sales: 1 + ⌊5 · (customers with a smaller value) / customers⌋. */
export function expectedRfm(payments: readonly SeedPayment[]): Map<string, { r: number; f: number; m: number }> {
  const byEmail = new Map<string, { lastDay: number; f: number; m: number }>();
  for (const p of payments) {
    const c = byEmail.get(p.email) ?? { lastDay: 0, f: 0, m: 0 };
    byEmail.set(p.email, { lastDay: Math.max(c.lastDay, Math.floor(Date.parse(p.at) / 86_400_000)), f: c.f + 1, m: c.m + p.amount });
  }
  const all = [...byEmail.values()];
  const score = (v: number, pick: (c: { lastDay: number; f: number; m: number }) => number) => 1 + Math.floor((5 * all.filter((c) => pick(c) < v).length) / all.length);
  return new Map([...byEmail].map(([email, c]) => [email, { r: score(c.lastDay, (x) => x.lastDay), f: score(c.f, (x) => x.f), m: score(c.m, (x) => x.m) }]));
}

/** Each seeded customer's stored scores and the run they came from, keyed by email. */
export async function storedRfm(db: SqlDatabase): Promise<Map<string, { r: number; f: number; m: number; runId: string | null }>> {
  const rows = await db.all<{ email: string; r: number; f: number; m: number; run_id: string | null }>(
    `SELECT c.email, s.rfm_r AS r, s.rfm_f AS f, s.rfm_m AS m, s.rfm_run_id AS run_id
     FROM segment_stats s JOIN customers c ON c.id = s.customer_id ORDER BY c.email`,
  );
  return new Map(rows.map((row) => [row.email, { r: Number(row.r), f: Number(row.f), m: Number(row.m), runId: row.run_id }]));
}
