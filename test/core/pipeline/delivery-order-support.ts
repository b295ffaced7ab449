import assert from 'node:assert/strict';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { loyaltyStep } from '../../../nodes/core/loyalty/loyalty-step';
import type { parseLoyaltyProgram } from '../../../nodes/core/loyalty/program';
import { segmentStep } from '../../../nodes/core/segment/segment-step';
import { matchStep, tokenizeStep, upsertStep } from '../../../nodes/core/steps/steps';
import { permutations } from '../../support/permutations';
import { tempStore, testKeys } from '../../support/temp-store';
import type { DialectStore } from '../../support/both-dialects';
import { LocalSqlCrm } from '../../../nodes/core/crm/local-sql-crm';
import { migrate } from '../../../nodes/core/store/migrations';

type Store = Awaited<ReturnType<typeof tempStore>>;
type Program = ReturnType<typeof parseLoyaltyProgram>;

/**
 * One delivery of a sale: what the pack heard from one notification (one event for most processors; for Clover and
 * SumUp, whose notifications only name the payment, every event the payment read back then gives). A function is
 * heard when the delivery arrives: what the source makes of it depends on what the store holds by then (a Clover void
 * naming no amount reads the ledger's sale).
 */
export interface Delivery {
  role: string;
  event: Heard | (() => Promise<Heard>);
}

type Heard = PaymentEvent | readonly PaymentEvent[];

/**
 * A returning shopper's earlier sale (what makes them a customer), then the deliveries about one sale of theirs. No
 * earlier sale where the processor names nothing to know a shopper again by (SumUp): the sale makes its customer.
 */
export interface OrderedSale {
  earlier?: PaymentEvent | readonly PaymentEvent[];
  events: readonly Delivery[];
  /** The sale's payment id at the processor. */
  pay: string;
  /** Adyen's capture pspReferences by role, for ledger_captures. */
  captures?: Map<string, string>;
}

export type Outcome = Awaited<ReturnType<DeliveryOrder['outcome']>>;

const batch = (e: PaymentEvent | readonly PaymentEvent[]): readonly PaymentEvent[] => (Array.isArray(e) ? e : [e as PaymentEvent]);

/**
 * Delivers a sale's events in every order through tokenize → match → CRM upsert (the local store) → segment →
 * loyalty (a program without tiers and one with), and compares everything the store keeps of the shopper: the ledger
 * payment (and its captures), customer_totals, segment_stats and segment_counters, loyalty members in both programs,
 * the sale's transactions, and that no customer but the shopper was made.
 */
export class DeliveryOrder {
  s!: Store;
  readonly keys = testKeys();

  constructor(readonly source: string, readonly program: Program, readonly tiered: Program) {}

  /** A fresh SQLite store; or, given one, a store of that dialect at the newest schema. */
  async open(store?: DialectStore) {
    if (!store) {
      this.s = await tempStore();
      return;
    }
    const db = await store.open();
    await migrate(db);
    this.s = { db, crm: new LocalSqlCrm(db), url: '', remove: () => db.close() };
  }
  async close() { await this.s.remove(); }

  async deliver(event: PaymentEvent) {
    const { s } = this;
    const [recorded] = await upsertStep([await matchStep(tokenizeStep(event, this.keys), s.crm)], s.crm);
    await segmentStep(recorded, { db: s.db });
    await loyaltyStep(recorded, { db: s.db, program: this.program });
    await loyaltyStep(recorded, { db: s.db, program: this.tiered });
    return recorded!.crm!;
  }

  /** Delivers each event of a delivery in turn; the customer the last one was recorded for. */
  async deliverAll(event: Delivery['event']) {
    let crm: Awaited<ReturnType<DeliveryOrder['deliver']>> | undefined;
    for (const e of batch(typeof event === 'function' ? await event() : event)) crm = await this.deliver(e);
    return crm!;
  }

  /** Everything the order could change: the payment, its captures, the sale's transactions, and the shopper's totals everywhere. */
  async outcome(shopper: string, pay: string, captures: Map<string, string> = new Map()) {
    const { s, source } = this;
    // Each sale is its own shopper's: their id and card differ from sale to sale, and are checked apart.
    const { paymentId: _p, key: _k, customerId, card: { token: _t, last4: _l, ...card }, ...payment } = (await paymentState(s.db, source, pay))!;
    assert.equal(customerId, shopper);
    const roleOf = new Map([...captures].map(([role, psp]) => [psp, role]));
    const captureRows = (await s.db.all<{ capture_id: string; amount_minor: number; currency: string; failed_at: string | null; captured_at: string | null }>(
      'SELECT capture_id, amount_minor, currency, failed_at, captured_at FROM ledger_captures WHERE source = ? AND payment_id = ?', [source, pay],
    )).map(({ capture_id, ...r }) => ({ capture: roleOf.get(capture_id), ...r, amount_minor: Number(r.amount_minor) })).sort((a, b) => String(a.capture).localeCompare(String(b.capture)));
    // Row by row: each event's own row (its ids differ from sale to sale, so it goes by its time and kind).
    const transactions = (await s.db.all<{ kind: string; amount_minor: number; currency: string; customer_id: string | null; occurred_at: string }>(
      'SELECT kind, amount_minor, currency, customer_id, occurred_at FROM transactions WHERE source = ? AND payment_id = ?', [source, pay],
    )).map((t) => ({ kind: t.kind, amount_minor: Number(t.amount_minor), currency: t.currency, customer: t.customer_id === shopper ? 'shopper' : t.customer_id, occurred_at: t.occurred_at }))
      .sort((a, b) => a.occurred_at.localeCompare(b.occurred_at) || a.kind.localeCompare(b.kind) || a.amount_minor - b.amount_minor || a.currency.localeCompare(b.currency) || String(a.customer).localeCompare(String(b.customer)));
    const totals = await s.db.all('SELECT currency, payments, gross_minor, refunded_minor, first_seen, last_seen FROM customer_totals WHERE customer_id = ?', [shopper]);
    const segment = await s.db.all(
      `SELECT currency, payments, purchase_days, gross_minor, refunded_minor, chargeback_minor, disputes, first_seen, last_seen, first_day, last_day,
         first_day_value_minor FROM segment_stats WHERE customer_id = ?`, [shopper],
    );
    const counters = await s.db.all('SELECT dimension, item, hits, amount_minor FROM segment_counters WHERE customer_id = ? ORDER BY dimension, item', [shopper]);
    const loyalty = await s.db.all(
      `SELECT lifetime_spend_minor, visits, points_balance, points_held, points_earned, enrolled_at, tier FROM loyalty_members
       WHERE program_id = ? AND customer_id = ?`, [this.program.id, shopper],
    );
    return { payment: { ...payment, card }, captureRows, transactions, totals, segment, counters, loyalty, tiers: await this.members(this.tiered.id, shopper) };
  }

  /** A program's member, and what its points ledger adds up to (the balance is always the sum of the ledger). */
  async members(programId: string, shopper: string) {
    const { s } = this;
    const member = await s.db.all<{ lifetime_spend_minor: number; visits: number; points_balance: number; points_held: number; points_earned: number; enrolled_at: string; tier: string | null }>(
      `SELECT lifetime_spend_minor, visits, points_balance, points_held, points_earned, enrolled_at, tier FROM loyalty_members
       WHERE program_id = ? AND customer_id = ?`, [programId, shopper],
    );
    const ledger = await s.db.get<{ points: number; held: number }>(
      'SELECT COALESCE(SUM(points), 0) AS points, COALESCE(SUM(held_points), 0) AS held FROM loyalty_ledger WHERE program_id = ? AND customer_id = ?', [programId, shopper],
    );
    assert.deepEqual(member.map((m) => [Number(m.points_balance), Number(m.points_held)]), member.length ? [[Number(ledger!.points), Number(ledger!.held)]] : [], 'the balance is the sum of the ledger');
    return member;
  }

  async customerCount() {
    return Number((await this.s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM customers'))!.n);
  }

  /**
   * Every order of the sale's deliveries (the first `roles` of them), each sale its own shopper; the natural order (as
   * listed) first. Each order makes exactly one customer, the shopper, whatever it hears first.
   */
  async everyOrder(scenario: (n: number) => Promise<OrderedSale>, roles: number, shoppers = roles * 1000, compared = (r: Outcome): unknown => r) {
    const orders = permutations([...Array(roles).keys()]);
    const results: { order: string; result: Outcome }[] = [];
    for (const [n, order] of orders.entries()) {
      const { earlier, events, pay, captures } = await scenario(shoppers + n);
      const before = await this.customerCount();
      const returning = earlier ? (await this.deliverAll(earlier)).customerId : undefined;
      assert.ok(!earlier || returning, 'the earlier sale makes the shopper a customer');
      for (const i of order) await this.deliverAll(events[i]!.event);
      const label = order.map((i) => events[i]!.role).join(', ');
      const shopper = returning ?? (await paymentState(this.s.db, this.source, pay))!.customerId!;
      assert.equal(await this.customerCount(), before + 1, `${label}: no customer made but the shopper`);
      results.push({ order: label, result: await this.outcome(shopper, pay, captures) });
    }
    const natural = results[0]!.result;
    for (const r of results.slice(1)) assert.deepEqual(compared(r.result), compared(natural), r.order);
    return natural;
  }
}
