import { settingsFromEnv } from '../nodes/core/config/settings';
import { openCrm } from '../nodes/core/steps/steps';
import { closeAllDatabases } from '../nodes/core/store/open-database';
import { createActivities } from './activities/payment-activities';
import { connectWorker } from './connect';
import { temporalConfigFromEnv } from './connection-config';
import { createPaymentWorker } from './payment-worker';

/**
 * Runs the payment→CRM worker until SIGINT or SIGTERM. The Temporal runtime turns those signals into a graceful
 * shutdown (its default `shutdownSignals`): polling stops, running activities get the grace time, `run()`
 * resolves, and then the connection and the store are closed.
 */
export async function runWorkerFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = temporalConfigFromEnv(env);
  const settings = settingsFromEnv(env);
  const activities = createActivities(settings);
  // Open the store before polling: a wrong store location stops the worker here, not every payment later.
  await openCrm({ storeUrl: settings.storeUrl });
  const connection = await connectWorker(config);
  try {
    const worker = await createPaymentWorker({ connection, namespace: config.namespace, taskQueue: config.taskQueue, activities });
    console.log(`Terminal CRM worker polling task queue "${config.taskQueue}" in namespace "${config.namespace}" at ${config.address}`);
    await worker.run();
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
