import type { CustomerProfile, MatchKey, MatchKeyKind } from './customer';
import type { Money } from './money';
import type { EventKind, PaymentEvent } from './payment-event';
import type { CardDescriptor, CustomerChangePage } from './match-record';

export interface KeyHit {
  kind: MatchKeyKind;
  value: string;
  customerId: string;
}

export type { CustomerProfile };

export interface CustomerUpsert {
  id: string;
  profile: CustomerProfile;
  keys: MatchKey[];
  /** BIN, last four and expiry of the cards seen, so the same card is recognised at another processor. */
  cards?: CardDescriptor[];
}

export interface TransactionRecord {
  /** The processor event id: the idempotency key of this record. */
  eventId: string;
  customerId: string | null;
  source: PaymentEvent['source'];
  paymentId: string;
  kind: EventKind;
  amount: Money;
  refundedTotal?: Money;
  status: PaymentEvent['status'];
  occurredAt: string;
  card?: { brand?: string; last4?: string; token?: string; entryMode?: string; wallet?: string };
  terminal?: { readerId?: string; locationId?: string };
}

export interface CustomerTotal {
  currency: string;
  payments: number;
  grossMinor: number;
  refundedMinor: number;
  netMinor: number;
}

export interface TransactionOutcome {
  eventId: string;
  /** recorded: a new row; enriched: another event of an already recorded payment; duplicate: seen before. */
  outcome: 'recorded' | 'enriched' | 'duplicate';
  customerId: string | null;
  totals: CustomerTotal[];
}

/**
 * A CRM behind a port: one file per CRM under crm/. Batch-first, because every CRM API worth using has batch
 * endpoints and rate limits that punish one call per payment.
 */
export interface Crm {
  readonly name: string;
  findByKeys(keys: readonly MatchKey[]): Promise<KeyHit[]>;
  /** Creates or fills in customers; idempotent by id; attaches keys (a key already on another customer stays there). */
  upsertCustomers(customers: readonly CustomerUpsert[]): Promise<void>;
  /** Records transactions; idempotent by event id. */
  recordTransactions(records: readonly TransactionRecord[]): Promise<TransactionOutcome[]>;
  /**
   * Both of the above as one write, where the CRM can make it one (the local store: one transaction). CRM Upsert
   * uses it when there, and the two calls in turn otherwise.
   */
  recordPayments?(customers: readonly CustomerUpsert[], records: readonly TransactionRecord[]): Promise<TransactionOutcome[]>;
  /**
   * Customers changed since `cursor`, for the matcher's local index of match keys (see match/customer-index.ts).
   * A CRM without it is matched on exact keys only.
   */
  customerChanges?(cursor: string | null, limit: number): Promise<CustomerChangePage>;
  /** The data behind this CRM: every instance over the same data shares one match index. */
  readonly indexScope?: object;
}
