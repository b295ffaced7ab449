import type { Money } from '../contracts/money';
import type { SourceContext } from './source';

/**
 * A void that names no amount of its own (a Clover payment read VOIDED, a SumUp transaction read CANCELLED: every
 * field of either vendor's record is optional) still says the sale moved no money, whatever it was. The ledger never
 * uses a void's amount (ledger/payment-rules.ts: a void sets voidedAt and is remembered before its sale; refundedOf is
 * then the gross), so such a void is recorded all the same, where the caller has a store to tell which of two it is:
 * - after its sale, at the amount the ledger counts for the sale (`voidAmountFrom: "ledger"`);
 * - before it (notifications out of order, a poll reading the void first), at 0 (`voidAmountFrom: "sale"`): the ledger
 *   remembers the void, so the sale, when it arrives, is void and gives all of itself back, as in the other order, and
 *   the local CRM's row of the void takes the sale's amount then (crm/local-sql-crm.ts, fillInVoidAmounts).
 * Either way under the void's one id, so a read of it after the sale is the same event again. With no store there is
 * no telling which of the two it is: the source acknowledges it and ignores it, saying so (NO_STORE_FOR_VOID).
 * A void naming no currency (SumUp's `currency` is optional too) is the same: after its sale the ledger's amount is in
 * the ledger's currency; before it the 0 is written in a currency the vendor names otherwise (voidAmountOf's `zero`),
 * and with none the void is acknowledged, saying why. The ledger never sets a void's amount against its sale, whatever
 * its currency, and the local CRM's row of it takes the sale's amount and currency when the sale arrives.
 */
export type VoidAmountFrom = 'ledger' | 'sale';

/** Why a void naming no amount is ignored when the caller gave no store (after "… names no amount"). */
export const NO_STORE_FOR_VOID = 'no store was given to read the voided sale\'s amount from';

/**
 * What the caller's ledger holds of the sales these payments' voids take back (LedgerView.sales), asked only for a
 * void that names no amount (`voided` undefined otherwise); undefined when the caller has no store.
 */
export async function ledgerSalesFor(voided: readonly string[] | undefined, ctx: SourceContext): Promise<ReadonlyMap<string, Money> | undefined> {
  return voided && voided.length > 0 && ctx.ledger ? ctx.ledger.sales(voided) : undefined;
}

export interface VoidAmount {
  amount: Money;
  from: VoidAmountFrom;
}

/**
 * The amount a void of `paymentId` naming none (or naming no currency to read it in) is recorded at, and where it comes
 * from: the sale the ledger holds (`held`, from ledgerSalesFor), amount and currency alike, else `zero` (0 in the
 * currency the void names, or the one the caller knows for it) until the sale arrives. Undefined when the ledger holds
 * no sale and there is no `zero`: no currency is known to write 0 in, and the caller acknowledges the void, saying why.
 */
export function voidAmountOf(held: ReadonlyMap<string, Money>, paymentId: string, zero: () => Money): VoidAmount;
export function voidAmountOf(held: ReadonlyMap<string, Money>, paymentId: string, zero: (() => Money) | undefined): VoidAmount | undefined;
export function voidAmountOf(held: ReadonlyMap<string, Money>, paymentId: string, zero: (() => Money) | undefined): VoidAmount | undefined {
  const sale = held.get(paymentId);
  if (sale) return { amount: sale, from: 'ledger' };
  return zero ? { amount: zero(), from: 'sale' } : undefined;
}

/** The void event's metadata saying where its amount came from (none for a void that names its amount). */
export const voidAmountMetadata = (from: VoidAmountFrom | undefined): { voidAmountFrom?: VoidAmountFrom } => (from ? { voidAmountFrom: from } : {});
