import { InputError, type EditorPlace } from '../../errors';
import { cloverSource } from '../clover';
import { parseSourceCredentials } from '../source-credentials';
import { sumupSource } from '../sumup';
import { zettleSource } from '../zettle';
import type { HistoryLister } from './history-lister';
import { MAX_OFFLINE_GRACE_HOURS, offlineGraceHoursOf } from './offline-grace';
import { polledHistory } from './polled-history';
import { squarePaymentHistory } from './square-payments';
import { stripeChargeHistory } from './stripe-charges';

export { MAX_OFFLINE_GRACE_HOURS, offlineGraceHoursOf } from './offline-grace';
export { checkWindow, eventsInWindow, type HistoryContext, type HistoryLister, type HistoryPage, type HistoryWindow, type LedgerView } from './history-lister';

const LISTERS: Record<string, () => HistoryLister> = {
  stripe: () => stripeChargeHistory,
  square: () => squarePaymentHistory,
  zettle: () => polledHistory(zettleSource as never, { label: 'Zettle (purchases)', stopsAtUntil: true }),
  clover: () => polledHistory(cloverSource as never, { label: 'Clover (payments)', stopsAtUntil: false }),
  sumup: () => polledHistory(sumupSource as never, { label: 'SumUp (transaction history)', stopsAtUntil: false }),
};

/** The sources whose history can be read: backfill and reconciliation. */
export const HISTORY_SOURCES: readonly string[] = Object.keys(LISTERS);

/** `field`: where the operator named the source (the nodes' Source, the CLI's --from). */
export function historyLister(source: string, field = 'source'): HistoryLister {
  const make = LISTERS[source.trim().toLowerCase()];
  if (!make) throw new InputError(field, `"${source}" has no payment history this pack can read`, `use one of: ${HISTORY_SOURCES.join(', ')}`);
  return make();
}

/**
 * The raw credential record parsed as the source's polling credentials (an API key, without a webhook secret); a
 * missing or wrong field is named as `place` shows it (the command line: by its environment variable).
 */
export function historyCredentials(lister: HistoryLister, raw: unknown, place?: EditorPlace): unknown {
  const source = lister.credentialsOf;
  return parseSourceCredentials({ ...source, credentials: source.listCredentials ?? source.credentials }, raw, place);
}

/** The sources whose history listing reads a grace past each window's end for sales stored offline (Stripe, Square). */
export const OFFLINE_GRACE_SOURCES: readonly string[] = HISTORY_SOURCES.filter((s) => historyLister(s).offlineGraceMs !== undefined);

/**
 * An operator's offline grace for the history of `lister` (offlineGraceHoursOf reads what the face gave), in
 * milliseconds, or undefined for the source's own. `field` is where the operator set it (--offline-grace, Offline
 * Grace (Hours), msg.payload.offlineGrace, offlineGraceHours). One given for a source whose listing takes none is
 * refused, not ignored.
 */
export function offlineGraceOf(lister: HistoryLister, given: unknown, field: string): number | undefined {
  const hours = offlineGraceHoursOf(given);
  const defaults = OFFLINE_GRACE_SOURCES.map((s) => `${historyLister(s).credentialsOf.label} ${historyLister(s).offlineGraceMs! / 3_600_000} h`).join(', ');
  if (hours === null) {
    throw new InputError(field, `${JSON.stringify(given)} is not a whole number of hours from 1 to ${MAX_OFFLINE_GRACE_HOURS}`, `leave it empty for the source's own (${defaults}), or give one such as 48`);
  }
  if (hours === undefined) return undefined;
  if (lister.offlineGraceMs === undefined) {
    throw new InputError(field, `${lister.credentialsOf.label}'s history is listed by when each payment was made, and takes no offline grace`, `leave it empty (it applies to ${OFFLINE_GRACE_SOURCES.join(' and ')})`);
  }
  return hours * 3_600_000;
}
