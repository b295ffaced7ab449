import type { CustomerProfile, MatchKey } from './customer';

/** What the matcher knows of a card besides its token: enough to recognise it at another processor. */
export interface CardDescriptor {
  bin?: string;
  last4: string;
  expMonth?: number;
  expYear?: number;
  brand?: string;
  wallet?: string;
  /** Our token of the card and the processor it was made for: two different tokens of one processor are two cards. */
  token?: string;
  processor?: string;
}

/**
 * A customer as the match index sees it, in the CRM's own spelling (the index normalizes). Every field may be
 * missing. `keys` are the exact keys (processor customer ids, emails, phones, card tokens) of this customer.
 */
export interface MatchRecord extends CustomerProfile {
  id: string;
  keys?: readonly MatchKey[];
  cards?: readonly CardDescriptor[];
  /**
   * An identifier that is one person's and that both sides hold: a national or tax id, a member or customer number
   * two systems share. Record files carry it (`link --columns idNumber=…`); payments and the store do not.
   */
  idNumber?: string;
  /** Set when the customer was merged away: the index drops it. */
  mergedInto?: string;
  /** The CRM's change stamp, so a refresh can skip what it already has. */
  updatedAt?: string;
}

/** One page of customers changed after `cursor`; pass `next` back to continue. */
export interface CustomerChangePage {
  records: MatchRecord[];
  /** Where the next page starts; store it and pass it to the next call. */
  next: string | null;
  /** More changes are waiting beyond this page. */
  more: boolean;
}

/**
 * Where the match index gets its records: the local store, or a CRM adapter listing contacts changed since a
 * stamp (every CRM API has a "modified since" filter). One call per refresh, never one search per payment.
 */
export interface CustomerChangeSource {
  /** Customers changed since `cursor` (null: from the beginning), at most `limit` of them. */
  customerChanges(cursor: string | null, limit: number): Promise<CustomerChangePage>;
  /** Identifies the data behind the source, so every source over the same data shares one index. */
  readonly indexScope?: object;
}
