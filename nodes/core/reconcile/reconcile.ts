import { InputError, type EditorPlace } from '../errors';
import type { HttpTransport } from '../http/http-transport';
import { ledgerViewOf } from '../backfill/ledger-view';
import { writePage, type LedgerWriter } from '../backfill/write-page';
import { addressed } from '../sources/credential-error';
import { checkWindow, historyCredentials, historyLister } from '../sources/history';
import { compareWithLedger, type Findings } from './compare';
import { readProcessorHistory, withLookedUp } from './processor-view';
import { requeuePayments } from './requeue';

export interface ReconcileOptions extends Omit<LedgerWriter, 'keys'> {
  /** The token keys: needed to repair (events are tokenized before they are written), not to compare. */
  keys?: LedgerWriter['keys'];
  source: string;
  credentials: unknown;
  /** Where the operator set those credentials, for the messages about them (default: the credential, or the worker's variables). */
  credentialPlace?: EditorPlace;
  since: Date;
  /** Now when absent. */
  until?: Date;
  limit?: number;
  /**
   * How far past the period's end the processor's listing reads for sales stored offline in it (Stripe, Square; their
   * own default when absent): offlineGraceOf reads an operator's setting.
   */
  offlineGraceMs?: number;
  http?: HttpTransport;
  now?: () => Date;
  /** Fix what can be fixed: write what the ledger lacks, queue again what the CRM lacks or holds stale. */
  repair?: boolean;
}

export interface Unfixable {
  key: string;
  reason: string;
}

export interface ReconcileReport extends Findings {
  source: string;
  since: string;
  until: string;
  /** The SaaS CRM compared, when one was named. */
  crm?: string;
  /** Payments the processor lists for the window (sales seen; failed attempts not counted). */
  processorPayments: number;
  processorPages: number;
  /** Nothing missing, duplicated, mismatched or unknown. */
  clean: boolean;
  /** What the processor's listing said though nothing failed: Square listing only the main location, and why. */
  notes?: string[];
  repair?: {
    /** Payments written to the ledger from the processor's record that now agree with it. */
    backfilled: string[];
    /** Payments queued again for the CRM. */
    requeued: string[];
    /** What is still wrong after the repair, and why it cannot be fixed here. */
    unfixable: Unfixable[];
    /** The findings after the repair. */
    after: Findings;
  };
}

const isClean = (f: Findings) => f.missing.length + f.duplicated.length + f.mismatched.length + f.unknown.length === 0;

/**
 * The processor's record of a period (the same history listing backfill reads) against the ledger, and the ledger
 * against a SaaS CRM's outbox and links when `crm` names one. With `repair`, missing and mismatched payments are
 * written from the processor's events (the ledger's rules then decide: a missing refund counts, a first amount stays),
 * CRM records are queued again, and what still differs is reported with why it cannot be fixed here.
 */
export async function reconcile(o: ReconcileOptions): Promise<ReconcileReport> {
  const lister = historyLister(o.source);
  const credentials = historyCredentials(lister, o.credentials, o.credentialPlace);
  const now = o.now ?? (() => new Date());
  const until = o.until ?? now();
  checkWindow(o.since, until);
  const window = { since: o.since, until };
  const ctx = { http: o.http, now, ledger: ledgerViewOf(o.store, lister.source) };
  const credentialFault = (e: unknown) => Promise.reject(addressed(e, lister.credentialsOf, o.credentialPlace));
  let history = await readProcessorHistory(lister, credentials, { ...window, limit: o.limit ?? 100, offlineGraceMs: o.offlineGraceMs }, ctx).catch(credentialFault);
  // Payments the processor lists for the period: those its listing brought.
  const processorPayments = [...history.payments.values()].filter((p) => p.counted).length;
  const crm = o.crm?.crm;
  let findings = await compareWithLedger(o.store, lister.source, window, history.payments, crm);
  // A payment the ledger dates in the period that the listing did not bring (usually none) is asked for by id: one the
  // processor lists in another period (a sale stored offline, forwarded after the grace) is compared, not unknown.
  if (findings.unknown.length > 0) {
    const looked = await withLookedUp(lister, credentials, history, findings.unknown.map((u) => u.key), ctx).catch(credentialFault);
    if (looked.found.length > 0) {
      history = { ...looked, notes: [...looked.notes, listedElsewhereNote(lister.label, looked.found)] };
      findings = await compareWithLedger(o.store, lister.source, window, history.payments, crm);
    }
  }
  const report: ReconcileReport = {
    source: lister.source, since: o.since.toISOString(), until: until.toISOString(), ...(crm ? { crm } : {}),
    processorPayments, processorPages: history.pages,
    ...findings, clean: isClean(findings), ...(history.notes.length ? { notes: history.notes } : {}),
  };
  if (!o.repair || report.clean) return report;

  const fromProcessor = new Set([...findings.missing.filter((m) => m.from === 'ledger'), ...findings.mismatched.filter((m) => m.in === 'ledger')].map((f) => f.key));
  const events = history.events.filter((e) => fromProcessor.has(`${e.source}:${e.paymentId}`));
  if (events.length) {
    if (!o.keys) throw new InputError('tokenKeys', 'repairing writes payments, and their cards are tokenized first, but no token keys are configured', 'set TERMINAL_CRM_TOKEN_KEYS as the other steps have it');
    await writePage(events, { ...o, keys: o.keys });
  }
  const toCrm = [...findings.missing.filter((m) => m.from === 'crm'), ...findings.mismatched.filter((m) => m.in === 'crm')].map((f) => f.key);
  const requeued = crm && toCrm.length ? await requeuePayments(o.store, crm, toCrm) : [];

  const after = await compareWithLedger(o.store, lister.source, window, history.payments, crm);
  // A CRM record queued again is not in the CRM until CRM Sync sends it: not "still missing".
  const waiting = new Set(requeued);
  after.missing = after.missing.filter((m) => !(m.from === 'crm' && waiting.has(m.key)));
  after.mismatched = after.mismatched.filter((m) => !(m.in === 'crm' && waiting.has(m.key)));
  report.repair = {
    backfilled: [...fromProcessor].filter((k) => !after.missing.some((m) => m.key === k && m.from === 'ledger') && !after.mismatched.some((m) => m.key === k && m.in === 'ledger')).sort(),
    requeued,
    unfixable: unfixable(after),
    after,
  };
  return report;
}

/** What the report says of payments the processor lists in another period, read by id and compared here. */
function listedElsewhereNote(label: string, keys: readonly string[]): string {
  const which = keys.length === 1 ? `${keys[0]} is` : `${keys.length} payments (${keys.join(', ')}) are`;
  return `${which} in the ledger for this period but listed by ${label} in another (a sale stored offline and forwarded after the offline grace, or a reader's clock ahead of the processor's): read by id and compared here`;
}

function unfixable(f: Findings): Unfixable[] {
  return [
    ...f.missing.map((m) => ({
      key: m.key,
      reason: m.from === 'ledger'
        ? 'the processor lists it but writing its events did not count it (see the CRM Upsert error above, or the store log)'
        : 'it has no customer or is not yet seen, so there is no CRM record to send',
    })),
    ...f.duplicated.map((d) => ({
      key: d.key,
      reason: d.in === 'ledger'
        ? `the ledger counts it ${d.count} times: its extra events must be removed by hand (ledger_events), and its customer's totals rebuilt`
        : `the local CRM holds ${d.count} sale rows for it: remove the extra rows from transactions by hand and rebuild the customer's totals`,
    })),
    ...f.mismatched.map((m) => ({
      key: m.key,
      reason: `${m.differences.map((d) => `${d.field} ${d.found} where the ${m.in === 'ledger' ? 'processor says' : 'ledger says'} ${d.expected}`).join(', ')}: the ledger keeps the first amount and currency it saw and a refund never shrinks, so this needs a correction by hand`,
    })),
    ...f.unknown.map((u) => ({ key: u.key, reason: 'the processor does not list it for this window: another account, not card-present, or a test payment; nothing to repair from' })),
  ];
}
