import { formatMoney } from '../contracts/money';
import type { HttpResponse, HttpTransport } from '../http/http-transport';
import { scrubPan } from '../pan-scrub';
import { callVendor, vendorSays } from './push-http';
import { pushMetadata, STRIPE_METADATA_KEYS } from './push-metadata';
import type { StripePushSettings } from './push-settings';
import { checkSale, rejectField, type ParsedSale, type PushOutcome, type PushRef, type SaleRequest, type TerminalPush } from './terminal-push';
import { vendorAmount } from './vendor-amounts';
import { obj, str, type Obj } from '../json/json-values';

/**
 * Stripe Terminal, server-driven (https://docs.stripe.com/terminal/payments/collect-card-payment?terminal-sdk-platform=server-driven):
 * create a card_present PaymentIntent, then hand it to a smart reader with process_payment_intent. Stripe answers
 * once the reader acknowledged the action; the payment itself arrives later as payment_intent.succeeded.
 */
export function stripeTerminalPush(http: HttpTransport, settings: StripePushSettings): TerminalPush {
  const headers = { authorization: `Bearer ${settings.secretKey}` };
  const credential = { field: 'secretKey', fix: 'use a secret key (sk_…) or a restricted key (rk_…) with PaymentIntents: Write and Terminal Readers: Write' };

  const post = (path: string, form: URLSearchParams, startsPayment: boolean, extra: Record<string, string> = {}) =>
    callVendor('stripe', http, {
      method: 'POST',
      url: `${settings.baseUrl}${path}`,
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', ...extra },
      body: form.toString(),
      timeoutMs: settings.timeoutMs,
    }, { credential, startsPayment });
  const get = (path: string) =>
    callVendor('stripe', http, { method: 'GET', url: `${settings.baseUrl}${path}`, headers, timeoutMs: settings.timeoutMs }, { credential, startsPayment: false });

  const readerPath = (readerId: string) => `/v1/terminal/readers/${encodeURIComponent(readerId)}`;

  async function process(sale: ParsedSale, piId: string, metadata: Record<string, string>): Promise<PushOutcome> {
    const form = new URLSearchParams({ payment_intent: piId });
    // No Idempotency-Key here: Stripe would replay a stored terminal_reader_offline for a day, and a second
    // process_payment_intent for the same PaymentIntent is itself harmless (the reader is busy with it, or shows it).
    let res = await post(`${readerPath(sale.readerId)}/process_payment_intent`, form, true);
    // Stripe's advice for terminal_reader_timeout is to retry: the reader may just have missed the acknowledgement.
    if (errorOf(res)?.code === 'terminal_reader_timeout') res = await post(`${readerPath(sale.readerId)}/process_payment_intent`, form, true);
    const ctx = { sale, piId, metadata };
    if (res.status === 200) return fromReader(obj(res.body) ?? {}, ctx);
    const err = errorOf(res);
    switch (err?.code) {
      case 'terminal_reader_offline':
        return offline(sale, piId, 'terminal_reader_offline', false,
          `Reader ${sale.readerId} is offline (Stripe has not heard from it for 2 minutes). Check it is switched on, charged and on the network, then push again — the same reference reuses PaymentIntent ${piId}, so the customer cannot pay twice. To use another reader instead, push with a new reference.`);
      case 'terminal_reader_timeout':
        return offline(sale, piId, 'terminal_reader_timeout', true,
          `Reader ${sale.readerId} did not acknowledge the sale, twice. It may still show it: if it shows ${formatMoney(sale.amount)}, let the customer pay; if not, check its network and push again (same reference, same PaymentIntent ${piId}).`);
      case 'terminal_reader_busy': {
        const now = await readerAction(sale.readerId);
        if (now && ownsAction(now, piId) && now.status === 'in_progress') return sent(ctx, false, 'in_progress');
        return {
          outcome: 'busy', vendor: 'stripe', readerId: sale.readerId, reference: sale.reference, paymentId: piId, vendorCode: 'terminal_reader_busy',
          message: `Reader ${sale.readerId} is busy with another sale, an update or a card left in it. Finish or cancel what it shows (or take the card out), then push again.`,
        };
      }
      case 'intent_invalid_state':
        return rejectedBy(sale, 'reference', err, `PaymentIntent ${piId} for reference "${sale.reference}" can no longer be paid on a reader (it was paid, is being paid or was cancelled). Check the payment in Stripe; for a new sale use a new reference.`);
      case 'terminal_reader_hardware_fault':
        return rejectedBy(sale, 'readerId', err, `Reader ${sale.readerId} reports a hardware fault and cannot take payments. Push the sale to another reader with a new reference, and contact Stripe support about this one.`);
      case 'terminal_reader_invalid_location_for_payment':
        return rejectedBy(sale, 'readerId', err, `Reader ${sale.readerId} is registered to a location that cannot take this payment. Use a reader of the right location (Stripe Dashboard → Terminal → Locations).`);
      case 'resource_missing':
        return rejectedBy(sale, 'readerId', err, `Stripe does not know reader ${sale.readerId}. Copy the reader id (tmr_…) from Stripe Dashboard → Terminal → Readers.`);
      default:
        return fromStripeError(sale, res, piId);
    }
  }

  function sent(ctx: SentContext, approved: boolean, vendorCode: string): PushOutcome {
    const { sale, piId, metadata } = ctx;
    const full = 'amount' in sale ? sale : undefined;
    const what = full ? `${formatMoney(full.amount)} ` : '';
    const whose = full ? `, already attributed to customer ${full.customerId}` : '';
    return {
      outcome: 'sent', vendor: 'stripe', readerId: sale.readerId, reference: sale.reference, paymentId: piId, metadata, approved, vendorCode,
      message: approved
        ? `Paid ${what}on reader ${sale.readerId}. The payment reaches the CRM through the Terminal Payment Trigger${whose}.`
        : `Sent ${what}to reader ${sale.readerId}: the customer can tap, insert or swipe. The payment reaches the CRM through the Terminal Payment Trigger${whose}.`,
    };
  }

  /** The Reader object process_payment_intent answers with; its action may already be final (docs: "Process the payment"). */
  function fromReader(reader: Obj, ctx: SentContext): PushOutcome {
    const action = actionOf(reader);
    if (!action || !ownsAction(action, ctx.piId) || action.status === 'in_progress') return sent(ctx, false, action?.status ?? 'in_progress');
    if (action.status === 'succeeded') return sent(ctx, true, 'succeeded');
    return fromFailedAction(ctx.sale, ctx.piId, action);
  }

  async function readerAction(readerId: string): Promise<Action | undefined> {
    const res = await get(readerPath(readerId));
    return res.status === 200 ? actionOf(obj(res.body) ?? {}) : undefined;
  }

  return {
    vendor: 'stripe',

    async pushSale(input: SaleRequest): Promise<PushOutcome> {
      const checked = checkSale('stripe', input);
      if ('rejected' in checked) return checked.rejected;
      const sale = checked.sale;
      // Stripe's decimals and its three-decimal rule (a KWD amount ends in 0) are PROCESSOR_AMOUNT_RULES.stripe.
      const amount = vendorAmount('stripe', sale.amount);
      if ('problem' in amount) return rejectField('stripe', sale, 'amount', amount.problem, amount.fix);
      if (sale.crmRecordId && sale.crmRecordId.length > 500) return rejectField('stripe', sale, 'crmRecordId', 'is longer than the 500 characters Stripe keeps in metadata', 'Use the record id, not its contents.');

      const metadata = pushMetadata(sale, STRIPE_METADATA_KEYS);
      const form = new URLSearchParams();
      form.set('amount', String(amount.value));
      form.set('currency', sale.amount.currency.toLowerCase());
      form.append('payment_method_types[]', 'card_present');
      // Stripe's Canada docs: Interac debit cards are only accepted when interac_present is listed too.
      if (sale.amount.currency === 'CAD') form.append('payment_method_types[]', 'interac_present');
      form.set('capture_method', 'automatic');
      for (const [k, v] of Object.entries(metadata)) form.set(`metadata[${k}]`, v);
      if (sale.description) form.set('description', sale.description);
      if (sale.processorCustomerId) form.set('customer', sale.processorCustomerId);

      // Namespaced so a deal id another integration also uses as a key in this Stripe account cannot collide.
      const created = await post('/v1/payment_intents', form, false, { 'idempotency-key': stripeIdempotencyKey(sale.reference) });
      if (created.status !== 200) return fromStripeError(sale, created);
      const intent = obj(created.body) ?? {};
      const piId = str(intent.id);
      if (!piId) return rejectedBy(sale, 'reference', undefined, `Stripe answered without a PaymentIntent id: ${vendorSays(created.body)}`);
      switch (intent.status) {
        case 'requires_payment_method':
          return process(sale, piId, metadata);
        case 'succeeded':
        case 'requires_capture':
        case 'processing':
          return rejectField('stripe', sale, 'reference', `"${sale.reference}" was already paid (PaymentIntent ${piId} is ${String(intent.status)})`, 'Nothing to collect. For a new sale on the same record use a new reference.');
        case 'canceled':
          return rejectField('stripe', sale, 'reference', `"${sale.reference}" belongs to cancelled PaymentIntent ${piId}`, 'Use a new reference to take this payment.');
        default:
          return rejectField('stripe', sale, 'reference', `"${sale.reference}" belongs to PaymentIntent ${piId}, which is ${String(intent.status)} and cannot be sent to a reader`, 'Check the payment in Stripe, or use a new reference.');
      }
    },

    async cancel(ref: PushRef): Promise<PushOutcome> {
      if (!ref.paymentId) return refRejected(ref, 'paymentId', 'Give the PaymentIntent id (pi_…) the push returned, so only this sale is taken off the reader.');
      const action = await readerAction(ref.readerId);
      if (!action || !ownsAction(action, ref.paymentId)) {
        return refRejected(ref, 'paymentId', `Reader ${ref.readerId} is not showing PaymentIntent ${ref.paymentId}; there is nothing of this sale to cancel on it.`);
      }
      if (action.status === 'succeeded') {
        return { outcome: 'sent', vendor: 'stripe', readerId: ref.readerId, reference: ref.reference, paymentId: ref.paymentId, metadata: {}, approved: true, vendorCode: 'succeeded', message: `Too late to cancel: the customer already paid ${ref.paymentId}. Refund it if the sale should not stand.` };
      }
      if (action.status === 'failed') return fromFailedAction(ref, ref.paymentId, action);
      const res = await post(`${readerPath(ref.readerId)}/cancel_action`, new URLSearchParams(), false);
      if (res.status === 200) {
        return {
          outcome: 'cancelled', vendor: 'stripe', readerId: ref.readerId, reference: ref.reference, paymentId: ref.paymentId, by: 'cashier',
          message: `Taken off reader ${ref.readerId}. PaymentIntent ${ref.paymentId} stays open: pushing the same reference again reuses it.`,
        };
      }
      if (errorOf(res)?.code === 'terminal_reader_busy') {
        return { outcome: 'busy', vendor: 'stripe', readerId: ref.readerId, reference: ref.reference, paymentId: ref.paymentId, vendorCode: 'terminal_reader_busy', message: `The customer already presented a card and it is being authorised; it cannot be cancelled now. Wait a few seconds and check the payment.` };
      }
      return fromStripeError(ref, res, ref.paymentId);
    },

    async status(ref: PushRef): Promise<PushOutcome> {
      if (!ref.paymentId) return refRejected(ref, 'paymentId', 'Give the PaymentIntent id (pi_…) the push returned.');
      const ctx = { sale: ref, piId: ref.paymentId, metadata: {} };
      const action = await readerAction(ref.readerId);
      if (action && ownsAction(action, ref.paymentId)) {
        if (action.status === 'failed') return fromFailedAction(ctx.sale, ref.paymentId, action);
        return sent(ctx, action.status === 'succeeded', action.status ?? 'in_progress');
      }
      const res = await get(`/v1/payment_intents/${encodeURIComponent(ref.paymentId)}`);
      if (res.status !== 200) return fromStripeError(ctx.sale, res, ref.paymentId);
      const intent = obj(res.body) ?? {};
      const metadata = stringRecord(intent.metadata);
      switch (intent.status) {
        case 'succeeded':
        case 'requires_capture':
          return sent({ ...ctx, metadata }, true, String(intent.status));
        case 'processing':
          return sent({ ...ctx, metadata }, false, 'processing');
        case 'canceled':
          return { outcome: 'cancelled', vendor: 'stripe', readerId: ref.readerId, reference: ref.reference, paymentId: ref.paymentId, by: 'unknown', vendorCode: 'canceled', message: `PaymentIntent ${ref.paymentId} was cancelled. Push with a new reference to take the payment.` };
        default: {
          const last = obj(intent.last_payment_error);
          if (last) return declined(ctx.sale, ref.paymentId, str(last.decline_code) ?? str(last.code), str(last.message));
          return { outcome: 'cancelled', vendor: 'stripe', readerId: ref.readerId, reference: ref.reference, paymentId: ref.paymentId, by: 'unknown', vendorCode: String(intent.status), message: `Reader ${ref.readerId} no longer shows this sale and it is unpaid. Push it again with the same reference to collect it.` };
        }
      }
    },
  };
}

export function stripeIdempotencyKey(reference: string): string {
  return `terminal-crm:${reference}`;
}

/** What every outcome names: the reader and the caller's reference. */
type Where = Pick<PushRef, 'readerId' | 'reference'>;
interface SentContext {
  sale: ParsedSale | Where;
  piId: string;
  metadata: Record<string, string>;
}
interface Action {
  type?: string;
  status?: string;
  failure_code?: string;
  failure_message?: string;
  paymentIntent?: string;
}
interface StripeApiError {
  code?: string;
  decline_code?: string;
  message?: string;
  param?: string;
  type?: string;
}

function actionOf(reader: Obj): Action | undefined {
  const a = obj(reader.action);
  if (!a) return undefined;
  const ppi = obj(a.process_payment_intent);
  const pi = ppi?.payment_intent;
  return {
    type: str(a.type),
    status: str(a.status),
    failure_code: str(a.failure_code),
    failure_message: str(a.failure_message),
    paymentIntent: typeof pi === 'string' ? pi : str(obj(pi)?.id),
  };
}

const ownsAction = (a: Action, piId: string) => a.type === 'process_payment_intent' && a.paymentIntent === piId;

/** action.failure_code of a failed process_payment_intent (docs: "Payment failures", "Customer-initiated cancellation", "Payment timeout"). */
function fromFailedAction(sale: Where, piId: string, action: Action): PushOutcome {
  const base = { vendor: 'stripe' as const, readerId: sale.readerId, reference: sale.reference, paymentId: piId, vendorCode: action.failure_code };
  if (action.failure_code === 'customer_canceled') {
    return { ...base, outcome: 'cancelled', by: 'customer', message: `The customer cancelled on reader ${sale.readerId}. Push again with the same reference when they are ready; it reuses PaymentIntent ${piId}.` };
  }
  if (action.failure_code === 'connection_error') {
    return { ...base, outcome: 'offline', mayBeOnReader: true, message: `Reader ${sale.readerId} lost its connection while authorising. The payment may still have gone through: wait for the Terminal Payment Trigger or check PaymentIntent ${piId} in Stripe before pushing again.` };
  }
  return declined(sale, piId, action.failure_code, action.failure_message);
}

function declined(sale: Where, piId: string, code: string | undefined, reason: string | undefined): PushOutcome {
  const why = reason ? scrubPan(reason) : undefined;
  return {
    outcome: 'declined', vendor: 'stripe', readerId: sale.readerId, reference: sale.reference, paymentId: piId, vendorCode: code, declineReason: why,
    message: `The card was declined${why ? ` (${why})` : ''}. Ask for another card and push again with the same reference; it reuses PaymentIntent ${piId}.`,
  };
}

function offline(sale: ParsedSale, piId: string, code: string, mayBeOnReader: boolean, message: string): PushOutcome {
  return { outcome: 'offline', vendor: 'stripe', readerId: sale.readerId, reference: sale.reference, paymentId: piId, vendorCode: code, mayBeOnReader, message };
}

function errorOf(res: HttpResponse): StripeApiError | undefined {
  const e = obj(obj(res.body)?.error);
  return e ? { code: str(e.code), decline_code: str(e.decline_code), message: str(e.message), param: str(e.param), type: str(e.type) } : undefined;
}

/** Stripe's `param` in the pack's field names, so the operator knows what to change in the CRM record. */
const PARAM_FIELDS: Record<string, string> = {
  amount: 'amount', currency: 'amount.currency', customer: 'processorCustomerId', description: 'description',
  [`metadata[${STRIPE_METADATA_KEYS.crmRecordId}]`]: 'crmRecordId', [`metadata[${STRIPE_METADATA_KEYS.customerId}]`]: 'customerId',
};

/** Any other refusal: a card error is a decline, an idempotency error a reused reference, the rest a rejected field. */
function fromStripeError(sale: Where, res: HttpResponse, piId?: string): PushOutcome {
  const err = errorOf(res);
  if (err?.type === 'card_error' || res.status === 402) return declined(sale, piId ?? '', err?.decline_code ?? err?.code, err?.message);
  if (err?.type === 'idempotency_error') {
    return rejectedBy(sale, 'reference', err, `Reference "${sale.reference}" was pushed before with a different amount, currency, customer, description or reader. Stripe keeps the first version for 24 hours: push the sale as it was, or use a new reference (for instance to move it to another reader).`);
  }
  const field = err?.param ? PARAM_FIELDS[err.param] ?? err.param : 'sale';
  return rejectedBy(sale, field, err, `Stripe refused the sale${err?.param ? ` (${err.param})` : ''}: ${err?.message ?? vendorSays(res.body)}. Fix ${field} and push again.`);
}

function rejectedBy(sale: Where, field: string, err: StripeApiError | undefined, message: string): PushOutcome {
  return { outcome: 'rejected', vendor: 'stripe', readerId: sale.readerId, reference: sale.reference, field, vendorCode: err?.code ?? err?.type, vendorMessage: err?.message, message };
}

function refRejected(ref: PushRef, field: string, message: string): PushOutcome {
  return { outcome: 'rejected', vendor: 'stripe', readerId: ref.readerId, reference: ref.reference, paymentId: ref.paymentId, field, message };
}

function stringRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(obj(v) ?? {})) if (typeof val === 'string') out[k] = val;
  return out;
}
