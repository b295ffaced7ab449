import type { CountryCode } from 'libphonenumber-js';
import { LocalSqlCrm } from '../crm/local-sql-crm';
import { redriveInbox, type RedriveOptions, type RedriveReport } from '../inbox/redrive';
import type { MatchConfig } from '../match/match-config';
import type { PaymentMessage } from '../contracts/payment-message';
import type { SqlDatabase } from '../store/sql-database';
import type { KeyProvider } from '../tokenize/key-provider';
import { processPayments } from './process-payment';

export interface RedriveSettings extends RedriveOptions {
  keys: KeyProvider;
  defaultRegion?: CountryCode;
  match?: Omit<MatchConfig, 'defaultRegion'>;
}

/**
 * The redrive every face without a workflow engine runs (the command line, n8n's Terminal Redrive, Node-RED's
 * terminal redrive): each accepted, unfinished event of the store's inbox through tokenize → match → CRM Upsert
 * into the store, whose ledger write marks it done. Each result is the message as CRM Upsert puts it out (event,
 * `match`, `crm`), so Segment or Loyalty can follow in a flow.
 */
export function redrivePayments(db: SqlDatabase, s: RedriveSettings): Promise<RedriveReport<PaymentMessage>> {
  const ctx = { keys: s.keys, crm: new LocalSqlCrm(db), defaultRegion: s.defaultRegion, match: s.match };
  return redriveInbox(
    db,
    async (event) => {
      const [done] = await processPayments([event], ctx);
      return { ...done!.event, match: done!.match, crm: done!.upsert };
    },
    s,
  );
}
