/**
 * The Square fixtures (see fixtures/square/SOURCES.md), imported so tsc copies them next to the compiled tests,
 * and signed deliveries made from them. Each call returns a fresh copy: tests change fields freely.
 */
import customerCreated from './fixtures/square/customer-created.json';
import disputeCreated from './fixtures/square/dispute-created.json';
import disputeLost from './fixtures/square/dispute-state-updated-lost.json';
import disputeWon from './fixtures/square/dispute-state-updated-won.json';
import emvApproved from './fixtures/square/payment-created-emv-approved.json';
import emv from './fixtures/square/payment-created-emv.json';
import keyedPos from './fixtures/square/payment-created-keyed-pos.json';
import keyedVirtualTerminal from './fixtures/square/payment-created-keyed-virtual-terminal.json';
import applePay from './fixtures/square/payment-updated-apple-pay.json';
import contactlessJpy from './fixtures/square/payment-updated-contactless-jpy.json';
import contactless from './fixtures/square/payment-updated-contactless.json';
import declined from './fixtures/square/payment-updated-declined.json';
import giftCard from './fixtures/square/payment-updated-gift-card.json';
import googlePay from './fixtures/square/payment-updated-google-pay.json';
import swiped from './fixtures/square/payment-updated-swiped.json';
import refundPending from './fixtures/square/refund-created-pending.json';
import refundCompleted from './fixtures/square/refund-updated-completed.json';
import errorCustomerNotFound from './fixtures/square/api/error-customer-not-found.json';
import errorInsufficientScopes from './fixtures/square/api/error-insufficient-scopes.json';
import errorServiceUnavailable from './fixtures/square/api/error-service-unavailable.json';
import errorUnauthorized from './fixtures/square/api/error-unauthorized.json';
import getPayment from './fixtures/square/api/get-payment.json';
import getRefundCompleted from './fixtures/square/api/get-refund-completed.json';
import getRefundEarlier from './fixtures/square/api/get-refund-earlier.json';
import getRefundPending from './fixtures/square/api/get-refund-pending.json';
import listLocations from './fixtures/square/api/list-locations.json';
import listPaymentsPage1 from './fixtures/square/api/list-payments-page-1.json';
import listPaymentsPage2 from './fixtures/square/api/list-payments-page-2.json';
import retrieveCustomer from './fixtures/square/api/retrieve-customer.json';
import type { WebhookRequest } from '../../../nodes/core/sources/source';
import { squareSignatureOf } from '../../../sandbox/simulator/square-events';

const EVENTS = {
  'customer-created': customerCreated,
  'dispute-created': disputeCreated,
  'dispute-state-updated-lost': disputeLost,
  'dispute-state-updated-won': disputeWon,
  'payment-created-emv-approved': emvApproved,
  'payment-created-emv': emv,
  'payment-created-keyed-pos': keyedPos,
  'payment-created-keyed-virtual-terminal': keyedVirtualTerminal,
  'payment-updated-apple-pay': applePay,
  'payment-updated-contactless-jpy': contactlessJpy,
  'payment-updated-contactless': contactless,
  'payment-updated-declined': declined,
  'payment-updated-gift-card': giftCard,
  'payment-updated-google-pay': googlePay,
  'payment-updated-swiped': swiped,
  'refund-created-pending': refundPending,
  'refund-updated-completed': refundCompleted,
};

const API = {
  'error-customer-not-found': errorCustomerNotFound,
  'error-insufficient-scopes': errorInsufficientScopes,
  'error-service-unavailable': errorServiceUnavailable,
  'error-unauthorized': errorUnauthorized,
  'get-payment': getPayment,
  'get-refund-completed': getRefundCompleted,
  'get-refund-earlier': getRefundEarlier,
  'get-refund-pending': getRefundPending,
  'list-locations': listLocations,
  'list-payments-page-1': listPaymentsPage1,
  'list-payments-page-2': listPaymentsPage2,
  'retrieve-customer': retrieveCustomer,
};

export type SquareFixture = keyof typeof EVENTS;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** A webhook body as Square sends it. */
export const squareFixture = (name: SquareFixture): Json => structuredClone(EVENTS[name]);
/** A Square API response body. */
export const squareApiFixture = (name: keyof typeof API): Json => structuredClone(API[name]);

export const KEY = 'whsk_test_7Qm2ZpR4tV9xB1nC';
export const URL_ = 'https://shop.example.com/webhooks/square';

/**
 * A request as the face hands it over: the event serialized, signed for `url` with `key`, received 1.5 s after
 * Square created it (the clock is the request's, never the test machine's).
 */
export function deliveryOf(event: Json, opts: { key?: string; signUrl?: string; url?: string; receivedAt?: Date; headers?: Record<string, string> } = {}): WebhookRequest {
  const body = JSON.stringify(event);
  const signUrl = opts.signUrl ?? URL_;
  return {
    rawBody: Buffer.from(body, 'utf8'),
    headers: {
      'content-type': 'application/json',
      'x-square-hmacsha256-signature': squareSignatureOf(body, signUrl, opts.key ?? KEY),
      'square-environment': 'Production',
      ...opts.headers,
    },
    method: 'POST',
    url: opts.url ?? signUrl,
    receivedAt: opts.receivedAt ?? new Date(Date.parse(event.created_at) + 1_500),
  };
}
