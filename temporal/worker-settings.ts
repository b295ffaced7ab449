import { ENV } from '../nodes/core/config/settings';
import { crmAdapterFromEnv } from '../nodes/core/crm/saas/crm-factory';
import { renamedField } from '../nodes/core/errors';
import { DEFAULT_REDRIVE_AFTER_MS } from '../nodes/core/inbox/redrive';
import { REDRIVE_AFTER_ENV, redriveAfterMs } from '../nodes/core/inbox/redrive-settings';
import { fieldsTargetOf } from '../nodes/core/outbox/field-updates';
import { pollableSource, pollCredentials } from '../nodes/core/pipeline/poll-source';
import { settingsFromEnv } from '../nodes/core/pipeline/settings';
import { environmentPlace, sourceCredentialsFromEnv } from '../nodes/core/sources/source-credentials';
import { checkSourceVariablesFromEnv } from '../nodes/core/sources/sources-from-env';
import { resolveStoreUrl } from '../nodes/core/store/open-database';
import { STORE_FIELD } from '../nodes/core/store/store-field';
import { STEP_RESULTS_KEEP_ENV, stepResultsKeepMs } from '../nodes/core/store/step-results';
import { keyProviderFromSpec } from '../nodes/core/tokenize/key-provider';
import { temporalConfigFromEnv } from './connection-config';
import { crmSyncCrmsFromEnv, crmSyncScheduleFromEnv } from './crm-sync-schedule';
import { POLL_SOURCES_ENV, pollScheduleFromEnv, pollSourcesFromEnv } from './poll-schedule';
import { segmentScheduleFromEnv } from './segment-schedule';
import { paymentWorkflowKindFromEnv } from './start-payment/payment-workflow-setting';
import { publicBaseUrlFromEnv } from './public-base-url';

/**
 * Every setting the worker (and its webhook entry) reads, checked before anything connects or changes: a wrong one
 * stops the worker at once, naming its variable, not after the segment schedule was rewritten or the webhook entry
 * began answering, and not at the first payment. Each reader is the one the worker later uses.
 */
export function checkWorkerSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): void {
  temporalConfigFromEnv(env);
  const settings = settingsFromEnv(env);
  // Both are read again only after the webhook entry (--webhook-port) has dialled Temporal: the payment activities
  // parse the keys, and the store opens when the entry and the worker start.
  keyProviderFromSpec(settings.tokenKeys, ENV.tokenKeys);
  try {
    resolveStoreUrl(settings.storeUrl || undefined);
  } catch (e) {
    throw renamedField(e, STORE_FIELD, ENV.storeUrl);
  }
  paymentWorkflowKindFromEnv(env);
  stepResultsKeepMs(env[STEP_RESULTS_KEEP_ENV]);
  if (settings.segment || settings.loyalty) segmentScheduleFromEnv(env);
  // Every source is served (and may be backfilled or reconciled through this worker): a variable set for one is
  // checked here, by the source's own schema, rather than answering each delivery 500.
  checkSourceVariablesFromEnv(env);
  const polled = pollSourcesFromEnv(env);
  // A source polled on a schedule cannot be polled at all without what its poll reads (the API key): asked for now.
  if (polled.length && pollScheduleFromEnv(env) !== null) for (const name of polled) checkPollCredentialsFromEnv(name, env);
  const syncCrms = crmSyncCrmsFromEnv(env);
  if (syncCrms.length && crmSyncScheduleFromEnv(env) !== null) for (const crm of syncCrms) crmAdapterFromEnv(crm, env);
  // Payments are queued for this CRM: one whose account is incomplete would hold every one of them.
  const target = fieldsTargetOf(env.TERMINAL_CRM_CRM, 'TERMINAL_CRM_CRM');
  if (target) crmAdapterFromEnv(target.crm, env);
  redriveAfterMs(REDRIVE_AFTER_ENV, env[REDRIVE_AFTER_ENV], DEFAULT_REDRIVE_AFTER_MS);
  publicBaseUrlFromEnv(env);
}

/** What the poll activity reads for `name` (poll-activities.ts), read as it will be, each field named by its variable. */
function checkPollCredentialsFromEnv(name: string, env: NodeJS.ProcessEnv): void {
  const source = pollableSource(name);
  const place = environmentPlace(source, (variable) =>
    env[variable]?.trim() ? `correct ${variable}` : `set ${variable}, or take ${name} out of ${POLL_SOURCES_ENV} (a source polled needs it)`,
  );
  pollCredentials(source, sourceCredentialsFromEnv(source, env), place);
}
