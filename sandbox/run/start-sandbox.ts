import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../nodes/core/store/open-database';
import { ensureEngine, ensureNode24, ensureTemporal, type Reporter } from '../install';
import { GENERIC_SANDBOX_CONFIG } from '../simulator/generic-events';
import { startSimulator, type SimulatorAnswer, type SimulatorTarget } from '../simulator/post-events';
import { startProcessorApiServer, type ProcessorApiServer } from '../simulator/processor-api-server';
import { completeEndpoints, temporalEndpoints, writeEndpoints, type Endpoints } from './endpoints';
import { hashOwnerPassword } from './n8n/owner-password';
import { startN8nWithPaymentWorkflow } from './n8n/payment-instance';
import { startNodeRedWithPaymentFlow } from './node-red/payment-instance';
import type { SandboxConfig } from './sandbox-config';
import { SandboxParts } from './sandbox-parts';
import { assertPortFree } from './shared/free-port';
import { packRepo } from './shared/pack';
import { startTemporalDevServer } from './temporal/dev-server';
import { startWorkerProcess } from './temporal/worker-process';
import { credentialEnv, withEndpointFields } from './source-keys';
import { sandboxSource, SANDBOX_SOURCES, type SourceCredentials } from '../simulator/sandbox-sources';
import { RecordedEvents } from './store-counts';
import { GENERIC_CONFIG_ENV } from '../../nodes/core/sources/generic-config-load';
import { parseSecrets } from '../../nodes/core/config/settings';
import { crmWorkerEnv } from './crm/sandbox-crm';
import { loadMailCatcherModules, startMailCatcher } from './shared/mail-catcher';

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

/** The other sources as n8n and Node-RED get them: a label, the credential record and the generic gateway's mapping. */
function otherSources(credentials: SourceCredentials) {
  return SANDBOX_SOURCES.filter((s) => s !== 'stripe').map((source) => ({
    source,
    label: sandboxSource(source).label,
    credential: credentials[source],
    genericConfig: source === 'generic' ? GENERIC_SANDBOX_CONFIG : undefined,
  }));
}

export interface RunningSandbox {
  config: SandboxConfig;
  urls: {
    n8n: string;
    nodeRed: string;
    temporalUi: string;
    temporal: string;
    /** Stripe's webhook URL per engine. */
    webhooks: Record<EngineName, string>;
    /** Every source's webhook URL per engine, as <state folder>/endpoints.json has them. */
    endpoints: Endpoints;
  };
  /** Where endpoints.json was written. */
  endpointsFile: string;
  /** The simulated Clover and SumUp APIs the engines fetch payments from. */
  api: ProcessorApiServer;
  /**
   * The mail catcher the message templates send to (SMTP) and post to (a Slack-compatible receiver), and where both
   * are listed; or why there is none (the pack installed from npm has no smtp-server / mailparser).
   */
  mail: { smtpPort: number; listUrl: string; pageUrl: string; slackUrl: string } | { missing: string };
  /** Each message template's Stripe webhook URL per engine (none without a mail catcher). */
  templates: Record<'n8n' | 'node-red', Record<string, string>>;
  /** Each engine's credential records for this run (keys plus this run's URLs). */
  credentials: SourceCredentials;
  /** From the start of the command until everything answered. */
  readyMs: number;
  timings: Record<string, number>;
  parts: SandboxParts;
  deliveries: Record<EngineName, DeliveryCounts>;
  /** Which of the simulated events each engine has recorded (only this run's). */
  recorded: RecordedEvents;
  /** Stops the simulator; resolves once its deliveries under way have been answered. */
  stopSimulator(): Promise<void>;
  /** Stops the simulator, then every engine. */
  stop(log?: (line: string) => void): Promise<void>;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Everything `terminal-crm sandbox` runs, on 127.0.0.1: the simulated Clover and SumUp APIs, the Temporal dev
 * server, the worker with its webhook entry for every source, Node-RED with the example flow and a trigger per
 * source, n8n with the template workflow and a copy of it per source (both with the pack installed from its
 * tarball), then the simulator posting every source's events to every engine. If any part fails to start, the parts already running are stopped and the
 * error says which part failed and why. `parts` lets the caller stop a start that is still under way (Ctrl-C).
 */
export async function startSandbox(config: SandboxConfig, io: SandboxIo, parts: SandboxParts = new SandboxParts()): Promise<RunningSandbox> {
  const began = Date.now();
  const timings: Record<string, number> = {};
  const { dir, ports } = config;
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  const loaded = loadMailCatcherModules();
  try {
    await Promise.all([
      assertPortFree(ports.temporal, 'Temporal', 'TERMINAL_CRM_TEMPORAL_PORT'),
      assertPortFree(ports.temporalUi, 'Temporal UI', 'TERMINAL_CRM_TEMPORAL_UI_PORT'),
      assertPortFree(ports.webhook, 'the Temporal webhook entry', 'TERMINAL_CRM_WEBHOOK_PORT'),
      assertPortFree(ports.nodeRed, 'Node-RED', 'TERMINAL_CRM_NODE_RED_PORT'),
      assertPortFree(ports.n8n, 'n8n', 'TERMINAL_CRM_N8N_PORT'),
      ...(!('missing' in loaded) ? [
        assertPortFree(ports.mailSmtp, 'the mail catcher (SMTP)', 'TERMINAL_CRM_MAIL_SMTP_PORT'),
        assertPortFree(ports.mail, 'the mail catcher', 'TERMINAL_CRM_MAIL_PORT'),
      ] : []),
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

    const keys = config.sourceKeys.credentials;
    const api = await startProcessorApiServer({ cloverApiToken: keys.clover.apiToken!, sumupAccessToken: keys.sumup.accessToken! });
    await parts.add({ name: 'the simulated Clover and SumUp APIs', stop: api.close });
    const credentials = withEndpointFields(config.sourceKeys, api);

    let mail: RunningSandbox['mail'];
    let messages: { smtp: { host: string; port: number }; slackUrl: string } | undefined;
    if ('missing' in loaded) {
      mail = { missing: loaded.missing };
      io.progress(`no mail catcher (${loaded.missing}); the message templates are not imported`);
    } else {
      const catcher = await startMailCatcher({ smtpPort: ports.mailSmtp, httpPort: ports.mail });
      await parts.add({ name: 'the mail catcher', stop: catcher.close });
      messages = { smtp: { host: catcher.host, port: catcher.smtpPort }, slackUrl: catcher.slackUrl };
      mail = { smtpPort: catcher.smtpPort, listUrl: catcher.listUrl, pageUrl: catcher.listUrl.replace(/\/mail$/, '/'), slackUrl: catcher.slackUrl };
    }

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

    const secrets = credentials.stripe.signingSecret!;
    const others = otherSources(credentials);
    const engineSettings = { storeUrl: config.storeUrl, tokenKeys: config.tokenKeys, defaultRegion: config.defaultRegion };
    io.progress(`starting the Temporal worker + webhook entry (port ${ports.webhook}), Node-RED (port ${ports.nodeRed}) and n8n (port ${ports.n8n}) ...`);
    const [worker, nodeRed, n8n] = await Promise.allSettled([
      (async () => {
        const w = await startWorkerProcess({
          node,
          temporalAddress: temporal.address,
          webhookPort: ports.webhook,
          env: {
            TERMINAL_CRM_STORE_URL: config.storeUrl,
            TERMINAL_CRM_TOKEN_KEYS: config.tokenKeys,
            TERMINAL_CRM_DEFAULT_REGION: config.defaultRegion,
            // Every source's credential, by the variables named after it; the generic gateway's mapping with it.
            ...credentialEnv(credentials),
            [GENERIC_CONFIG_ENV]: JSON.stringify(GENERIC_SANDBOX_CONFIG),
            // The CRM its activities write to and its sync schedule drains, with the CRM's own variables.
            ...crmWorkerEnv(config.crm),
          },
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
          sources: others,
          crm: config.crm,
          messages,
          env: { ...process.env, ...(config.crm.name === 'local' ? {} : config.crm.env) },
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
          settings: { signingSecret: secrets, ...engineSettings, crm: config.crm },
          sources: others,
          messages,
          port: ports.n8n,
          logFile: join(logs, 'n8n.log'),
        });
        await parts.add({ name: 'n8n', stop: i.n8n.stop, process: i.n8n.process });
        const all = [i.imported, ...i.sourceWorkflows.map((w) => w.imported), ...i.templates.map((t) => t.imported)];
        const importedNow = all.filter(Boolean).length;
        io.progress(`n8n ready in ${seconds(i.timings.startupMs)} (pack ${i.timings.installMs ? `installed in ${seconds(i.timings.installMs)}` : 'unchanged'}; ${all.length} workflows, ${importedNow} imported now, published in ${seconds(i.timings.publishMs)})`);
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

    // With a mail catcher, each of Stripe's events also goes to every message template's own trigger in n8n and
    // Node-RED (each template runs the payment steps, then its message), so a simulated day ends as thank-yous,
    // alerts, welcomes and refund notes in the catcher, as it would with those templates side by side on one store.
    const n8nStripe = i.webhookUrl;
    const nodeRedStripe = r.webhookUrl;
    const templates = {
      n8n: Object.fromEntries(i.templates.map((t) => [t.name, t.webhookUrl])),
      'node-red': r.templateUrls as Record<string, string>,
    };
    const webhooks: Record<EngineName, string> = { n8n: n8nStripe, 'node-red': nodeRedStripe, temporal: w.webhookUrl };
    const endpoints = completeEndpoints({
      n8n: { stripe: n8nStripe, ...Object.fromEntries(i.sourceWorkflows.map((x) => [x.source, x.webhookUrl])) },
      'node-red': { stripe: nodeRedStripe, ...r.sourceUrls },
      temporal: temporalEndpoints(new URL(w.webhookUrl).origin),
    });
    const endpointsFile = writeEndpoints(dir, endpoints);
    const deliveries = Object.fromEntries(ENGINES.map((e) => [e.name, { posted: 0, accepted: 0, failed: 0 }])) as Record<EngineName, DeliveryCounts>;
    const recorded = new RecordedEvents();
    let stopSimulator: () => Promise<void> = async () => undefined;
    if (config.simulatorIntervalMs > 0) {
      const first = (list: string) => parseSecrets(list)[0]!;
      const tillKeys = {
        square: first(keys.square.signatureKey!),
        adyen: first(keys.adyen.hmacKey!),
        adyenTerminal: { keyIdentifier: keys['adyen-terminal'].keyIdentifier!, passphrase: keys['adyen-terminal'].passphrase!, keyVersion: Number(keys['adyen-terminal'].keyVersion) },
        zettle: first(keys.zettle.signingKey!),
        clover: first(keys.clover.authCode!),
        sumup: first(keys.sumup.signingSecret!),
        generic: first(keys.generic.secret!),
      };
      const targets: SimulatorTarget[] = ENGINES.map((e) => ({
        name: e.name,
        urls: endpoints[e.name],
        alsoTo: e.name === 'temporal' ? undefined : { stripe: Object.values(templates[e.name]) },
        credentials,
        till: {
          name: e.till,
          stripeSecret: config.webhookSecrets[0]!,
          keys: tillKeys,
          // Square signs the URL it posts to: the engine's own, or the one SQUARE_WEBHOOK_URL names for all.
          squareUrl: config.sourceKeys.squareNotificationUrl ?? endpoints[e.name].square,
        },
      }));
      stopSimulator = startSimulator({
        targets,
        api,
        intervalMs: config.simulatorIntervalMs,
        log: io.event,
        onDelivered: (_step, answers: SimulatorAnswer[]) => {
          for (const a of answers) {
            const c = deliveries[a.target as EngineName];
            c.posted++;
            if (a.status !== undefined && a.status >= 200 && a.status < 300) c.accepted++;
            else c.failed++;
            recorded.expect(a.target, a.eventIds);
          }
        },
      });
    }
    const sandbox: RunningSandbox = {
      config,
      urls: { n8n: i.n8n.baseUrl, nodeRed: r.nodeRed.baseUrl, temporalUi: temporal.uiUrl!, temporal: temporal.address, webhooks, endpoints },
      endpointsFile,
      api,
      mail,
      templates,
      credentials,
      readyMs: Date.now() - began,
      timings,
      parts,
      deliveries,
      recorded,
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
