import type { CountryCode } from 'libphonenumber-js';
import type { CrmAdapter } from '../../nodes/core/crm/saas/crm-adapter';
import { CRM_CREDENTIAL_ENV, crmAdapterFromEnv } from '../../nodes/core/crm/saas/crm-factory';
import { refreshCustomersFromCrm } from '../../nodes/core/crm/saas/customer-refresh';
import { parseSaasCrmName } from '../../nodes/core/crm/crm-names';
import { crmSyncLimits, runCrmSync } from '../../nodes/core/outbox/sync-run';
import { openDatabase } from '../../nodes/core/store/open-database';
import { failFastOnInputError } from './fail-fast';
import { heartbeatWhileRunning } from './heartbeat-while-running';
import type { CrmSyncActivities } from '../../workflows/activity-contracts/crm-sync-activities';

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
      failFastOnInputError(() => heartbeatWhileRunning(async () => {
        const { crm, adapter } = adapterFor(input.crm);
        const limits = crmSyncLimits({ maxBatches: input.maxBatches, deadlineSeconds: input.deadlineSeconds });
        // A refused credential names the worker's variables that hold it, as `terminal-crm sync` does.
        const { summary, alerts } = await runCrmSync(await openDatabase(settings.storeUrl), adapter, limits, CRM_CREDENTIAL_ENV[crm].join(' / '));
        return { ...summary, alerts: alerts.slice(0, MAX_ALERTS_IN_HISTORY) };
      })),
    crmSyncRefresh: (input) =>
      failFastOnInputError(() => heartbeatWhileRunning(async () =>
        refreshCustomersFromCrm({
          db: await openDatabase(settings.storeUrl),
          adapter: adapterFor(input.crm).adapter,
          match: { defaultRegion: settings.defaultRegion },
          ...(input.refreshPages ? { maxPages: input.refreshPages } : {}),
        }),
      )),
  };
}
