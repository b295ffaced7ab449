import type { CountryCode } from 'libphonenumber-js';
import type { CrmAdapter } from '../../nodes/core/crm/saas/crm-adapter';
import { CRM_CREDENTIAL_ENV, crmAdapterFromEnv } from '../../nodes/core/crm/saas/crm-factory';
import { refreshCustomersFromCrm, type CustomerRefreshResult } from '../../nodes/core/crm/saas/customer-refresh';
import { parseSaasCrmName } from '../../nodes/core/crm/crm-names';
import type { OutboxAlert } from '../../nodes/core/outbox/types';
import { crmSyncLimits, runCrmSync, type CrmSyncSummary } from '../../nodes/core/outbox/sync-run';
import { openDatabase } from '../../nodes/core/store/open-database';
import { failFastOnInputError } from './fail-fast';

/** What one scheduled CRM sync asks for (the workflow's input). */
export interface CrmSyncInput {
  crm: string;
  /** Batches per drain at most (default: no limit). */
  maxBatches?: number;
  /** No batch is started after this many seconds (default: sync-run.ts's). */
  deadlineSeconds?: number;
  /** Change-feed pages read per refresh at most (default: customer-refresh.ts's); the next run carries on. */
  refreshPages?: number;
}

export interface CrmDrainSummary extends CrmSyncSummary {
  /** The records given up on in this run, with the CRM's reason (the outbox_alerts table keeps them all). */
  alerts: OutboxAlert[];
}

export interface CrmSyncActivities {
  /** Sends what waits in the outbox for the CRM. */
  crmSyncDrain(input: CrmSyncInput): Promise<CrmDrainSummary>;
  /** Brings the store's copy of the CRM's customers up to date from its change feed. */
  crmSyncRefresh(input: CrmSyncInput): Promise<CustomerRefreshResult>;
}

const MAX_ALERTS_IN_HISTORY = 100;

/**
 * The CRM sync activities over the core, with each CRM's credentials and base URL from the worker's environment
 * (HUBSPOT_ACCESS_TOKEN, HUBSPOT_BASE_URL, …, as `terminal-crm sync` reads them). One adapter per CRM for the
 * worker's life: its token cache and rate limiter are shared by every run, so tokens are fetched when they expire,
 * not per run, and runs never together exceed the CRM's limit. A missing variable, or a CRM refusing the
 * credential, is an InputError: the run fails at once, with the fix, instead of retrying.
 */
export function createCrmSyncActivities(settings: { storeUrl: string; defaultRegion: CountryCode; env?: NodeJS.ProcessEnv }): CrmSyncActivities {
  const adapters = new Map<string, CrmAdapter>();
  const adapterFor = (name: string) => {
    const crm = parseSaasCrmName(name, 'crm');
    let adapter = adapters.get(crm);
    if (!adapter) adapters.set(crm, (adapter = crmAdapterFromEnv(crm, settings.env ?? process.env)));
    return { crm, adapter };
  };
  return {
    crmSyncDrain: (input) =>
      failFastOnInputError(async () => {
        const { crm, adapter } = adapterFor(input.crm);
        const limits = crmSyncLimits({ maxBatches: input.maxBatches, deadlineSeconds: input.deadlineSeconds });
        // A refused credential names the worker's variables that hold it, as `terminal-crm sync` does.
        const { summary, alerts } = await runCrmSync(await openDatabase(settings.storeUrl), adapter, limits, CRM_CREDENTIAL_ENV[crm].join(' / '));
        return { ...summary, alerts: alerts.slice(0, MAX_ALERTS_IN_HISTORY) };
      }),
    crmSyncRefresh: (input) =>
      failFastOnInputError(async () =>
        refreshCustomersFromCrm({
          db: await openDatabase(settings.storeUrl),
          adapter: adapterFor(input.crm).adapter,
          match: { defaultRegion: settings.defaultRegion },
          ...(input.refreshPages ? { maxPages: input.refreshPages } : {}),
        }),
      ),
  };
}
