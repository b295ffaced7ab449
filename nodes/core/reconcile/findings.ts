/** What reconciliation found about one payment, in words an operator can act on. */

/** The money of a payment as one side records it. */
export interface PaymentFacts {
  currency: string;
  amountMinor: number;
  refundedMinor: number;
  status: string;
  occurredAt: string;
}

export type Side = 'ledger' | 'crm';

export interface MissingFinding {
  key: string;
  /** Where it is missing: from the ledger (the processor has it), or from the CRM (the ledger has it). */
  from: Side;
  processor?: PaymentFacts;
  ledger?: PaymentFacts;
}

export interface DuplicatedFinding {
  key: string;
  /** ledger: counted as a payment more than once; transactions: more than one sale row in the local CRM. */
  in: 'ledger' | 'transactions';
  count: number;
}

export interface Difference {
  field: 'amount' | 'currency' | 'status' | 'refunded';
  expected: string | number;
  found: string | number;
}

export interface MismatchedFinding {
  key: string;
  /** ledger: the ledger differs from the processor; crm: the record last sent to the CRM differs from the ledger. */
  in: Side;
  differences: Difference[];
}

/** A payment in the ledger for the window that the processor does not list (another account, or not card-present). */
export interface UnknownFinding {
  key: string;
  ledger: PaymentFacts;
}
