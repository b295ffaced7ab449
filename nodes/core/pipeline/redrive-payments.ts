import type { CountryCode } from 'libphonenumber-js';
import { isSaasCrmName, parseSaasCrmName, type SaasCrmName } from '../crm/crm-names';
import { LocalSqlCrm } from '../crm/local-sql-crm';
import { paymentKeyOf } from '../ledger/ledger-event';
import { requeuePayments } from '../reconcile/requeue';
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
  /**
   * SaaS CRMs to queue each payment for besides those the store already sends to: the CRM the operator's flows
   * write to, which a store that has sent nothing there yet cannot name (its first payments crashed before CRM Upsert).
   */
  crms?: readonly SaasCrmName[];
}

/**
 * The redrive every face without a workflow engine runs (the command line, n8n's Terminal Redrive, Node-RED's
 * terminal redrive): each accepted, unfinished event of the store's inbox through tokenize → match → CRM Upsert
 * into the store, whose ledger write marks it done, and its payment then queued for every SaaS CRM the store sends
 * to (sentToCrms) and every one the settings name (`crms`), as CRM Upsert would have queued it; CRM Sync sends it.
 * Each result is the message as CRM Upsert puts it out (event, `match`, `crm`), so Segment or Loyalty can follow.
 */
export async function redrivePayments(db: SqlDatabase, s: RedriveSettings): Promise<RedriveReport<PaymentMessage>> {
  const ctx = { keys: s.keys, crm: new LocalSqlCrm(db), defaultRegion: s.defaultRegion, match: s.match };
  // Checked before any event is claimed: a misspelt CRM must not leave payments recorded and queued nowhere.
  const named = (s.crms ?? []).map((c) => parseSaasCrmName(c, 'crms'));
  const crms = [...new Set([...(await sentToCrms(db)), ...named])].sort();
  return redriveInbox(
    db,
    async (event) => {
      const [done] = await processPayments([event], ctx);
      const key = paymentKeyOf(done!.event);
      for (const crm of crms) await requeuePayments(db, crm, [key]);
      return { ...done!.event, match: done!.match, crm: done!.upsert };
    },
    s,
  );
}

/**
 * The SaaS CRMs this store sends to: those its outbox or its links to CRM records name. A redrive finishes what a
 * flow's CRM Upsert would have done, and that queued the payment for its CRM; the store is what every face shares,
 * and it says which CRMs they write to. A store that has sent nothing to a CRM yet names none: the redrive's `crms`
 * name it (reconcile --repair queues what a CRM lacks).
 */
export async function sentToCrms(db: Pick<SqlDatabase, 'all'>): Promise<SaasCrmName[]> {
  const rows = await db.all<{ crm: string }>('SELECT crm FROM outbox UNION SELECT crm FROM crm_links');
  return [...new Set(rows.map((r) => r.crm))].filter(isSaasCrmName).sort();
}
