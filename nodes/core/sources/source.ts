import type { z } from 'zod/v4';
import type { Money } from '../contracts/money';
import type { PaymentEvent, SourceName } from '../contracts/payment-event';
import type { HttpTransport } from '../http/http-transport';

export { headerOf as headerValue } from '../http/http-transport';

/**
 * A webhook exactly as it arrived. `rawBody` must be the bytes the processor signed; `url` is the URL the
 * processor called (Square signs it): behind a proxy or tunnel that is the operator's public URL, not the one the
 * engine sees.
 */
export interface WebhookRequest {
  rawBody: Buffer;
  headers: Record<string, string | string[] | undefined>;
  method: string;
  url: string;
  receivedAt: Date;
}

/**
 * What the store holds, for the rare record whose processor read alone cannot be told right. A source reads the
 * processor and never the store: where the caller has one (a trigger's, a poll's, backfill's, reconciliation's), it
 * passes it in here, and the source asks it for the payments that need it only. Without it the processor's read is
 * all there is.
 */
export interface LedgerView {
  /**
   * Of these payment ids of the source, those the ledger counts something refunded for. Stripe's history asks it for
   * the charges listed with nothing refunded and no refunds (amount_refunded may drop to 0 once every refund failed,
   * and API versions from 2022-11-15 list no refunds unless expanded), and reads the refunds of those it names.
   */
  refunded(paymentIds: readonly string[]): Promise<ReadonlySet<string>>;
  /**
   * Of these payment ids of the source, those the ledger holds a sale of, each with the amount it counts for it (its
   * gross, in its currency). Clover asks it for a payment read VOIDED that names no amount, SumUp for a transaction
   * read CANCELLED that names none, or no currency: the void takes back the sale the ledger holds, at the amount (and in
   * the currency) the ledger knows (void-amount.ts).
   */
  sales(paymentIds: readonly string[]): Promise<ReadonlyMap<string, Money>>;
}

/**
 * What a source may use besides the request: HTTP from the face (fetching what a webhook only names), a clock, and
 * where the caller has a store, what its ledger holds.
 */
export interface SourceContext {
  http?: HttpTransport;
  now: () => Date;
  ledger?: LedgerView;
}

/** One item of a batch whose own signature did not verify (Adyen signs each item): dropped and reported. */
export interface ForgedItem {
  index: number;
  /** The vendor's reference for the item, when it has one (Adyen's pspReference), for the report. */
  reference?: string;
  reason: string;
}

/**
 * A delivery that is not a payment event but must be answered: Clover's verification-code handshake, Zettle's
 * TestMessage. `note` is shown to the operator (Clover's code must be pasted into its dashboard).
 */
export interface ControlMessage {
  kind: 'handshake' | 'test';
  note: string;
}

/** What verify hands on: the items that passed, in the vendor's own shape, and what did not. */
export interface VerifiedDelivery {
  items: unknown[];
  forged: ForgedItem[];
  control?: ControlMessage;
}

/** The exact HTTP answer the processor expects (Adyen wants "[accepted]", others JSON). */
export interface WebhookAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** What became of a delivery, for the answer and for the operator. */
export interface DeliveryReport {
  /** Events passed on (new). */
  accepted: string[];
  /** Events seen before: answered 2xx and not passed on again. */
  duplicates: string[];
  ignored: string[];
  forged: ForgedItem[];
  control?: ControlMessage;
}

/**
 * A terminal/processor behind the port: one file per processor under sources/, created by a factory in
 * registry.ts. Credentials are typed per source: the face hands over its raw credential record (an n8n credential,
 * a Node-RED config node's credentials, environment variables) and `credentials` parses it, so a missing secret is
 * reported with the field and the fix before any delivery is judged.
 */
export interface Source<C = unknown> {
  readonly name: SourceName;
  /**
   * The source its PaymentEvents carry, where it is another way in to a processor another source names (the Adyen
   * Terminal API's sales are Adyen's payments): default `name`.
   */
  readonly eventSource?: SourceName;
  /** For editors and messages: "Square", "Adyen (webhooks)". */
  readonly label: string;
  /** Event types this source turns into PaymentEvents; others are acknowledged and ignored. */
  readonly handledEventTypes: readonly string[];
  /** Parses the raw credential record; throws InputError naming the missing or malformed field. */
  readonly credentials: z.ZodType<C>;
  /** Credential field → environment variable (sandbox, Temporal worker). */
  readonly env: Readonly<Record<string, string>>;
  /**
   * Checks the delivery's authenticity with the vendor's own verifier where there is one; throws SignatureError
   * when the whole delivery is not genuine. A batch whose items are signed one by one returns the forged ones
   * in `forged` and the genuine ones in `items`.
   */
  verify(request: WebhookRequest, credentials: C, ctx: SourceContext): Promise<VerifiedDelivery>;
  /**
   * One verified item → zero or more PaymentEvents (ids namespaced, amounts in ISO minor units). Throws
   * IgnoredEventError, with the reason, for an item type the pack does not process.
   */
  normalize(item: unknown, credentials: C, ctx: SourceContext): Promise<PaymentEvent[]>;
  /** The answer for a delivery that was accepted (2xx); sources that say nothing get JSON `{received: true, …}`. */
  answer?(report: DeliveryReport): WebhookAnswer;
  /** Largest body this source's deliveries reach; bigger ones are answered 413. */
  readonly maxBodyBytes?: number;
  /**
   * Polling and backfill, for operators who cannot expose a webhook: recent payment events through the vendor's
   * list API, oldest first, continuing from `cursor` (kept in the store by the caller). Where the vendor has an
   * events API its event ids are the webhook's, so the inbox drops a payment that came both ways; otherwise the
   * ledger recognises the payment by its payment id.
   */
  list?(credentials: C, page: ListPage, ctx: SourceContext): Promise<ListResult>;
  /** What polling needs, where that is less than the webhook's credentials (an API key without a signing secret). */
  readonly listCredentials?: z.ZodType<C>;
}

export interface ListPage {
  /** Where the last page ended (null: start at `since`). */
  cursor: string | null;
  since?: Date;
  limit: number;
}

export interface ListResult {
  events: PaymentEvent[];
  /** Pass back to continue; keep it in the store. */
  cursor: string | null;
  /** More pages are waiting now. */
  more: boolean;
  /** What the operator must hear of this page though nothing failed (a listing narrower than asked, and why). */
  notes?: string[];
}

/** The id every store row, workflow id and CRM external id uses: "<source>:<processor's id>". */
export function namespacedEventId(source: SourceName, processorEventId: string): string {
  return `${source}:${processorEventId}`;
}
