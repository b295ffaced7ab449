import { createHash } from 'node:crypto';
import type { MatchKey } from '../../contracts/customer';
import { CursorStore } from '../../cursors/cursor-store';
import { InputError } from '../../errors';
import { resolveMatchConfig, type MatchConfig } from '../../match/match-config';
import { canonicalEmail, normalizePhone } from '../../match/normalize-keys';
import type { SqlDatabase, SqlExecutor } from '../../store/sql-database';
import { transactionView } from '../../store/transaction-view';
import type { CustomerUpsert } from '../../contracts/crm';
import { LocalSqlCrm } from '../local-sql-crm';
import type { CrmAdapter, CrmRemoteCustomer } from './crm-adapter';
import { externalIdOf, saveLink } from './crm-links';

export interface CustomerRefreshOptions {
  /** The store whose customers the matcher reads. */
  db: SqlDatabase;
  adapter: Pick<CrmAdapter, 'name' | 'changedCustomers'>;
  /** Where the change-feed cursor is kept; default: the store's own sync_cursors. */
  cursors?: CursorStore;
  /** Default `crm-customers:<adapter name>`. */
  cursorName?: string;
  /** Customers asked for per page (the adapter caps it at what its vendor allows). Default 100. */
  pageLimit?: number;
  /** Pages read in one run at most; the next scheduled run carries on from the cursor. Default 50. */
  maxPages?: number;
  /** The match step's region and email rules, so keys are normalized exactly as payments' keys are. */
  match?: Pick<MatchConfig, 'defaultRegion' | 'emailRules'>;
}

export interface CustomerRefreshResult {
  pages: number;
  /** CRM records read (a record read twice counts twice). */
  received: number;
  /** Local customers made for CRM records the store did not know. */
  created: number;
  /** The cursor kept for the next run. */
  cursor: string | null;
  /** False when maxPages stopped the run with more changes waiting. */
  caughtUp: boolean;
}

/** The pack's customer for a CRM record that does not carry one: stable, so a crash and a retry make the same. */
export function localIdForCrmRecord(crm: string, crmId: string): string {
  return `cus_${createHash('sha256').update(`crm:${crm}:${crmId}`).digest('base64url').slice(0, 22)}`;
}

export function customerCursorName(crm: string): string {
  return `crm-customers:${crm}`;
}

/**
 * Refreshes the store's copy of a CRM's customers from the CRM's change feed (modified-since / search APIs), so
 * matching a payment reads only the store and never calls the CRM. Run it on a schedule.
 *
 * Each page is written in one transaction with the cursor that follows it: a crash between pages resumes after
 * the last page written, and a crash inside one writes none of it. A CRM record carrying the pack's id fills in
 * that customer; one without gets a local customer derived from its CRM id, and a crm_links row either way.
 * Details already known are kept (LocalSqlCrm's rule); email and phone become match keys, normalized as the
 * matcher normalizes a payment's, unless another customer holds them already.
 *
 * A caught-up adapter returns a cursor no later than its CRM's lag before the CRM answered (change-overlap.ts), so
 * each run reads that window again and a change the CRM showed late is read; a customer read again with nothing new
 * is not rewritten (LocalSqlCrm keeps what it knows) and not counted in `created`. The run still ends: the adapter
 * says `more` false once its listing has caught up, whatever the cursor.
 */
export async function refreshCustomersFromCrm(o: CustomerRefreshOptions): Promise<CustomerRefreshResult> {
  const pageLimit = o.pageLimit ?? 100;
  const maxPages = o.maxPages ?? 50;
  if (!Number.isInteger(pageLimit) || pageLimit < 1) throw new InputError('pageLimit', `${pageLimit} is not a positive whole number`, 'use a page size such as 100');
  if (!Number.isInteger(maxPages) || maxPages < 1) throw new InputError('maxPages', `${maxPages} is not a positive whole number`, 'use a number of pages such as 50');
  const cursors = o.cursors ?? new CursorStore(o.db);
  const name = o.cursorName ?? customerCursorName(o.adapter.name);
  const cfg = resolveMatchConfig(o.match ?? {});
  const keysOf = (r: CrmRemoteCustomer): MatchKey[] => {
    const email = canonicalEmail(r.profile.email, cfg.emailRules);
    const phone = normalizePhone(r.profile.phone, cfg.normalize.defaultRegion);
    return [...(email ? [{ kind: 'email' as const, value: email }] : []), ...(phone ? [{ kind: 'phone' as const, value: phone }] : [])];
  };

  let cursor = await cursors.get(name);
  const result: CustomerRefreshResult = { pages: 0, received: 0, created: 0, cursor, caughtUp: false };
  while (result.pages < maxPages) {
    // The CRM is called outside any transaction: the store is never held while a vendor answers.
    const page = await o.adapter.changedCustomers(cursor, pageLimit);
    const kept = page.next ?? cursor;
    const created = await o.db.transaction(
      async (tx) => {
        const n = await writePage(o.db, tx, o.adapter.name, page.customers, keysOf);
        await cursors.set(name, kept, tx);
        return n;
      },
      { lockKeys: [`cursor:${name}`, ...page.customers.map((c) => `customer:${c.externalId ?? localIdForCrmRecord(o.adapter.name, c.crmId)}`)] },
    );
    cursor = kept;
    result.pages++;
    result.received += page.customers.length;
    result.created += created;
    result.cursor = cursor;
    if (!page.more || page.next === null) {
      result.caughtUp = true;
      break;
    }
  }
  return result;
}

/** Writes one page's customers and links; returns how many local customers it made. */
async function writePage(
  db: SqlDatabase,
  tx: SqlExecutor,
  crm: string,
  remote: readonly CrmRemoteCustomer[],
  keysOf: (r: CrmRemoteCustomer) => MatchKey[],
): Promise<number> {
  const upserts: CustomerUpsert[] = [];
  const links: { externalId: string; crmId: string }[] = [];
  let created = 0;
  for (const r of remote) {
    const linked = r.externalId?.trim() || (await externalIdOf(tx, crm, 'customer', r.crmId)) || localIdForCrmRecord(crm, r.crmId);
    const id = await survivorOf(tx, linked);
    const known = await tx.get('SELECT id FROM customers WHERE id = ?', [id]);
    if (!known && !upserts.some((u) => u.id === id)) created++;
    upserts.push({ id, profile: r.profile, keys: keysOf(r) });
    links.push({ externalId: id, crmId: r.crmId });
  }
  // LocalSqlCrm's own write (details known are kept, keys stay with whoever holds them), inside this transaction.
  await new LocalSqlCrm(transactionView(db, tx)).upsertCustomers(upserts);
  for (const l of links) await saveLink(tx, { crm, kind: 'customer', ...l });
  return created;
}

/** A customer merged into another lives on as that one: the CRM's details go to the survivor. */
async function survivorOf(tx: SqlExecutor, id: string): Promise<string> {
  let current = id;
  for (let hops = 0; hops < 20; hops++) {
    const row = await tx.get<{ merged_into: string | null }>('SELECT merged_into FROM customers WHERE id = ?', [current]);
    if (!row?.merged_into) return current;
    current = row.merged_into;
  }
  return current;
}
