import { formatMoney } from '../contracts/money';
import type { HttpResponse, HttpTransport } from '../http/http-transport';
import { scrubPan } from '../pan-scrub';
import { callVendor, vendorSays } from './push-http';
import { squareNote } from './push-metadata';
import type { SquarePushSettings } from './push-settings';
import { checkSale, rejectField, type ParsedSale, type PushOutcome, type PushRef, type SaleRequest, type TerminalPush } from './terminal-push';
import { vendorAmount } from './vendor-amounts';
import { obj, str } from '../json/json-values';

/** TerminalCheckout limits (Square API reference, CreateTerminalCheckout): reference_id ≤ 40, note ≤ 500, idempotency_key ≤ 64. */
export const SQUARE_LIMITS = { referenceId: 40, note: 500, idempotencyKey: 64 } as const;

/** A replayed idempotency key returns the checkout as first created; an older one is read again for its state now. */
const REPLAY_AGE_MS = 30_000;

/**
 * Square Terminal API: POST /v2/terminals/checkouts sends a checkout to a paired Square Terminal. Square answers at
 * once with the checkout PENDING, whether or not the Terminal is online: an offline Terminal shows up later as a
 * checkout CANCELED with cancel_reason TIMED_OUT (status). Square checkouts have no metadata; the customer and
 * CRM record travel in the note and reference_id, which Square copies to the payment.
 */
export function squareTerminalPush(http: HttpTransport, settings: SquarePushSettings, clock: () => number = Date.now): TerminalPush {
  const headers = { authorization: `Bearer ${settings.accessToken}`, 'square-version': settings.apiVersion };
  const credential = { field: 'accessToken', fix: 'use an access token of the seller whose Terminal it is, with the PAYMENTS_WRITE permission (Developer Console → Credentials, or OAuth)' };
  const call = (method: 'GET' | 'POST', path: string, body: unknown, startsPayment: boolean) =>
    callVendor('square', http, {
      method,
      url: `${settings.baseUrl}${path}`,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body,
      timeoutMs: settings.timeoutMs,
    }, { credential, startsPayment });
  const checkoutPath = (id: string) => `/v2/terminals/checkouts/${encodeURIComponent(id)}`;

  return {
    vendor: 'square',

    async pushSale(input: SaleRequest): Promise<PushOutcome> {
      const checked = checkSale('square', input);
      if ('rejected' in checked) return checked.rejected;
      const sale = checked.sale;
      if (sale.reference.length > SQUARE_LIMITS.referenceId) {
        return rejectField('square', sale, 'reference', `is ${sale.reference.length} characters; Square keeps at most ${SQUARE_LIMITS.referenceId} in reference_id`, 'Use a shorter reference, such as the CRM record id.');
      }
      const note = squareNote(sale, SQUARE_LIMITS.note);
      if (!note) return rejectField('square', sale, 'crmRecordId', `with the customer id does not fit Square's ${SQUARE_LIMITS.note}-character note`, 'Use the record id, not its contents.');
      // Square follows ISO 4217 minor units (Working with Monetary Amounts); the conversion only guards the size.
      const amount = vendorAmount('square', sale.amount);
      if ('problem' in amount) return rejectField('square', sale, 'amount', amount.problem, amount.fix);

      const checkout: Record<string, unknown> = {
        amount_money: { amount: amount.value, currency: sale.amount.currency },
        reference_id: sale.reference,
        note,
        device_options: { device_id: sale.readerId },
      };
      if (sale.processorCustomerId) checkout.customer_id = sale.processorCustomerId;
      const metadata: Record<string, string> = { reference_id: sale.reference, note };
      if (sale.processorCustomerId) metadata.customer_id = sale.processorCustomerId;

      const startedAt = clock();
      const res = await call('POST', '/v2/terminals/checkouts', { idempotency_key: squareIdempotencyKey(sale.reference), checkout }, true);
      if (res.status !== 200) return fromSquareErrors(sale, res);
      let found = obj(obj(res.body)?.checkout);
      if (!found || !str(found.id)) return fromSquareErrors(sale, res);
      const createdAt = Date.parse(str(found.created_at) ?? '');
      if (Number.isFinite(createdAt) && createdAt < startedAt - REPLAY_AGE_MS) {
        const now = await call('GET', checkoutPath(String(found.id)), undefined, false);
        if (now.status === 200) found = obj(obj(now.body)?.checkout) ?? found;
      }
      return fromCheckout(found, sale, metadata);
    },

    async cancel(ref: PushRef): Promise<PushOutcome> {
      if (!ref.paymentId) return refRejected(ref, 'paymentId', 'Give the checkout id the push returned.');
      const res = await call('POST', `${checkoutPath(ref.paymentId)}/cancel`, undefined, false);
      if (res.status !== 200) return fromSquareErrors(ref, res, ref.paymentId);
      return fromCheckout(obj(obj(res.body)?.checkout) ?? {}, ref, {});
    },

    async status(ref: PushRef): Promise<PushOutcome> {
      if (!ref.paymentId) return refRejected(ref, 'paymentId', 'Give the checkout id the push returned.');
      const res = await call('GET', checkoutPath(ref.paymentId), undefined, false);
      if (res.status !== 200) return fromSquareErrors(ref, res, ref.paymentId);
      return fromCheckout(obj(obj(res.body)?.checkout) ?? {}, ref, {});
    },
  };
}

/** Namespaced so a deal id another integration also uses as a key for this seller cannot collide. */
export function squareIdempotencyKey(reference: string): string {
  return `terminal-crm:${reference}`;
}

type Where = Pick<PushRef, 'readerId' | 'reference'>;

/** A TerminalCheckout's status (PENDING, IN_PROGRESS, CANCEL_REQUESTED, CANCELED, COMPLETED) as an outcome. */
function fromCheckout(checkout: Record<string, unknown>, sale: ParsedSale | Where, metadata: Record<string, string>): PushOutcome {
  const id = str(checkout.id) ?? '';
  const status = str(checkout.status) ?? 'PENDING';
  const readerId = str(obj(checkout.device_options)?.device_id) ?? sale.readerId;
  const base = { vendor: 'square' as const, readerId, reference: sale.reference, paymentId: id, vendorCode: status };
  const what = 'amount' in sale ? `${formatMoney(sale.amount)} ` : '';
  const whose = 'customerId' in sale ? `, already attributed to customer ${sale.customerId}` : '';
  switch (status) {
    case 'COMPLETED': {
      const payments = Array.isArray(checkout.payment_ids) ? (checkout.payment_ids as unknown[]).filter((p) => typeof p === 'string') : [];
      return { ...base, outcome: 'sent', metadata, approved: true, message: `Paid ${what}on Terminal ${readerId}${payments.length ? ` (payment ${payments.join(', ')})` : ''}. It reaches the CRM through the Terminal Payment Trigger${whose}.` };
    }
    case 'CANCEL_REQUESTED':
      return { ...base, outcome: 'cancelled', by: 'cashier', message: `Cancellation asked of Terminal ${readerId}. If the customer had already paid, the checkout ends COMPLETED instead; check its status before taking the payment another way.` };
    case 'CANCELED': {
      const reason = str(checkout.cancel_reason);
      const code = reason ? `CANCELED/${reason}` : 'CANCELED';
      if (reason === 'TIMED_OUT') {
        // Square's TerminalCheckout docs: a checkout still PENDING at its deadline is CANCELED with TIMED_OUT, i.e.
        // the Terminal never picked it up.
        return { ...base, vendorCode: code, outcome: 'offline', mayBeOnReader: false, message: `Terminal ${readerId} did not pick the sale up before its deadline: it is probably off, offline or signed out. Check it, then push again with a new reference (Square keeps this one for the ended checkout).` };
      }
      const by = reason === 'BUYER_CANCELED' ? 'customer' : reason === 'SELLER_CANCELED' ? 'cashier' : 'unknown';
      return { ...base, vendorCode: code, outcome: 'cancelled', by, message: `${by === 'customer' ? 'The customer cancelled' : 'Cancelled'} on Terminal ${readerId}; nothing was charged. To collect, push again with a new reference (Square keeps this one for the ended checkout).` };
    }
    default:
      return { ...base, outcome: 'sent', metadata, approved: false, message: `Sent ${what}to Terminal ${readerId}: the customer can tap, insert or swipe. The payment reaches the CRM through the Terminal Payment Trigger${whose}.` };
  }
}

/** Square's error `field` in the pack's field names, so the operator knows what to change. */
function fieldOf(error: Record<string, unknown>): string {
  const f = (str(error.field) ?? '').replace(/^checkout\./, '');
  const code = str(error.code) ?? '';
  if (code === 'IDEMPOTENCY_KEY_REUSED' || f === 'idempotency_key' || f === 'reference_id') return 'reference';
  if (code === 'UNSUPPORTED_CURRENCY' || code === 'CURRENCY_MISMATCH' || f.endsWith('currency')) return 'amount.currency';
  if (f.startsWith('amount_money')) return 'amount';
  if (f.includes('device_id') || /device/i.test(str(error.detail) ?? '')) return 'readerId';
  if (f === 'note') return 'description';
  if (f === 'customer_id') return 'processorCustomerId';
  return f || 'sale';
}

/** Square's `errors` array (Handling errors): PAYMENT_METHOD_ERROR is a decline, the rest names what to fix. */
function fromSquareErrors(sale: Where, res: HttpResponse, checkoutId?: string): PushOutcome {
  const errors = Array.isArray(obj(res.body)?.errors) ? (obj(res.body)!.errors as unknown[]).map((e) => obj(e) ?? {}) : [];
  const first = errors[0] ?? {};
  const code = str(first.code);
  const detail = str(first.detail);
  const base = { vendor: 'square' as const, readerId: sale.readerId, reference: sale.reference, paymentId: checkoutId, vendorCode: code };
  if (str(first.category) === 'PAYMENT_METHOD_ERROR') {
    const why = detail ? scrubPan(detail) : code;
    return { ...base, outcome: 'declined', declineReason: why, message: `The card was declined${why ? ` (${why})` : ''}. Ask for another card and push again with a new reference.` };
  }
  const field = checkoutId && code === 'NOT_FOUND' ? 'paymentId' : fieldOf(first);
  const fix =
    code === 'IDEMPOTENCY_KEY_REUSED'
      ? `Reference "${sale.reference}" was pushed before with other details (amount, Terminal, note). Push it as it was, or use a new reference.`
      : field === 'readerId'
        ? `Square does not accept Terminal "${sale.readerId}" for this seller. Use the device_id of a Terminal paired through the Devices API (device codes made in the Square Dashboard do not work with the Terminal API), with this seller's access token.`
        : `Square refused the sale${str(first.field) ? ` (${str(first.field)})` : ''}: ${detail ?? code ?? vendorSays(res.body)}. Fix ${field} and push again.`;
  return { ...base, outcome: 'rejected', field, vendorMessage: detail ?? code, message: fix };
}

function refRejected(ref: PushRef, field: string, message: string): PushOutcome {
  return { outcome: 'rejected', vendor: 'square', readerId: ref.readerId, reference: ref.reference, paymentId: ref.paymentId, field, message };
}
