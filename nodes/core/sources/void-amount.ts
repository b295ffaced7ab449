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

/**
 * The amount a void of `paymentId` naming none is recorded at, and where it comes from: the sale the ledger holds
 * (`held`, from ledgerSalesFor), else `zero` (0 in the void's currency, as the vendor's reader makes it) until the
 * sale arrives.
 */
export function voidAmountOf(held: ReadonlyMap<string, Money>, paymentId: string, zero: () => Money): { amount: Money; from: VoidAmountFrom } {
  const sale = held.get(paymentId);
  return sale ? { amount: sale, from: 'ledger' } : { amount: zero(), from: 'sale' };
}

/** The void event's metadata saying where its amount came from (none for a void that names its amount). */
export const voidAmountMetadata = (from: VoidAmountFrom | undefined): { voidAmountFrom?: VoidAmountFrom } => (from ? { voidAmountFrom: from } : {});
