import type { TokenizedPaymentEvent } from '../contracts/payment-event';
import { isGiftCardBrand } from '../sources/card-brand';

/**
 * The payment's card when it can say who paid: its token is an exact key of the customer, its last four, BIN and
 * expiry are evidence in the field comparison and it joins the customer's cards. A gift card cannot: one person buys
 * it and others pay with it (sources/card-brand.ts isGiftCardBrand), so taking it as a person's card would make one
 * customer of everyone who spends it, and merge the giver with whoever they gave it to. Its payment is matched on
 * what else it carries (processor customer id, email, phone, name), as a payment without a card is; the card itself
 * stays on the payment (brand, last four, token in the ledger and the CRMs' transaction), which is what paid.
 */
export function personalCard(event: Pick<TokenizedPaymentEvent, 'card'>): TokenizedPaymentEvent['card'] {
  const card = event.card;
  return card && !isGiftCardBrand(card.brand) ? card : undefined;
}
