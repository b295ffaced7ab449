import type { CustomerProfile } from '../../contracts/customer';
import type { Money } from '../../contracts/money';
import type { HttpResponse, HttpTransport } from '../../http/http-transport';
import type { CrmError } from './crm-errors';

/**
 * The port every SaaS CRM sits behind (one file each under crm/saas/). Batch-first: the outbox hands over up to
 * `limits.batchSize` records of one kind and gets one result per record, in the same order. Every record carries
 * the pack's own id as the CRM's external id, so writing it twice (a retry after a lost answer) changes nothing.
 *
 * An adapter throws only for what fails the whole call (a CrmRateLimitError, CrmAuthError after one refresh,
 * CrmTransientError); what the CRM refuses record by record comes back as `rejected` results.
 */
export interface CrmAdapter {
  readonly name: string;
  readonly limits: CrmLimits;
  upsertCustomers(batch: readonly CrmCustomer[]): Promise<CrmItemResult[]>;
  upsertPayments(batch: readonly CrmPayment[]): Promise<CrmItemResult[]>;
  updateFields(batch: readonly CrmFieldUpdate[]): Promise<CrmItemResult[]>;
  /**
   * Customers changed in the CRM since `cursor` (null: from the beginning), for the local copy the matcher reads.
   * One page per call; pass `next` back while `more` is true. Uses the vendor's modified-since / search API, never
   * one call per customer.
   */
  changedCustomers(cursor: string | null, limit: number): Promise<CrmChangedCustomers>;
  /**
   * The limit an answer says this account has (HubSpot's X-HubSpot-RateLimit-Max per -Interval-Milliseconds), where
   * the vendor reports it: a drain paced by `limits` then goes no faster than the account's plan allows, and never
   * faster than `limits`.
   */
  limitsFrom?(res: HttpResponse): Pick<CrmLimits, 'requestsPerWindow' | 'windowMs'> | undefined;
  /**
   * What the adapter falls back on, as it stands now, that fails no record but an operator should know (Zoho: the
   * org's time zone not given, so dates are UTC days), each with what to do about it; and the fields it fitted to the
   * CRM's lengths since the last call (field-lengths.ts: a name cut, an email left out), which the call empties. A
   * written record's result also carries its own (CrmItemResult `notes`), which CRM Upsert puts on its item.
   */
  notes?(): string[];
}

/** The vendor's documented limits: the outbox drains within them. */
export interface CrmLimits {
  /** Records per batch call (HubSpot 100, Salesforce 200, Zoho 100, Dynamics $batch 1000, Pipedrive 1). */
  batchSize: number;
  /**
   * Records of a kind one call may take when the adapter splits them into requests of `batchSize` itself, because
   * a larger call shares a request among them (HubSpot: ten deal upserts, then one association request for all
   * 1,000 payments instead of one per 100). Used only where the drain paces every HTTP request (paced-transport.ts),
   * so the CRM's count and the drain's agree.
   */
  recordsPerCall?: Partial<Record<'customer' | 'payment' | 'fields', number>>;
  /** Requests allowed per window, as documented for the plan or app type this adapter assumes. */
  requestsPerWindow: number;
  windowMs: number;
}

/** A customer as the pack knows it. `externalId` is the pack's customer id (cus_…). */
export interface CrmCustomer {
  externalId: string;
  profile: CustomerProfile;
  /** The CRM's own id when the link table already knows it. */
  crmId?: string;
}

/**
 * A payment's current state as the ledger computes it (refunds and chargebacks already applied), keyed by
 * `externalId` = "<source>:<paymentId>". A refund updates the same record: the CRM never counts a payment twice.
 */
export interface CrmPayment {
  externalId: string;
  customerExternalId: string;
  /** The customer's CRM id when known (link table), for the association. */
  customerCrmId?: string;
  source: string;
  paymentId: string;
  amount: Money;
  refunded: Money;
  status: 'succeeded' | 'failed' | 'refunded' | 'partially_refunded' | 'disputed' | 'pending';
  occurredAt: string;
  /**
   * A refunded payment's: when it was given back in full, at the processor's time (the refund that completed it, or
   * the lost dispute), which a deal closes as lost at (payment-state.ts dealClosedAt). Absent where the ledger cannot
   * say (refunds recorded before store schema 28) and on records queued before it was carried.
   */
  refundedAt?: string;
  card?: { brand?: string; last4?: string; entryMode?: string; wallet?: string };
  terminal?: { readerId?: string; locationId?: string };
  crmId?: string;
}

/** Fields the pack writes on a customer (segment, loyalty, totals), in the pack's names; the adapter maps them. */
export interface CrmFieldUpdate {
  customerExternalId: string;
  customerCrmId?: string;
  fields: Record<string, string | number | boolean | null>;
}

export type CrmItemResult =
  /** `notes`: what the adapter fitted to the CRM's field lengths in the record it wrote (field-lengths.ts), if anything. */
  | { externalId: string; status: 'synced'; crmId: string; notes?: string[] }
  | { externalId: string; status: 'rejected'; reason: string; field?: string }
  /** The CRM found several records this one could be (Salesforce 300 Multiple Choices): a person decides. */
  | { externalId: string; status: 'ambiguous'; reason: string; candidates: string[] }
  /** This record could not be written now, for a reason that may pass (the rest of the batch went through). */
  | { externalId: string; status: 'retry'; error: CrmError };

export interface CrmRemoteCustomer {
  crmId: string;
  /** The pack's id when the CRM record carries it. */
  externalId?: string;
  profile: CustomerProfile;
  updatedAt: string;
}

/**
 * One page of the change feed. What to keep afterwards:
 * - `more` true: another page waits now; call again with `next`.
 * - `more` false, `next` set: caught up; keep `next` and start from it next time. Adapters set it no later than
 *   their CRM's lag before the answer (change-overlap.ts), so the next run reads that window again.
 * - `more` false, `next` null: caught up; keep the cursor you passed (the last page may come once more).
 */
export interface CrmChangedCustomers {
  customers: CrmRemoteCustomer[];
  next: string | null;
  more: boolean;
}

/** What every adapter factory receives: HTTP from the face, and the adapter's own settings. */
export interface CrmAdapterContext<S> {
  http: HttpTransport;
  settings: S;
}
