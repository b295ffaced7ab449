import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { tempDir } from '../../support/temp-store';
import { ensureTemporal } from '../../../sandbox/install';
import { freePort } from '../../../sandbox/run/shared/free-port';

let runtimeInstalled = false;
/** Worker state changes and retried activities are logged at INFO; tests only want errors (a retried or failed activity is a warning, and several tests cause them on purpose). */
export function quietTemporalLogs(): void {
  if (runtimeInstalled) return;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  runtimeInstalled = true;
}

export interface DevServer {
  env: TestWorkflowEnvironment;
  startMs: number;
  stop(): Promise<void>;
}

/**
 * A real Temporal dev server (`temporal server start-dev`) on 127.0.0.1, its database in a temp folder, no UI.
 * The binary comes from the pack's installer; a server that cannot be installed or started fails the test.
 */
export async function startDevServer(): Promise<DevServer> {
  quietTemporalLogs();
  const { temporalCli } = await ensureTemporal();
  const dir = tempDir('tcrm-temporal-');
  const started = Date.now();
  try {
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: temporalCli },
        ip: '127.0.0.1',
        port: await freePort(),
        dbFilename: join(dir.path, 'temporal.db'),
        ui: false,
        log: { format: 'pretty', level: 'error' },
      },
    });
    return {
      env,
      startMs: Date.now() - started,
      stop: async () => {
        try {
          await env.teardown();
        } finally {
          dir.remove();
        }
      },
    };
  } catch (e) {
    dir.remove();
    throw e;
  }
}

export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  quietTemporalLogs();
  const { testServer } = await ensureTemporal();
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServer } } });
}
