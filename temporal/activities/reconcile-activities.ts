import { ENV } from '../../nodes/core/config/settings';
import type { Settings } from '../../nodes/core/pipeline/settings';
import { parseSaasCrmName } from '../../nodes/core/crm/crm-names';
import { crmAdapterFromEnv } from '../../nodes/core/crm/saas/crm-factory';
import { InputError } from '../../nodes/core/errors';
import { axiosTransport } from '../../nodes/core/http/axios-transport';
import type { HttpTransport } from '../../nodes/core/http/http-transport';
import { reconcile, type ReconcileReport } from '../../nodes/core/reconcile';
import { historyLister, offlineGraceOf } from '../../nodes/core/sources/history';
import { sourceCredentialsFromEnv } from '../../nodes/core/sources/source-credentials';
import { keyProviderFromSpec } from '../../nodes/core/steps/steps';
import { openDatabase } from '../../nodes/core/store/open-database';
import { failFastOnInputError } from './fail-fast';
import { heartbeatWhileRunning } from './heartbeat-while-running';
import type { ReconcileSummary, ReconcileActivities } from '../../workflows/activity-contracts/reconcile-activities';

export const MAX_KEYS_IN_SUMMARY = 50;

export function summaryOf(r: ReconcileReport): ReconcileSummary {
  const first = <T>(xs: readonly T[]) => xs.slice(0, MAX_KEYS_IN_SUMMARY);
  return {
    source: r.source, since: r.since, until: r.until, ...(r.crm ? { crm: r.crm } : {}),
    processorPayments: r.processorPayments, ledgerPayments: r.ledgerPayments, clean: r.clean,
    missing: first(r.missing.map((m) => `${m.key} (${m.from})`)),
    duplicated: first(r.duplicated.map((d) => `${d.key} (${d.in})`)),
    mismatched: first(r.mismatched.map((m) => `${m.key} (${m.in}: ${m.differences.map((d) => d.field).join(', ')})`)),
    unknown: first(r.unknown.map((u) => u.key)),
    ...(r.repair ? { backfilled: first(r.repair.backfilled), requeued: first(r.repair.requeued), unfixable: first(r.repair.unfixable) } : {}),
  };
}

/** The reconciliation activity: the core's reconcile over the worker's store, with credentials from its environment. */
export function createReconcileActivities(
  settings: Pick<Settings, 'storeUrl' | 'tokenKeys' | 'defaultRegion'> & Partial<Pick<Settings, 'match'>> & { env?: NodeJS.ProcessEnv; http?: () => HttpTransport },
): ReconcileActivities {
  return {
    reconcileActivity: (input) =>
      failFastOnInputError(() => heartbeatWhileRunning(async () => {
        const env = settings.env ?? process.env;
        const lister = historyLister(input.source);
        const crm = input.crm ? parseSaasCrmName(input.crm, 'crm') : undefined;
        const [since, until] = [new Date(input.since), new Date(input.until)];
        if (Number.isNaN(since.getTime()) || Number.isNaN(until.getTime())) throw new InputError('since', `"${input.since}".."${input.until}" is not a period`, 'give ISO times');
        const report = await reconcile({
          source: lister.source, credentials: sourceCredentialsFromEnv(lister.credentialsOf, env), store: await openDatabase(settings.storeUrl),
          ...(settings.tokenKeys.trim() ? { keys: keyProviderFromSpec(settings.tokenKeys, ENV.tokenKeys) } : {}), defaultRegion: settings.defaultRegion,
          ...(settings.match ? { match: settings.match } : {}),
          since, until, limit: input.limit, offlineGraceMs: offlineGraceOf(lister, input.offlineGraceHours, 'offlineGraceHours'), http: settings.http?.() ?? axiosTransport(), repair: input.repair,
          ...(crm ? { crm: { crm, adapter: () => crmAdapterFromEnv(crm, env), waitMs: 0 } } : {}),
        });
        return summaryOf(report);
      })),
  };
}
