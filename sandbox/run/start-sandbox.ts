import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../nodes/core/store/open-database';
import { ensureEngine, ensureNode24, ensureTemporal, type Reporter } from '../install';
import { startSimulator, type SimulatorAnswer, type SimulatorTarget } from '../simulator/post-events';
import { hashOwnerPassword } from './n8n/owner-password';
import { startN8nWithPaymentWorkflow } from './n8n/payment-instance';
import { startNodeRedWithPaymentFlow } from './node-red/payment-instance';
import type { SandboxConfig } from './sandbox-config';
import { SandboxParts } from './sandbox-parts';
import { assertPortFree } from './shared/free-port';
import { packRepo } from './shared/pack';
import { startTemporalDevServer } from './temporal/dev-server';
import { startWorkerProcess } from './temporal/worker-process';
import { transactionsPerTill } from './store-counts';
import { onTill } from './tills';

/** The three engines, each with the till name its copies of the simulated events carry. */
export const ENGINES = [
  { name: 'n8n', till: 'n8n' },
  { name: 'node-red', till: 'nodered' },
  { name: 'temporal', till: 'temporal' },
] as const;
export type EngineName = (typeof ENGINES)[number]['name'];

export interface SandboxIo {
  /** Progress and errors. */
  progress(line: string): void;
  /** One line per simulated event. */
  event(line: string): void;
  /** The engine installers' progress. */
  reporter: Reporter;
}

export interface DeliveryCounts {
  posted: number;
  /** Answered 2xx. */
  accepted: number;
  /** Answered something else, or not at all. */
  failed: number;
}

export interface RunningSandbox {
  config: SandboxConfig;
  urls: {
    n8n: string;
    nodeRed: string;
    temporalUi: string;
    temporal: string;
    webhooks: Record<EngineName, string>;
  };
  /** From the start of the command until everything answered. */
  readyMs: number;
  timings: Record<string, number>;
  parts: SandboxParts;
  deliveries: Record<EngineName, DeliveryCounts>;
  /** Transactions per till in the store before the simulator started (the store outlives a run). */
  transactionsBefore: Record<string, number>;
  /** Stops the simulator; resolves once its deliveries under way have been answered. */
  stopSimulator(): Promise<void>;
  /** Stops the simulator, then every engine. */
  stop(log?: (line: string) => void): Promise<void>;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Everything `terminal-crm sandbox` runs, on 127.0.0.1: the Temporal dev server, the worker with its webhook
 * entry, Node-RED with the example flow and n8n with the template workflow (both with the pack installed from
 * its tarball), then the simulator. If any part fails to start, the parts already running are stopped and the
 * error says which part failed and why. `parts` lets the caller stop a start that is still under way (Ctrl-C).
 */
export async function startSandbox(config: SandboxConfig, io: SandboxIo, parts: SandboxParts = new SandboxParts()): Promise<RunningSandbox> {
  const began = Date.now();
  const timings: Record<string, number> = {};
  const { dir, ports } = config;
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  try {
    await Promise.all([
      assertPortFree(ports.temporal, 'Temporal', 'TERMINAL_CRM_TEMPORAL_PORT'),
      assertPortFree(ports.temporalUi, 'Temporal UI', 'TERMINAL_CRM_TEMPORAL_UI_PORT'),
      assertPortFree(ports.webhook, 'the Temporal webhook entry', 'TERMINAL_CRM_WEBHOOK_PORT'),
      assertPortFree(ports.nodeRed, 'Node-RED', 'TERMINAL_CRM_NODE_RED_PORT'),
      assertPortFree(ports.n8n, 'n8n', 'TERMINAL_CRM_N8N_PORT'),
    ]);
    // Migrated here, once, before three engines open it at the same moment.
    await openDatabase(config.storeUrl);

    let t = Date.now();
    const node = await ensureNode24({ reporter: io.reporter });
    const n8nEngine = await ensureEngine('n8n', { reporter: io.reporter, node });
    const nodeRedEngine = await ensureEngine('node-red', { reporter: io.reporter, node });
    const temporalTools = await ensureTemporal({ reporter: io.reporter });
    timings.enginesMs = Date.now() - t;

    t = Date.now();
    io.progress('packing the pack (npm pack) for n8n and Node-RED ...');
    const packed = await packRepo(node, join(dir, 'pack'));
    timings.packMs = Date.now() - t;

    io.progress(`starting the Temporal dev server on 127.0.0.1:${ports.temporal} (UI ${ports.temporalUi}) ...`);
    const temporal = await startTemporalDevServer({
      temporalCli: temporalTools.temporalCli,
      port: ports.temporal,
      uiPort: ports.temporalUi,
      dbFile: join(dir, 'temporal.db'),
      logFile: join(logs, 'temporal.log'),
    });
    await parts.add({ name: 'Temporal dev server', stop: temporal.stop, process: temporal.process });
    timings.temporalMs = temporal.startupMs;
    io.progress(`Temporal ready in ${seconds(temporal.startupMs)}`);

    const secrets = config.webhookSecrets.join(',');
    const engineSettings = { storeUrl: config.storeUrl, tokenKeys: config.tokenKeys, defaultRegion: config.defaultRegion };
    io.progress(`starting the Temporal worker + webhook entry (port ${ports.webhook}), Node-RED (port ${ports.nodeRed}) and n8n (port ${ports.n8n}) ...`);
    const [worker, nodeRed, n8n] = await Promise.allSettled([
      (async () => {
        const w = await startWorkerProcess({
          node,
          temporalAddress: temporal.address,
          webhookPort: ports.webhook,
          env: { TERMINAL_CRM_STORE_URL: config.storeUrl, TERMINAL_CRM_TOKEN_KEYS: config.tokenKeys, STRIPE_WEBHOOK_SECRET: secrets, TERMINAL_CRM_DEFAULT_REGION: config.defaultRegion },
          logFile: join(logs, 'worker.log'),
        });
        await parts.add({ name: 'Temporal worker', stop: w.stop, process: w.process });
        io.progress(`Temporal worker ready in ${seconds(w.startupMs)}`);
        return w;
      })(),
      (async () => {
        const r = await startNodeRedWithPaymentFlow({
          engine: nodeRedEngine,
          userDir: join(dir, 'node-red'),
          packed,
          port: ports.nodeRed,
          credentialSecret: config.nodeRedCredentialSecret,
          setup: { webhookSecret: secrets, ...engineSettings },
          logFile: join(logs, 'node-red.log'),
        });
        await parts.add({ name: 'Node-RED', stop: r.nodeRed.stop, process: r.nodeRed.process });
        io.progress(`Node-RED ready in ${seconds(r.timings.startupMs)} (pack ${r.timings.installMs ? `installed in ${seconds(r.timings.installMs)}` : 'unchanged'}; example flow ${r.deployedNow ? 'deployed' : 'updated'})`);
        return r;
      })(),
      (async () => {
        const passwordHash = hashOwnerPassword(n8nEngine.dir, config.n8nOwner.password);
        const i = await startN8nWithPaymentWorkflow({
          engine: n8nEngine,
          userFolder: join(dir, 'n8n'),
          packed,
          owner: { ...config.n8nOwner, passwordHash },
          settings: { signingSecret: secrets, ...engineSettings },
          port: ports.n8n,
          logFile: join(logs, 'n8n.log'),
        });
        await parts.add({ name: 'n8n', stop: i.n8n.stop, process: i.n8n.process });
        io.progress(`n8n ready in ${seconds(i.timings.startupMs)} (pack ${i.timings.installMs ? `installed in ${seconds(i.timings.installMs)}` : 'unchanged'}; workflow ${i.imported ? 'imported' : 'kept'} and published)`);
        return i;
      })(),
    ]);
    const failures = [['Temporal worker', worker], ['Node-RED', nodeRed], ['n8n', n8n]] as const;
    const failed = failures.filter(([, r]) => r.status === 'rejected');
    if (failed.length) {
      throw new Error(failed.map(([name, r]) => `${name} did not start: ${((r as PromiseRejectedResult).reason as Error).message}`).join('\n\n'));
    }
    const w = (worker as PromiseFulfilledResult<Awaited<ReturnType<typeof startWorkerProcess>>>).value;
    const r = (nodeRed as PromiseFulfilledResult<Awaited<ReturnType<typeof startNodeRedWithPaymentFlow>>>).value;
    const i = (n8n as PromiseFulfilledResult<Awaited<ReturnType<typeof startN8nWithPaymentWorkflow>>>).value;
    Object.assign(timings, { workerMs: w.startupMs, nodeRedMs: r.timings.startupMs, n8nMs: i.timings.startupMs });

    const webhooks: Record<EngineName, string> = { n8n: i.webhookUrl, 'node-red': r.webhookUrl, temporal: w.webhookUrl };
    const deliveries = Object.fromEntries(ENGINES.map((e) => [e.name, { posted: 0, accepted: 0, failed: 0 }])) as Record<EngineName, DeliveryCounts>;
    const transactionsBefore = await transactionsPerTill(config.storeUrl, ENGINES.map((e) => e.till));
    let stopSimulator: () => Promise<void> = async () => undefined;
    if (config.simulatorIntervalMs > 0) {
      const targets: SimulatorTarget[] = ENGINES.map((e) => ({
        name: e.name,
        url: webhooks[e.name],
        signingSecret: config.webhookSecrets[0]!,
        prepare: (event) => onTill(event, e.till),
      }));
      stopSimulator = startSimulator(targets, config.simulatorIntervalMs, io.event, (_step, answers: SimulatorAnswer[]) => {
        for (const a of answers) {
          const c = deliveries[a.target as EngineName];
          c.posted++;
          if (a.status !== undefined && a.status >= 200 && a.status < 300) c.accepted++;
          else c.failed++;
        }
      });
    }
    const sandbox: RunningSandbox = {
      config,
      urls: { n8n: i.n8n.baseUrl, nodeRed: r.nodeRed.baseUrl, temporalUi: temporal.uiUrl!, temporal: temporal.address, webhooks },
      readyMs: Date.now() - began,
      timings,
      parts,
      deliveries,
      transactionsBefore,
      stopSimulator: () => stopSimulator(),
      stop: async (log) => {
        await stopSimulator();
        await parts.stopAll(log);
      },
    };
    return sandbox;
  } catch (e) {
    await parts.stopAll();
    throw e;
  }
}
