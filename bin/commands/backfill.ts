import { parseArgs } from 'node:util';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { runBackfill } from '../../nodes/core/backfill';
import type { BackfillProgress } from '../../nodes/core/backfill/backfill-progress';
import { ENV, parseRegion } from '../../nodes/core/config/settings';
import { matchThresholdsFromEnv } from '../../nodes/core/pipeline/settings';
import { parseSaasCrmName, SAAS_CRM_NAMES } from '../../nodes/core/crm/crm-names';
import { crmAdapterFromEnv } from '../../nodes/core/crm/saas/crm-factory';
import { InputError } from '../../nodes/core/errors';
import { axiosTransport } from '../../nodes/core/http/axios-transport';
import { HISTORY_SOURCES, historyLister, MAX_OFFLINE_GRACE_HOURS, OFFLINE_GRACE_SOURCES, offlineGraceOf } from '../../nodes/core/sources/history';
import { keyProviderFromSpec } from '../../nodes/core/steps/steps';
import { connectClient } from '../../temporal/connect';
import { temporalConfigFromEnv, TEMPORAL_ENV } from '../../temporal/connection-config';
import type { BackfillInput } from '../../workflows/activity-contracts/backfill-activities';
import {
  backfillProgressQuery, backfillWorkflowId, cancelBackfillSignal, pauseBackfillSignal, resumeBackfillSignal, type backfill, type BackfillStatus,
} from '../../workflows/backfill';
import type { CliIo, Command } from './command';
import { progressWriter } from './progress-bar';
import { environmentPlace, historyCredentialsFromEnv } from './source-env';
import { storeHelp, withStore } from './store-option';
import { parseDay, parseUntil, positiveInt } from './window-options';
import { plural } from './plural';

const usage = `Usage: terminal-crm backfill --from SOURCE --since DATE [--until DATE] [--crm NAME]
                             [--limit N] [--offline-grace HOURS] [--restart] [--store URL] [--json]
                             [--temporal ADDRESS | --in-process] [--signal pause|resume|cancel]

Brings a processor's payment history into the ledger: page by page through its list API,
every payment tokenized, matched and recorded once (what the ledger has already counts as a
duplicate), and queued for a SaaS CRM's outbox with --crm (\`terminal-crm sync\` sends it at
the CRM's rate). The position is kept in the store after every page: run the same command
again after a crash or Ctrl-C and it carries on from there. Progress (records, rate, time
left) goes to stderr.

With --temporal ADDRESS, or TEMPORAL_ADDRESS set, it starts the "backfill" workflow on the
worker (which reads the source's credentials from its own environment) and shows the same
progress from the workflow's query; Ctrl-C leaves the workflow running. --signal pauses,
resumes or cancels that workflow. --in-process runs here even when TEMPORAL_ADDRESS is set.

Sources: ${HISTORY_SOURCES.join(', ')} (Stripe: card-present charges; Square: payments;
Zettle: purchases; Clover: payments; SumUp: card-present transactions). Credentials come
from the variables polling reads: STRIPE_SECRET_KEY; SQUARE_ACCESS_TOKEN; ZETTLE_API_KEY with
ZETTLE_CLIENT_ID (or ZETTLE_ACCESS_TOKEN);
CLOVER_API_TOKEN with CLOVER_MERCHANT_ID; SUMUP_ACCESS_TOKEN (SUMUP_MERCHANT_CODE optional).
TERMINAL_CRM_TOKEN_KEYS must be set (cards are tokenized). Matching reads TERMINAL_CRM_DEFAULT_REGION
and the match thresholds (TERMINAL_CRM_MATCH_LINK_THRESHOLD, …_REVIEW_THRESHOLD) as the worker does.

Options:
  --from SOURCE        the processor: ${HISTORY_SOURCES.join(', ')}
  --since DATE         payments made on or after this (2026-01-01, or an ISO time)
  --until DATE         payments made before this (default: now, fixed when the backfill starts)
  --crm NAME           also queue what is recorded for ${SAAS_CRM_NAMES.join(', ')}
  --limit N            payments per page asked of the processor (default 100)
  --offline-grace HOURS
                       ${OFFLINE_GRACE_SOURCES.join(' and ')}: how long after --until the processor's list is read
                       for sales a reader stored offline before it (1 to ${MAX_OFFLINE_GRACE_HOURS}; default:
                       Stripe 72, Square 24)
  --restart            forget the stored position and read the window again
${storeHelp(23)}
  --json               print the final progress as one JSON object
  --temporal ADDRESS   run it as a Temporal workflow at this address
  --in-process         run it in this process even when TEMPORAL_ADDRESS is set
  --signal NAME        with Temporal: pause, resume or cancel the running backfill
  -h, --help           show this help
`;

export const backfillCommand: Command = {
  name: 'backfill',
  summary: "bring a processor's payment history into the ledger, resumably",
  usage,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        from: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, crm: { type: 'string' }, limit: { type: 'string' },
        'offline-grace': { type: 'string' }, restart: { type: 'boolean' }, store: { type: 'string' }, json: { type: 'boolean' }, temporal: { type: 'string' }, 'in-process': { type: 'boolean' },
        signal: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.from === undefined) throw new InputError('--from', 'is missing', `name the processor: ${HISTORY_SOURCES.join(', ')}`);
    const lister = historyLister(values.from, '--from');
    const since = parseDay('--since', values.since);
    if (!since) throw new InputError('--since', 'is missing', 'give the first day to bring in, such as 2026-01-01');
    const until = parseUntil(values.until, since);
    const crm = values.crm === undefined ? undefined : parseSaasCrmName(values.crm, '--crm');
    const limit = positiveInt('--limit', values.limit);
    const offlineGraceMs = offlineGraceOf(lister, values['offline-grace'], '--offline-grace');
    const address = values.temporal ?? (values['in-process'] ? undefined : process.env[TEMPORAL_ENV.address]?.trim() || undefined);
    const input: BackfillInput = {
      source: lister.source, since: since.toISOString(), ...(until ? { until: until.toISOString() } : {}), ...(crm ? { crm } : {}),
      ...(limit ? { limit } : {}), ...(offlineGraceMs ? { offlineGraceHours: offlineGraceMs / 3_600_000 } : {}), ...(values.restart ? { restart: true } : {}),
    };
    if (values.signal !== undefined && !(values.signal in SIGNALS)) throw new InputError('--signal', `"${values.signal}" is not a backfill signal`, 'use pause, resume or cancel');
    if (address) {
      // An address given as --temporal is named so in its messages, not as the variable the worker reads.
      return onTemporal(address, input, values.signal, Boolean(values.json), io).catch((e: unknown) => Promise.reject(values.temporal === undefined ? e : asTemporalFlag(e)));
    }
    if (values.signal) throw new InputError('--signal', 'only controls a backfill running on Temporal', 'add --temporal ADDRESS (or set TEMPORAL_ADDRESS); in this process, Ctrl-C stops and the next run resumes');

    const env = process.env;
    const keys = keyProviderFromSpec(env[ENV.tokenKeys] ?? '', ENV.tokenKeys);
    const defaultRegion = parseRegion(env[ENV.defaultRegion]);
    const match = matchThresholdsFromEnv(env);
    const credentials = historyCredentialsFromEnv(lister, env);
    return withStore(values.store, async ({ db, location }) => {
      io.err(`backfill ${lister.label} ${input.since} → ${input.until ?? 'now'}: ${location}\n`);
      const bar = progressWriter(io);
      let stop = false;
      const onSigint = () => void (stop = true);
      process.once('SIGINT', onSigint);
      try {
        const result = await runBackfill(
          {
            source: lister.source, credentials, credentialPlace: environmentPlace(lister), store: db, keys, defaultRegion, match, since, until, limit, offlineGraceMs, http: axiosTransport(),
            ...(crm ? { crm: { crm, adapter: () => crmAdapterFromEnv(crm, env), waitMs: 0 } } : {}),
          },
          { restart: values.restart, onProgress: (p) => bar.update(p), stop: () => stop },
        );
        bar.end();
        report(result, io, Boolean(values.json), result.stopped ? 'stopped: run the same command again to carry on from here' : undefined);
        return result.stopped ? 130 : 0;
      } finally {
        process.off('SIGINT', onSigint);
      }
    }, { create: true });
  },
};

function report(p: BackfillProgress, io: CliIo, json: boolean, note?: string): void {
  for (const said of p.notes ?? []) io.err(`note: ${said}\n`);
  if (json) {
    io.out(`${JSON.stringify(p)}\n`);
    return;
  }
  io.out(
    `${p.source} ${p.since} → ${p.until}: ${p.done ? 'complete' : 'not complete'} after ${plural(p.pages, 'page', 'pages')}; ` +
      `${p.listed} events read: ${p.recorded} recorded, ${p.enriched} added to payments the ledger had, ${p.duplicates} already recorded` +
      `${p.queued ? `; ${p.queued} CRM records queued` : ''}\n`,
  );
  if (note) io.out(`${note}\n`);
}

async function onTemporal(address: string, input: BackfillInput, signal: string | undefined, json: boolean, io: CliIo): Promise<number> {
  const config = temporalConfigFromEnv({ ...process.env, [TEMPORAL_ENV.address]: address });
  const client = await connectClient(config);
  try {
    const workflowId = backfillWorkflowId(input);
    if (signal !== undefined) return await sendSignal(client, workflowId, signal, io);
    try {
      await client.workflow.start<typeof backfill>('backfill', { workflowId, taskQueue: config.taskQueue, args: [input] });
      io.err(`started workflow ${workflowId} on task queue "${config.taskQueue}" at ${config.address}\n`);
    } catch (e) {
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
      io.err(`following workflow ${workflowId}, already running\n`);
    }
    const final = await followBackfill(client, workflowId, io);
    report(final, io, json, final.cancelled ? 'cancelled: start it again to carry on from here' : undefined);
    return final.cancelled ? 130 : 0;
  } finally {
    await client.connection.close();
  }
}

const SIGNALS = { pause: pauseBackfillSignal, resume: resumeBackfillSignal, cancel: cancelBackfillSignal };

function asTemporalFlag(e: unknown): unknown {
  if (!(e instanceof InputError) || e.field !== TEMPORAL_ENV.address) return e;
  return new InputError('--temporal', e.problem, e.fix.replaceAll(`set ${TEMPORAL_ENV.address} to`, 'give --temporal').replaceAll(TEMPORAL_ENV.address, '--temporal'));
}

async function sendSignal(client: Client, workflowId: string, signal: string, io: CliIo): Promise<number> {
  await client.workflow.getHandle(workflowId).signal(SIGNALS[signal as keyof typeof SIGNALS]);
  io.out(`${signal} sent to ${workflowId}\n`);
  return 0;
}

/** The workflow's progress query drawn until it ends (also across continue-as-new); Ctrl-C stops watching only. */
export async function followBackfill(client: Client, workflowId: string, io: CliIo, everyMs = 500): Promise<BackfillStatus> {
  const handle = client.workflow.getHandle<typeof backfill>(workflowId);
  const bar = progressWriter(io);
  let watching = true;
  const onSigint = () => void (watching = false);
  process.once('SIGINT', onSigint);
  try {
    while (watching) {
      const described = await handle.describe();
      if (described.status.name !== 'RUNNING') break;
      try {
        const status = await handle.query(backfillProgressQuery);
        if (status.source) bar.update(status);
      } catch {
        // Between runs (continue-as-new) a query can miss: the next one answers.
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
    bar.end();
    if (!watching) throw new InputError('backfill', `stopped watching; workflow ${workflowId} carries on`, 'run the same command again to watch it, or --signal pause|cancel');
    const result = await handle.result();
    bar.update(result);
    bar.end();
    return result;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
