import { Context } from '@temporalio/activity';
import { ENV } from '../../nodes/core/config/settings';
import type { Settings } from '../../nodes/core/pipeline/settings';
import { backfillPage, openBackfill, progressOf, stateOf, type BackfillOptions } from '../../nodes/core/backfill';
import { readBackfillState } from '../../nodes/core/backfill/backfill-state';
import { parseSaasCrmName } from '../../nodes/core/crm/crm-names';
import { crmAdapterFromEnv } from '../../nodes/core/crm/saas/crm-factory';
import { InputError } from '../../nodes/core/errors';
import { axiosTransport } from '../../nodes/core/http/axios-transport';
import type { HttpTransport } from '../../nodes/core/http/http-transport';
import { historyLister, offlineGraceOf } from '../../nodes/core/sources/history';
import { sourceCredentialsFromEnv } from '../../nodes/core/sources/source-credentials';
import { openDatabase } from '../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../nodes/core/store/sql-database';
import { keyProviderFromSpec } from '../../nodes/core/steps/steps';
import { failFastOnInputError } from './fail-fast';
import type { BackfillInput, BackfillActivities } from '../../workflows/activity-contracts/backfill-activities';

/** What an attempt of a page activity heartbeats: where the page starts, and how many of its events are written. */
export interface PageHeartbeat {
  cursor: string | null;
  pages: number;
  written: number;
}

export type BackfillSettings = Pick<Settings, 'storeUrl' | 'tokenKeys' | 'defaultRegion'> & Partial<Pick<Settings, 'match'>> & {
  env?: NodeJS.ProcessEnv;
  /** Tests pass a transport of their own; the worker uses axios. */
  http?: () => HttpTransport;
  /** Events written per ledger batch. */
  batchSize?: number;
  /** Tests pass a store of their own (one that stalls mid-page); the worker opens `storeUrl`. */
  openStore?: () => Promise<SqlDatabase>;
};

function time(value: string | undefined, field: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new InputError(field, `"${value}" is not a time`, 'give an ISO time such as 2026-01-01T00:00:00Z');
  return d;
}

/**
 * The backfill's activities over the core backfill: the source's credentials come from the worker's environment
 * (the variables polling reads), the CRM's account too. Each page activity heartbeats its position and how much of
 * the page is written; an attempt after a crashed one starts from that heartbeat (a page already finished by the
 * crashed attempt — the store says so — is not read again).
 */
export function createBackfillActivities(settings: BackfillSettings): BackfillActivities {
  const options = async (input: BackfillInput): Promise<BackfillOptions> => {
    const env = settings.env ?? process.env;
    const lister = historyLister(input.source);
    const crm = input.crm ? parseSaasCrmName(input.crm, 'crm') : undefined;
    return {
      source: lister.source,
      credentials: sourceCredentialsFromEnv(lister.credentialsOf, env),
      store: await (settings.openStore?.() ?? openDatabase(settings.storeUrl)),
      keys: keyProviderFromSpec(settings.tokenKeys, ENV.tokenKeys),
      defaultRegion: settings.defaultRegion,
      // The worker's match thresholds: a backfilled payment is matched as the same payment from a webhook would be.
      ...(settings.match ? { match: settings.match } : {}),
      since: time(input.since, 'since')!,
      until: time(input.until, 'until'),
      limit: input.limit,
      offlineGraceMs: offlineGraceOf(lister, input.offlineGraceHours, 'offlineGraceHours'),
      http: settings.http?.() ?? axiosTransport(),
      batchSize: settings.batchSize,
      ...(crm ? { crm: { crm, adapter: () => crmAdapterFromEnv(crm, env), waitMs: 0 } } : {}),
    };
  };
  return {
    openBackfillActivity: (input) => failFastOnInputError(async () => progressOf((await openBackfill(await options(input), input.restart)).state)),
    backfillPageActivity: (input, state) =>
      failFastOnInputError(async () => {
        const o = await options(input);
        const run = await openBackfill(o);
        const context = Context.current();
        // The store is ahead when an attempt finished the page but its answer was lost with its worker.
        const stored = await readBackfillState(o.store, run.cursorName);
        if (stored && stored.pages > state.pages) return progressOf(stored);
        // Only the state's own fields: the progress worked out last time is not state.
        run.state = stateOf(state);
        const last = context.info.heartbeatDetails as PageHeartbeat | undefined;
        const skip = last && last.pages === state.pages && last.cursor === state.cursor ? last.written : 0;
        context.heartbeat({ cursor: state.cursor, pages: state.pages, written: skip } satisfies PageHeartbeat);
        return progressOf(await backfillPage(o, run, { skip, onBatch: (written) => context.heartbeat({ cursor: state.cursor, pages: state.pages, written } satisfies PageHeartbeat) }));
      }),
  };
}
