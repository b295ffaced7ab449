import type { MatchKey, MatchKeyKind } from '../contracts/customer';
import type { Money } from '../contracts/money';
import type { EventKind, PaymentEvent } from '../contracts/payment-event';

export interface KeyHit {
  kind: MatchKeyKind;
  value: string;
  customerId: string;
}

export interface CustomerProfile {
  name?: string;
  email?: string;
  phone?: string;
  postalCode?: string;
}

export interface CustomerUpsert {
  id: string;
  profile: CustomerProfile;
  keys: MatchKey[];
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
}
