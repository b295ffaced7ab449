/**
 * Vendor answers, shaped as each vendor documents them. Every fixture names its source; values (ids, amounts) are
 * the test's own.
 */

// ── Stripe ──────────────────────────────────────────────────────────────────────────────────────────────────────

/** PaymentIntent object (Stripe API reference "The PaymentIntent object"; stripe-node resources/PaymentIntents.d.ts). */
export function stripePaymentIntent(over: { id?: string; amount: number; currency: string; status?: string; metadata?: Record<string, string>; last_payment_error?: object | null }) {
  return {
    id: over.id ?? 'pi_3PushTest',
    object: 'payment_intent',
    amount: over.amount,
    amount_capturable: 0,
    amount_received: over.status === 'succeeded' ? over.amount : 0,
    capture_method: 'automatic',
    client_secret: `${over.id ?? 'pi_3PushTest'}_secret_test`,
    confirmation_method: 'automatic',
    created: 1764666000,
    currency: over.currency,
    customer: null,
    description: null,
    last_payment_error: over.last_payment_error ?? null,
    latest_charge: null,
    livemode: false,
    metadata: over.metadata ?? {},
    payment_method: null,
    payment_method_types: ['card_present'],
    status: over.status ?? 'requires_payment_method',
  };
}

/**
 * Reader object as process_payment_intent and GET /v1/terminal/readers/:id return it (Stripe docs, "Collect card
 * payments — server-driven", verify the reader state; stripe-node resources/Terminal/Readers.d.ts Reader.Action).
 */
export function stripeReader(action: { paymentIntent: string; status: 'in_progress' | 'succeeded' | 'failed'; failure_code?: string; failure_message?: string } | null) {
  return {
    id: 'tmr_FrontDesk',
    object: 'terminal.reader',
    action: action && {
      failure_code: action.failure_code ?? null,
      failure_message: action.failure_message ?? null,
      process_payment_intent: { payment_intent: action.paymentIntent },
      status: action.status,
      type: 'process_payment_intent',
    },
    device_sw_version: '2.44.1.0',
    device_type: 'stripe_s700',
    ip_address: '192.168.1.10',
    label: 'Front desk',
    last_seen_at: 1764666000000,
    livemode: false,
    location: 'tml_Shop',
    metadata: {},
    serial_number: 'STRM26100000123',
    status: 'online',
  };
}

/** The error bodies quoted in Stripe's server-driven guide, "Handle errors" (docs.stripe.com/terminal/payments/collect-card-payment?terminal-sdk-platform=server-driven). */
export const STRIPE_ERRORS = {
  offline: {
    error: {
      code: 'terminal_reader_offline',
      doc_url: 'https://docs.stripe.com/error-codes#terminal-reader-offline',
      message: 'Reader is currently offline, please ensure the reader is powered on and connected to the internet before retrying your request. Reference the integration guide at https://docs.stripe.com/terminal/payments/collect-card-payment?terminal-sdk-platform=server-driven#reader-offline for details on how to handle this error.',
      type: 'invalid_request_error',
    },
  },
  busy: {
    error: {
      code: 'terminal_reader_busy',
      doc_url: 'https://docs.stripe.com/error-codes#terminal-reader-timeout',
      message: 'Reader is currently busy processing another request. Please reference the integration guide at https://stripe.com/docs/terminal/payments/collect-card-payment?terminal-sdk-platform=server-driven#handle-errors for details on how to handle this error.',
      type: 'invalid_request_error',
    },
  },
  timeout: {
    error: {
      code: 'terminal_reader_timeout',
      doc_url: 'https://docs.stripe.com/error-codes#terminal-reader-timeout',
      message: 'There was a timeout when sending this command to the reader. Please reference the integration guide at https://stripe.com/docs/terminal/payments/collect-card-payment?terminal-sdk-platform=server-driven#handle-errors for details on how to handle this error.',
      type: 'invalid_request_error',
    },
  },
  invalidState: {
    error: {
      code: 'intent_invalid_state',
      doc_url: 'https://docs.stripe.com/error-codes#intent-invalid-state',
      message: 'Payment intent must be in the requires_payment_method state to be processed by a reader.',
      type: 'invalid_request_error',
    },
  },
  /** Stripe's idempotency_error (API reference "Idempotent requests" / "Errors": type idempotency_error). */
  idempotency: {
    error: {
      message: "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than 'terminal-crm:deal-1' if you meant to execute a different request.",
      type: 'idempotency_error',
    },
  },
  /** Error codes reference: amount_too_small, with `param`. */
  amountTooSmall: {
    error: {
      code: 'amount_too_small',
      doc_url: 'https://docs.stripe.com/error-codes/amount-too-small',
      message: 'Amount must be at least $0.50 usd',
      param: 'amount',
      type: 'invalid_request_error',
    },
  },
  /** 401 for a wrong key (API reference "Authentication"). */
  badKey: { error: { message: 'Invalid API Key provided: sk_test_****************1234', type: 'invalid_request_error' } },
  /** 500 (API reference "Errors": api_error). */
  apiError: { error: { message: 'An unknown error occurred', type: 'api_error' } },
};

// ── Square ──────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * TerminalCheckout as CreateTerminalCheckout / GetTerminalCheckout / CancelTerminalCheckout return it (Square API
 * reference; square-java-sdk doc/models/create-terminal-checkout-response.md example; square 46
 * api/types/TerminalCheckout.d.ts).
 */
export function squareCheckout(over: {
  id?: string;
  amount: number;
  currency: string;
  deviceId: string;
  referenceId?: string;
  note?: string;
  status?: 'PENDING' | 'IN_PROGRESS' | 'CANCEL_REQUESTED' | 'CANCELED' | 'COMPLETED';
  cancelReason?: 'BUYER_CANCELED' | 'SELLER_CANCELED' | 'TIMED_OUT';
  paymentIds?: string[];
  createdAt?: string;
  customerId?: string;
}) {
  return {
    checkout: {
      id: over.id ?? '08YceKh7B3ZqO',
      amount_money: { amount: over.amount, currency: over.currency },
      reference_id: over.referenceId,
      note: over.note,
      device_options: {
        device_id: over.deviceId,
        skip_receipt_screen: false,
        collect_signature: false,
        tip_settings: { allow_tipping: false },
        show_itemized_cart: false,
      },
      deadline_duration: 'PT5M',
      status: over.status ?? 'PENDING',
      ...(over.cancelReason ? { cancel_reason: over.cancelReason } : {}),
      ...(over.paymentIds ? { payment_ids: over.paymentIds } : {}),
      ...(over.customerId ? { customer_id: over.customerId } : {}),
      created_at: over.createdAt ?? '2026-12-02T09:00:00.000Z',
      updated_at: over.createdAt ?? '2026-12-02T09:00:00.000Z',
      app_id: 'sq0idp-TerminalCrmTest',
      location_id: 'LOCATION_ID',
      payment_type: 'CARD_PRESENT',
    },
  };
}

/** Square's error envelope (Handling errors; square 46 api/types/Error_.d.ts, ErrorCode.d.ts). */
export const SQUARE_ERRORS = {
  /** The answer for a device_id the seller has not paired through the Devices API (Square developer forum, Terminal API). */
  deviceNotAuthorized: (deviceId: string) => ({
    errors: [{ code: 'BAD_REQUEST', detail: `Merchant not authorized for device_id=${deviceId}`, category: 'INVALID_REQUEST_ERROR' }],
  }),
  idempotencyReused: {
    errors: [{ category: 'INVALID_REQUEST_ERROR', code: 'IDEMPOTENCY_KEY_REUSED', detail: 'The idempotency key can only be retried with the same request data.', field: 'idempotency_key' }],
  },
  unsupportedCurrency: {
    errors: [{ category: 'INVALID_REQUEST_ERROR', code: 'UNSUPPORTED_CURRENCY', detail: 'Currency KWD is not supported for this seller.', field: 'checkout.amount_money.currency' }],
  },
  unauthorized: { errors: [{ category: 'AUTHENTICATION_ERROR', code: 'UNAUTHORIZED', detail: 'This request could not be authorized.' }] },
  rateLimited: { errors: [{ category: 'RATE_LIMIT_ERROR', code: 'RATE_LIMITED', detail: 'Rate limit exceeded.' }] },
  checkoutNotFound: { errors: [{ category: 'INVALID_REQUEST_ERROR', code: 'NOT_FOUND', detail: 'Checkout not found.' }] },
};

// ── Adyen ───────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * A /sync PaymentResponse, shaped as Adyen's own Node library mock (Adyen/adyen-node-api-library
 * src/__mocks__/terminalApi/sync.ts, receipts left out) and typings/terminal PaymentResponse. AdditionalResponse keeps
 * the card fields Adyen sends, so a test can prove none of them leaves the adapter.
 */
export function adyenPaymentResponse(over: {
  serviceId: string;
  poiId: string;
  saleId?: string;
  reference: string;
  result: 'Success' | 'Failure' | 'Partial';
  errorCondition?: string;
  additionalResponse?: string;
  authorizedAmount?: number;
  currency?: string;
  pspReference?: string;
}) {
  const psp = over.pspReference ?? '8515565295894301';
  return {
    SaleToPOIResponse: {
      MessageHeader: {
        MessageCategory: 'Payment', MessageClass: 'Service', MessageType: 'Response',
        POIID: over.poiId, ProtocolVersion: '3.0', SaleID: over.saleId ?? 'terminal-crm', ServiceID: over.serviceId,
      },
      PaymentResponse: {
        POIData: { POIReconciliationID: '1000', POITransactionID: { TimeStamp: '2026-12-02T09:00:05.000Z', TransactionID: `4r7i001556529591000.${psp}` } },
        PaymentResult: over.result === 'Failure' ? undefined : {
          AmountsResp: { AuthorizedAmount: over.authorizedAmount, Currency: over.currency },
          OnlineFlag: true,
          PaymentAcquirerData: { AcquirerPOIID: over.poiId, AcquirerTransactionID: { TimeStamp: '2026-12-02T09:00:05.000Z', TransactionID: psp }, ApprovalCode: '123456', MerchantID: 'TestMerchant' },
          PaymentInstrumentData: { CardData: { EntryMode: ['Tapped'], MaskedPan: '541333 **** 3511', PaymentBrand: 'mc', SensitiveCardData: { ExpiryDate: '1228' } }, PaymentInstrumentType: 'Card' },
        },
        Response: {
          Result: over.result,
          ...(over.errorCondition ? { ErrorCondition: over.errorCondition } : {}),
          AdditionalResponse:
            over.additionalResponse ??
            `tid=75039202&transactionType=GOODS_SERVICES&pspReference=${psp}&paymentMethodVariant=mc&cardHolderName=N%2fA&refusalReasonRaw=APPROVED&expiryDate=12%2f2028&cardType=mc&merchantReference=${encodeURIComponent(over.reference)}&cardSummary=3511&cardBin=541333&posEntryMode=CLESS_SWIPE&cardScheme=mc`,
        },
        SaleData: { SaleTransactionID: { TimeStamp: '2026-12-02T09:00:00.000Z', TransactionID: over.reference } },
      },
    },
  };
}

/** The cloud's answer when the terminal did not respond (Adyen/adyen-node-api-library src/__mocks__/terminalApi/async.ts asyncResponseError). */
export function adyenNoResponseFromPoi(poiId: string, serviceId: string) {
  return {
    SaleToPOIRequest: {
      EventNotification: {
        EventToNotify: 'Reject',
        EventDetails: 'message=Did+not+receive+a+response+from+the+POI.',
        RejectedMessage: 'ewoi...0KfQo=',
        TimeStamp: '2026-12-02T09:00:30.515Z',
      },
      MessageHeader: {
        DeviceID: '666568147', MessageCategory: 'Event', MessageClass: 'Event', MessageType: 'Notification',
        POIID: poiId, ProtocolVersion: '3.0', SaleID: 'terminal-crm', ServiceID: serviceId,
      },
    },
  };
}

/** Adyen's generic error body for a refused API key (docs.adyen.com/development-resources/error-codes: status, errorCode 000, message, errorType). */
export const ADYEN_UNAUTHORIZED = { status: 401, errorCode: '000', message: 'HTTP Status Response - Unauthorized', errorType: 'security' };
