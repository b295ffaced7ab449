import { z } from 'zod/v4';
import { MoneySchema, type Money } from '../contracts/money';
import { issueText } from '../errors';
import { scrubStrings } from '../pan-scrub';

/**
 * CRM → terminal: a sale started from a CRM record (a deal, an invoice, a booking) is pushed to a card reader with
 * the pack's customer id and the CRM record in the payment's metadata. The payment that comes back through the
 * Terminal Payment Trigger then names its customer itself, so matching does not have to guess.
 *
 * Everything a reader or a customer can do to a sale is an outcome, not an exception: an operator reads `message`
 * and acts. Only what no one at the counter can fix by trying again differently throws: a refused credential
 * (PushAuthError) and an answer that never came or a vendor outage (PushTransientError).
 */
export interface TerminalPush {
  readonly vendor: TerminalVendor;
  pushSale(sale: SaleRequest): Promise<PushOutcome>;
  /** Takes the sale off the reader if the customer has not paid yet. */
  cancel?(ref: PushRef): Promise<PushOutcome>;
  /** Where a pushed sale stands now, for vendors that answer the push before the customer pays. */
  status?(ref: PushRef): Promise<PushOutcome>;
}

export const TERMINAL_VENDORS = ['stripe', 'square', 'adyen'] as const;
export type TerminalVendor = (typeof TERMINAL_VENDORS)[number];

export const SaleRequestSchema = z.object({
  /** ISO 4217 minor units; each adapter converts to its vendor's own rules. */
  amount: MoneySchema.refine((m) => m.minor > 0, { message: 'a sale must be for more than zero', path: ['minor'] }),
  /** Stripe reader (tmr_…), Square Terminal device_id, Adyen POIID ([model]-[serial]). */
  readerId: z.string().trim().min(1, 'name the reader: Stripe tmr_…, Square device_id, Adyen POIID such as S1F2-000158123456'),
  /** The pack's customer id (cus_…), written to the payment so the trigger attributes it without matching. */
  customerId: z.string().trim().min(1, "the pack's customer id (cus_…) of the customer who pays"),
  /** The CRM record the sale belongs to (deal, invoice, booking). */
  crmRecordId: z.string().trim().min(1).optional(),
  /**
   * The caller's idempotency key, e.g. the CRM deal id: pushing the same sale twice (a double click, a retried
   * flow) reaches the reader as one sale, and with Stripe reuses one PaymentIntent so it can only be paid once.
   */
  reference: z.string().trim().min(1, 'an idempotency key such as the CRM deal id').max(200, 'is longer than 200 characters: use a short key such as the CRM deal id'),
  description: z.string().trim().max(500, 'is longer than 500 characters: shorten it').optional(),
  /** The vendor's own customer id when the CRM knows it (Stripe cus_…, Square customer id); never the pack's id. */
  processorCustomerId: z.string().trim().min(1).optional(),
});
export type SaleRequest = z.input<typeof SaleRequestSchema>;
export type ParsedSale = z.output<typeof SaleRequestSchema>;

/** What identifies a pushed sale for cancel and status: `paymentId` is what `sent` returned. */
export interface PushRef {
  readerId: string;
  reference: string;
  /** Stripe PaymentIntent pi_…, Square checkout id, Adyen pspReference. */
  paymentId?: string;
  /** Adyen only: the ServiceID of the payment request, which an abort names. */
  serviceId?: string;
}

interface OutcomeBase {
  vendor: TerminalVendor;
  readerId: string;
  reference: string;
  /** For the operator: what happened and what to do next. */
  message: string;
  /** The vendor's own code for what happened (terminal_reader_busy, TIMED_OUT, Busy…), when it gave one. */
  vendorCode?: string;
  paymentId?: string;
}

export type PushOutcome =
  /**
   * The reader has the sale. `approved` is true when the vendor's answer already says the card was approved (Adyen
   * answers after the customer paid); otherwise the payment arrives through the Terminal Payment Trigger.
   */
  | (OutcomeBase & { outcome: 'sent'; paymentId: string; metadata: Record<string, string>; approved: boolean; approvedAmount?: Money; serviceId?: string })
  /** The reader is not reachable (off, no network) or never picked the sale up. */
  | (OutcomeBase & { outcome: 'offline'; mayBeOnReader: boolean })
  /** The reader is processing something else (another sale, an update, a card left in it). */
  | (OutcomeBase & { outcome: 'busy' })
  /** Stopped before payment: by the customer on the reader, the cashier, or a time-out. */
  | (OutcomeBase & { outcome: 'cancelled'; by: 'customer' | 'cashier' | 'timeout' | 'unknown' })
  /** The card was declined; the same sale can be pushed again for another card. */
  | (OutcomeBase & { outcome: 'declined'; declineReason?: string })
  /** The request itself was refused (ours or the vendor's validation); `field` names what to change. */
  | (OutcomeBase & { outcome: 'rejected'; field: string; vendorMessage?: string });

export type PushOutcomeKind = PushOutcome['outcome'];

export type PushErrorKind = 'auth' | 'transient';

export abstract class PushError extends Error {
  abstract readonly kind: PushErrorKind;
  abstract readonly retryable: boolean;
  constructor(
    readonly vendor: TerminalVendor,
    message: string,
  ) {
    super(`${vendor}: ${message}`);
    this.name = new.target.name;
  }
}

/** The vendor refused the credential: an operator must fix `field` in the settings; pushing again will not help. */
export class PushAuthError extends PushError {
  readonly kind = 'auth' as const;
  readonly retryable = false;
  constructor(
    vendor: TerminalVendor,
    message: string,
    readonly field: string,
    readonly fix: string,
  ) {
    super(vendor, `${message}. Fix: ${fix}`);
  }
}

/**
 * No answer, a 5xx or a rate limit. `outcomeUnknown` is true when the request that starts a payment may have
 * reached the vendor: look at the reader before pushing again (with Stripe and Square the same reference is safe to
 * push again; with Adyen it starts a second payment).
 */
export class PushTransientError extends PushError {
  readonly kind = 'transient' as const;
  readonly retryable = true;
  constructor(
    vendor: TerminalVendor,
    message: string,
    readonly outcomeUnknown: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(vendor, message);
  }
}

/**
 * Our own check of the request before any vendor sees it: a `rejected` outcome naming the field, never a throw,
 * so a flow can route it like the vendor's own refusals. The sale is scrubbed first, as the sources scrub an event:
 * a card number, track, security code or PIN typed into its description, reference or CRM record id goes to no
 * vendor, and the reference is the one the payment's scrubbed metadata will name.
 */
export function checkSale(vendor: TerminalVendor, sale: SaleRequest): { sale: ParsedSale } | { rejected: PushOutcome } {
  const scrubbed = scrubStrings(sale ?? {});
  const r = SaleRequestSchema.safeParse(scrubbed);
  if (r.success) return { sale: r.data };
  const issue = r.error.issues[0]!;
  const field = issue.path.join('.') || 'sale';
  const raw = scrubbed as Partial<Record<string, unknown>>;
  return {
    rejected: {
      outcome: 'rejected',
      vendor,
      readerId: typeof raw.readerId === 'string' ? raw.readerId : '',
      reference: typeof raw.reference === 'string' ? raw.reference : '',
      field,
      message: `${NOT_SENT}${field} — ${issueText(issue)}. Fix it in the CRM record or the flow, then push again.`,
    },
  };
}

/** A rejected outcome for a field we check per vendor (a length, an amount the vendor cannot represent). */
export function rejectField(vendor: TerminalVendor, sale: ParsedSale, field: string, problem: string, fix: string): PushOutcome {
  return { outcome: 'rejected', vendor, readerId: sale.readerId, reference: sale.reference, field, message: `${NOT_SENT}${field} ${problem}. ${fix}` };
}

/** How every refusal of a sale field begins, the field named right after it. */
export const NOT_SENT = 'The sale was not sent: ';

/**
 * A refusal in a face's words: the field its message names (the sale's own name, `amountUnit`) becomes the label the
 * face shows it under ("Amount Is In"). `field` stays the sale's name, for flows that route on it.
 */
export function outcomeInTerms(outcome: PushOutcome, labels: Readonly<Record<string, string>>): PushOutcome {
  if (outcome.outcome !== 'rejected') return outcome;
  const label = labels[outcome.field];
  const named = `${NOT_SENT}${outcome.field}`;
  if (!label || !outcome.message.startsWith(`${named} `)) return outcome;
  return { ...outcome, message: `${NOT_SENT}${label}${outcome.message.slice(named.length)}` };
}
