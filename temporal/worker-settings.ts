import { crmAdapterFromEnv } from '../nodes/core/crm/saas/crm-factory';
import { DEFAULT_REDRIVE_AFTER_MS } from '../nodes/core/inbox/redrive';
import { REDRIVE_AFTER_ENV, redriveAfterMs } from '../nodes/core/inbox/redrive-settings';
import { fieldsTargetOf } from '../nodes/core/outbox/field-updates';
import { settingsFromEnv } from '../nodes/core/pipeline/settings';
import { STEP_RESULTS_KEEP_ENV, stepResultsKeepMs } from '../nodes/core/store/step-results';
import { temporalConfigFromEnv } from './connection-config';
import { crmSyncCrmsFromEnv, crmSyncScheduleFromEnv } from './crm-sync-schedule';
import { pollScheduleFromEnv, pollSourcesFromEnv } from './poll-schedule';
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
  paymentWorkflowKindFromEnv(env);
  stepResultsKeepMs(env[STEP_RESULTS_KEEP_ENV]);
  if (settings.segment || settings.loyalty) segmentScheduleFromEnv(env);
  if (pollSourcesFromEnv(env).length) pollScheduleFromEnv(env);
  const syncCrms = crmSyncCrmsFromEnv(env);
  if (syncCrms.length && crmSyncScheduleFromEnv(env) !== null) for (const crm of syncCrms) crmAdapterFromEnv(crm, env);
  // Payments are queued for this CRM: one whose account is incomplete would hold every one of them.
  const target = fieldsTargetOf(env.TERMINAL_CRM_CRM, 'TERMINAL_CRM_CRM');
  if (target) crmAdapterFromEnv(target.crm, env);
  redriveAfterMs(REDRIVE_AFTER_ENV, env[REDRIVE_AFTER_ENV], DEFAULT_REDRIVE_AFTER_MS);
  publicBaseUrlFromEnv(env);
}
