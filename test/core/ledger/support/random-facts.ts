import { Rng } from '../../../../bench/match/rng';
import { DISPUTE_AMOUNT_UNSTATED, type PaymentEvent } from '../../../../nodes/core/contracts/payment-event';

/**
 * Random "fact sets" for one terminal sale, each fact a PaymentEvent shaped as the processor's source makes it (the
 * shapes adyen-normalize.ts, stripe-terminal.ts, square-normalize.ts, clover-payment.ts and sumup emit, and the ledger
 * tests build with support/events.ts), for the order-independence property test. Seeded: the same seed gives the same
 * facts on every machine.
 *
 * What a processor could send, per profile:
 * - adyen: the AUTHORISATION (the sale: card, terminal), AUTHORISATION_ADJUSTMENTs (sale.adjusted) before any capture,
 *   0–3 CAPTUREs by their own pspReference (sale.captureId) adding up to at most what was authorised (or one capture
 *   of up to 20% more: a tip), a CAPTURE_FAILED of some (sale.voided with the capture id, after its capture or heard
 *   alone), a re-capture after a failure, a CANCELLATION or expiry of the rest (sale.voided, no capture id), refunds
 *   (REFUND, each its own amount and pspReference) of what was captured, REFUND_FAILED of some, and dispute reports
 *   (CHARGEBACK, CHARGEBACK_REVERSED, SECOND_CHARGEBACK) stating their amount;
 * - stripe: the PaymentIntent and its charge (two payment events of one amount), charge.refunded running totals
 *   (refundedTotal, no refund object; the total only growing in Stripe's time), a refund that failed afterwards by its
 *   id (refund.failed: refund.reversed), disputes stating their amount;
 * - square: the payment, refunds by id (refund.updated) and the listing's running total of them, disputes whose
 *   amount_money may be null (the payment's total, DISPUTE_AMOUNT_UNSTATED);
 * - clover / sumup: the sale, a tip adjusted (clover: sale.adjusted, the auth's new total), refunds by id with some
 *   voided (reversed), and the payment read VOIDED / CANCELLED (sale.voided).
 * Every profile may have a declined attempt first (a failure, no sale flag). In one set in three, what follows the sale
 * and its captures (refunds, reversals, dispute reports, a void read later) comes months after it.
 *
 * Money in another currency than the sale's (one set in four: a processor or a misconfigured reader naming another
 * currency for the same payment): a refund (with its running totals and reversals), a capture (with its failure and
 * re-capture), an adjustment or a dispute report, each in the other currency now and then; a running total shares its
 * refund's currency and a re-capture its capture's, while a refund's reversal or a capture's failure now and then names
 * the other currency than the refund's or capture's (which no processor's report does, but a reading of one could: the
 * ledger keeps a refund or capture by its id in one currency, so such a report takes nothing back, in any order). The
 * sale is in EUR, or in USD with the other money in EUR.
 *
 * Adyen's unreferenced refunds (REFUND_WITH_DATA, the only source that records one: refund.unreferenced, a payment of
 * its own under its pspReference; Square's unlinked refunds, Stripe's refunds of no charge and the Terminal API's are
 * acknowledged and not recorded): one set in three of adyen's holds one to the sale's card, sometimes taken back by a
 * VOID_PENDING_REFUND or a REFUND_FAILED under its own pspReference, or by a REFUND_FAILED naming an originalReference
 * of no payment we know (recorded there when heard first, until the refund arrives). One naming the shopper's own sale
 * is left out: heard first it stays recorded on the sale, an event there that changes nothing (README, "Adyen's
 * unreferenced refunds"), so that sale's row differs by design (adyen-unreferenced-refund-reversal.test.ts holds it).
 */
export type Profile = 'adyen' | 'stripe' | 'square' | 'clover' | 'sumup';

export interface Fact {
  /** What the processor reported, for a counterexample's message. */
  role: string;
  event: PaymentEvent;
}

/** The payment id of an unreferenced refund (its pspReference), and of the payment a reversal of it may name. */
export const UNREFERENCED = 'ur';
export const ELSEWHERE = 'elsewhere';

export function randomFacts(rng: Rng, profile: Profile = rng.pick(['adyen', 'stripe', 'square', 'clover', 'sumup'] as const)): Fact[] {
  const facts: Fact[] = [];
  // Times on a coarse grid (hours of a few days), so two reports at one instant happen.
  let clock = 0;
  const later = (max = 6) => (clock += rng.int(max + 1));
  const timeOf = (h: number) => new Date(Date.UTC(2025, 5, 1, 8) + h * 3_600_000).toISOString();
  const amount = 500 + rng.int(200) * 50;
  let n = 0;
  const fact = (role: string, over: Partial<PaymentEvent> & Pick<PaymentEvent, 'kind' | 'amount' | 'status'>, at: number, card?: PaymentEvent['card']): void => {
    facts.push({
      role: `${role}@${at}`,
      event: {
        schemaVersion: 1, id: `${profile}:evt-${++n}`, source: profile, type: role.split(' ')[0]!, paymentId: 'pay', occurredAt: timeOf(at), livemode: true,
        ...(card ? { card } : {}), customerHints: {}, metadata: {}, ...over,
      },
    });
  };
  const mixed = rng.chance(0.25);
  const [CURRENCY, OTHER] = mixed && rng.chance(0.3) ? ['USD', 'EUR'] : ['EUR', 'USD'];
  /** The currency of a fact that may name another: the sale's, or now and then the other. */
  const someCurrency = () => (mixed && rng.chance(0.35) ? OTHER : CURRENCY);
  /** The currency of a report on a refund or capture in `currency`: that, or now and then the other. */
  const reportCurrency = (currency: string) => (mixed && rng.chance(0.35) ? (currency === CURRENCY ? OTHER : CURRENCY) : currency);
  const money = (minor: number, currency = CURRENCY) => ({ minor, currency });
  const tagged = (role: string, currency: string) => (currency === CURRENCY ? role : `${role} ${currency}`);
  const saleCard: PaymentEvent['card'] = { brand: 'visa', last4: '4242', entryMode: 'chip', identity: { kind: 'fingerprint', value: 'fp' } };
  // A refund or capture tapped on the reader reports the card read another way (contactless); the sale's wins.
  const laterCard: PaymentEvent['card'] = { brand: 'visa', last4: '4242', entryMode: 'contactless', identity: { kind: 'fingerprint', value: 'fp' } };
  const sideCard = () => (rng.chance(0.5) ? laterCard : undefined);

  if (rng.chance(0.2)) fact('declined', { kind: 'failure', amount: money(amount), status: 'failed', failure: { code: 'declined' } }, later(1), saleCard);
  const saleAt = later(2);
  fact('sale', { kind: 'payment', amount: money(amount), status: 'succeeded', terminal: { readerId: 'reader-1' } }, saleAt, saleCard);

  /** What the sale brought, so refunds and disputes stay within it. */
  let collected = amount;
  if (profile === 'stripe' && rng.chance(0.6)) {
    // The PaymentIntent and its charge: one sale, two events (the charge's carries the card).
    fact('sale charge', { kind: 'payment', amount: money(amount), status: 'succeeded' }, saleAt, saleCard);
  }

  if (profile === 'adyen') {
    let authorised = amount;
    const adjustments = rng.int(3);
    for (let i = 0; i < adjustments; i++) {
      const adjusted = Math.max(100, Math.round((authorised * (60 + rng.int(80))) / 100));
      const currency = someCurrency();
      if (currency === CURRENCY) authorised = adjusted;
      fact(tagged(`AUTHORISATION_ADJUSTMENT ${adjusted}`, currency), { kind: 'payment', amount: money(adjusted, currency), status: 'succeeded', sale: { voided: false, adjusted: true } }, later(), sideCard());
    }
    const captures = rng.int(4);
    let left = authorised;
    collected = 0;
    for (let i = 0; i < captures && left > 0; i++) {
      const tip = captures === 1 && rng.chance(0.2);
      const part = tip ? Math.round(authorised * (1 + rng.int(20) / 100)) : i === captures - 1 && rng.chance(0.5) ? left : Math.max(1, Math.round(left * (20 + rng.int(80)) / 100));
      left = Math.max(0, left - part);
      const id = `cap-${i}`;
      const heardCaptured = rng.chance(0.85);
      const capAt = later();
      const currency = someCurrency();
      const c = (role: string, named = currency) => tagged(`${role} ${id} ${part}`, named);
      if (heardCaptured) fact(c('CAPTURE'), { kind: 'payment', amount: money(part, currency), status: 'succeeded', sale: { voided: false, captureId: id } }, capAt, sideCard());
      let failed = !heardCaptured || rng.chance(0.3);
      const failedIn = failed ? reportCurrency(currency) : currency;
      if (failed) fact(c('CAPTURE_FAILED', failedIn), { kind: 'failure', amount: money(part, failedIn), status: 'failed', sale: { voided: true, captureId: id }, failure: { code: 'CAPTURE_FAILED' } }, later(), sideCard());
      const recaptured = failed && rng.chance(0.4);
      if (recaptured) fact(c('re-capture'), { kind: 'payment', amount: money(part, currency), status: 'succeeded', sale: { voided: false, captureId: id } }, later(), sideCard());
      // In the sale's currency: a capture heard captured (or re-captured) collected unless a failure in it came after.
      if (failed && failedIn !== currency) failed = !heardCaptured && !recaptured;
      else if (recaptured) failed = false;
      if (!failed && currency === CURRENCY) collected += part;
    }
    const cancelled = rng.chance(0.2);
    if (cancelled) {
      fact(captures === 0 ? 'CANCELLATION' : 'expiry of the rest', { kind: 'failure', amount: money(authorised), status: 'failed', sale: { voided: true }, failure: { code: 'CANCELLATION' } }, later(), sideCard());
    }
    // No capture reported: captured automatically, what the latest authorisation allows.
    if (captures === 0 && !cancelled) collected = Math.min(authorised, amount);
  }
  if (profile === 'clover' && rng.chance(0.4)) {
    const tipped = amount + 50 * (1 + rng.int(20));
    fact(`tip adjusted ${tipped}`, { kind: 'payment', amount: money(tipped), status: 'succeeded', sale: { voided: false, adjusted: true } }, later(), saleCard);
    collected = tipped;
  }

  // One set in three: what follows the sale (refunds, their reversals, disputes, a void read later) comes 31 to 180 days
  // after it, past a tier window of 30 days, as a refund or a chargeback months after the sale does.
  if (rng.chance(1 / 3)) clock += 24 * (31 + rng.int(150));

  // Refunds, within what the sale brought.
  const refunds = collected > 0 ? rng.int(4) : 0;
  const cumulative = profile === 'stripe' || (profile === 'square' && rng.chance(0.3));
  let total = 0;
  for (let i = 0; i < refunds; i++) {
    const room = collected - total;
    if (room <= 0) break;
    const part = i === refunds - 1 && rng.chance(0.3) ? room : Math.max(1, Math.round(room * (10 + rng.int(60)) / 100));
    total += part;
    const id = `re-${i}`;
    const at = later();
    // A refund, its reversal and a running total holding it name one currency.
    const currency = someCurrency();
    const m = (minor: number) => money(minor, currency);
    if (profile === 'stripe') {
      fact(tagged(`charge.refunded total ${total}`, currency), { kind: 'refund', amount: m(amount), refundedTotal: m(total), status: total === amount ? 'refunded' : 'partially_refunded' }, at, sideCard());
      if (rng.chance(0.25)) {
        const reversedIn = reportCurrency(currency);
        fact(tagged(`refund failed ${id} ${part}`, reversedIn), { kind: 'refund', amount: money(part, reversedIn), refund: { id, cumulative: false, reversed: true }, status: 'succeeded' }, later(), sideCard());
      }
      continue;
    }
    fact(tagged(`refund ${id} ${part}`, currency), { kind: 'refund', amount: m(part), refundedTotal: m(part), refund: { id, cumulative: false }, status: 'partially_refunded' }, at, sideCard());
    // Square's polling: the payment's refunds so far as one total, at the payment's updated_at (square-list.ts).
    if (cumulative) fact(tagged(`listing total ${total}`, currency), { kind: 'refund', amount: m(total), refundedTotal: m(total), status: 'partially_refunded' }, later(), sideCard());
    if (profile !== 'square' && rng.chance(0.25)) {
      const reversedIn = reportCurrency(currency);
      fact(tagged(`refund reversed ${id} ${part}`, reversedIn), { kind: 'refund', amount: money(part, reversedIn), refund: { id, cumulative: false, reversed: true }, status: 'succeeded' }, later(), sideCard());
    }
  }

  // Dispute reports: an opening, then outcomes, each later than the one before in the processor's time.
  const reports = collected > 0 ? rng.int(4) : 0;
  let disputed = Math.max(1, Math.round(collected * (30 + rng.int(71)) / 100));
  const phases: ('disputed' | 'succeeded' | 'refunded')[] = ['disputed', rng.pick(['succeeded', 'refunded'] as const), rng.pick(['refunded', 'succeeded'] as const)];
  for (let i = 0; i < reports; i++) {
    const status = phases[Math.min(i, 2)]!;
    if (profile === 'adyen' && i === 2 && rng.chance(0.5)) disputed = Math.max(1, Math.round(collected * (30 + rng.int(71)) / 100));
    const unstated = profile === 'square' && rng.chance(0.5);
    // A report stating none is recorded at the payment's total, read in the payment's currency.
    const currency = unstated ? CURRENCY : someCurrency();
    fact(tagged(`dispute ${status} ${unstated ? `unstated (${amount})` : disputed}`, currency), {
      kind: 'dispute', amount: money(unstated ? amount : disputed, currency), status, dispute: { id: 'dp-1' },
      metadata: unstated ? { [DISPUTE_AMOUNT_UNSTATED.key]: DISPUTE_AMOUNT_UNSTATED.value } : {},
    }, later(), sideCard());
  }

  if ((profile === 'clover' || profile === 'sumup') && rng.chance(0.3)) {
    fact('read VOIDED', { kind: 'failure', amount: money(amount), status: 'failed', sale: { voided: true } }, later(), saleCard);
  }

  // An unreferenced refund to the sale's card (adyen-normalize.ts: REFUND_WITH_DATA, its own payment under its
  // pspReference), at a time among the sale's, and perhaps its reversal after it.
  if (profile === 'adyen' && rng.chance(0.35)) {
    const currency = someCurrency();
    const part = 100 + rng.int(60) * 50;
    const at = saleAt + rng.int(clock - saleAt + 1);
    fact(tagged(`REFUND_WITH_DATA ${part}`, currency), {
      kind: 'refund', paymentId: UNREFERENCED, amount: money(part, currency), refundedTotal: money(part, currency),
      refund: { id: UNREFERENCED, cumulative: false, unreferenced: true }, status: 'refunded',
    }, at, rng.chance(0.5) ? saleCard : laterCard);
    if (rng.chance(0.5)) {
      const [code, names] = rng.pick([['VOID_PENDING_REFUND', UNREFERENCED], ['REFUND_FAILED', UNREFERENCED], ['REFUND_FAILED', ELSEWHERE]] as const);
      const reversedIn = reportCurrency(currency);
      fact(tagged(`${code} of the unreferenced refund${names === ELSEWHERE ? ' naming another payment' : ''}`, reversedIn), {
        kind: 'refund', paymentId: names, amount: money(part, reversedIn), refund: { id: UNREFERENCED, cumulative: false, reversed: true }, status: 'succeeded',
      }, at + rng.int(4));
    }
  }
  return facts;
}

/** The facts of one fact set as another payment's (ids, payment, refunds, captures, card all its own). */
export function asPayment(facts: readonly Fact[], tag: string): Fact[] {
  return facts.map(({ role, event: e }) => ({
    role,
    event: {
      ...e,
      id: `${e.id}-${tag}`,
      paymentId: `${e.paymentId}-${tag}`,
      ...(e.refund ? { refund: { ...e.refund, ...(e.refund.id ? { id: `${e.refund.id}-${tag}` } : {}) } } : {}),
      ...(e.sale ? { sale: { ...e.sale, ...(e.sale.captureId ? { captureId: `${e.sale.captureId}-${tag}` } : {}) } } : {}),
      ...(e.card ? { card: { ...e.card, ...(e.card.identity ? { identity: { kind: 'fingerprint' as const, value: `fp-${tag}` } } : {}) } } : {}),
    },
  }));
}

/** A random order of the facts, with `duplicates` of them delivered again at random places. */
export function deliveryOrder<T>(rng: Rng, items: readonly T[], duplicates: number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  for (let d = 0; d < duplicates && items.length > 0; d++) out.splice(rng.int(out.length + 1), 0, rng.pick(items));
  return out;
}
