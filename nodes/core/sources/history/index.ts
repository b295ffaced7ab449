import { InputError, type EditorPlace } from '../../errors';
import { cloverSource } from '../clover';
import { parseSourceCredentials } from '../source-credentials';
import { sumupSource } from '../sumup';
import { zettleSource } from '../zettle';
import type { HistoryLister } from './history-lister';
import { polledHistory } from './polled-history';
import { squarePaymentHistory } from './square-payments';
import { stripeChargeHistory } from './stripe-charges';

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
