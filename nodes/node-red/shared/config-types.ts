import type { CountryCode } from 'libphonenumber-js';
import type { Crm } from '../../core/contracts/crm';
import type { SqlDatabase } from '../../core/store/sql-database';
import type { Source } from '../../core/sources/source';
import type { CredentialPlace } from '../../core/sources/source-credentials';
import type { KeyProvider } from '../../core/tokenize/key-provider';
import type { RuntimeNode } from './red-api';

export const STORE_TYPE = 'terminal-crm-store';
export const ACCOUNT_TYPE = 'stripe-terminal-account';

/** The store config node as the step nodes see it. */
export interface StoreNode extends RuntimeNode {
  tokenKeys(): KeyProvider;
  defaultRegion(): CountryCode;
  crm(crmName: string): Promise<Crm>;
  /** The store itself, for the steps that keep their own tables (segment statistics, loyalty ledger). */
  db(): Promise<SqlDatabase>;
}

/** A processor's config node as the trigger sees it: the core source and the credential record it parses. */
export interface SourceAccountNode extends RuntimeNode {
  source(): Source<unknown>;
  sourceCredentials(): Record<string, unknown>;
  /** The account as its dialog names it and its fields, so an unusable credential is named in those words. */
  credentialPlace(): CredentialPlace;
}

/** The Stripe account config node. */
export interface AccountNode extends SourceAccountNode {
  signingSecrets(): string[];
}
