import { Client } from '@temporalio/client';
import { settingsFromEnv } from '../nodes/core/pipeline/settings';
import { ENV } from '../nodes/core/config/settings';
import { InputError } from '../nodes/core/errors';
import { openCrm } from '../nodes/core/steps/steps';
import { closeAllDatabases, storeNamed } from '../nodes/core/store/open-database';
import { createActivities } from './activities/worker-activities';
import { createBackfillActivities } from './activities/backfill-activities';
import { createReconcileActivities } from './activities/reconcile-activities';
import { createCrmSyncActivities } from './activities/crm-sync-activities';
import { createSagaActivities } from './activities/saga-activities';
import { connectWorker } from './connect';
import { ensureCrmSyncSchedulesFromEnv } from './crm-sync-schedule';
import { temporalConfigFromEnv } from './connection-config';
import { createPaymentWorker } from './payment-worker';
import { announceLocalWorker } from './local-worker';
import { ensurePollSchedulesFromEnv } from './poll-schedule';
import { startRedriveLoopFromEnv } from './redrive-loop';
import { startStepResultsPruningFromEnv } from './step-results-pruning';
import { checkWorkerSettingsFromEnv } from './worker-settings';
import { ensureSegmentSchedule, SEGMENT_SCHEDULE_ID, segmentScheduleFromEnv } from './segment-schedule';

/**
 * Runs the payment→CRM worker until SIGINT or SIGTERM. The Temporal runtime turns those signals into a graceful
 * shutdown (its default `shutdownSignals`): polling stops, running activities get the grace time, `run()`
 * resolves, and then the connection and the store are closed.
 *
 * At start it also creates (or updates) the schedule of the segment batch, when there is something for the batch
 * to do (the Segment step on, or a loyalty program). A setting that is wrong stops the worker; a cluster that
 * refuses to manage schedules (a key without the permission) only costs the batch, not the payments.
 */
export async function runWorkerFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  checkWorkerSettingsFromEnv(env);
  const config = temporalConfigFromEnv(env);
  const settings = settingsFromEnv(env);
  const cron = settings.segment || settings.loyalty ? segmentScheduleFromEnv(env) : null;
  const activities = { ...createActivities(settings), ...createBackfillActivities({ ...settings, env }), ...createReconcileActivities({ ...settings, env }), ...createCrmSyncActivities({ ...settings, env }), ...createSagaActivities({ ...settings, env }) };
  // Open the store before polling: a wrong store location stops the worker here, not every payment later.
  await storeNamed(ENV.storeUrl, () => openCrm({ storeUrl: settings.storeUrl }));
  const connection = await connectWorker(config);
  try {
    try {
      const change = await ensureSegmentSchedule(new Client({ connection, namespace: config.namespace }), { taskQueue: config.taskQueue, cron });
      if (change !== 'absent') console.log(`Segment batch schedule "${SEGMENT_SCHEDULE_ID}" ${change}${cron ? ` (${cron})` : ''}`);
    } catch (e) {
      if (e instanceof InputError) throw e;
      console.error(`Segment batch schedule "${SEGMENT_SCHEDULE_ID}" not set up: ${e instanceof Error ? e.message : String(e)}; payments are processed all the same`);
    }
    await ensurePollSchedulesFromEnv(new Client({ connection, namespace: config.namespace }), env, config.taskQueue);
    await ensureCrmSyncSchedulesFromEnv(new Client({ connection, namespace: config.namespace }), env, config.taskQueue);
    const worker = await createPaymentWorker({ connection, namespace: config.namespace, taskQueue: config.taskQueue, activities });
    // A webhook entry in this process starts sagas eagerly on this worker (see temporal/local-worker.ts).
    const withdraw = announceLocalWorker({ client: new Client({ connection, namespace: config.namespace }), namespace: config.namespace, taskQueue: config.taskQueue });
    console.log(`Terminal CRM worker polling task queue "${config.taskQueue}" in namespace "${config.namespace}" at ${config.address}`);
    // What a trigger accepted and nothing finished becomes its payment workflow (TERMINAL_CRM_REDRIVE_AFTER).
    const redrive = await startRedriveLoopFromEnv(new Client({ connection, namespace: config.namespace }), env, { storeUrl: settings.storeUrl, taskQueue: config.taskQueue, log: (l) => console.log(l) });
    // The saga's remembered answers of long-settled runs (TERMINAL_CRM_STEP_RESULTS_KEEP).
    const pruning = await startStepResultsPruningFromEnv(env, { storeUrl: settings.storeUrl, log: (l) => console.log(l) });
    try {
      await worker.run();
    } finally {
      withdraw();
      await redrive?.stop();
      await pruning?.stop();
    }
    console.log('Terminal CRM worker stopped');
  } finally {
    await connection.close();
    await closeAllDatabases();
  }
}

if (require.main === module) {
  runWorkerFromEnv().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
