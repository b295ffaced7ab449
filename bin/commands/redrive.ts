import { parseArgs } from 'node:util';
import { ENV, parseRegion } from '../../nodes/core/config/settings';
import { parseSaasCrmName, SAAS_CRM_NAMES, type SaasCrmName } from '../../nodes/core/crm/crm-names';
import { fieldsTargetOf } from '../../nodes/core/outbox/field-updates';
import { matchThresholdsFromEnv } from '../../nodes/core/pipeline/settings';
import { DEFAULT_REDRIVE_AFTER_MS, DEFAULT_REDRIVE_LIMIT, type RedriveReport } from '../../nodes/core/inbox/redrive';
import { redriveLimit, redriveRunAfterMs } from '../../nodes/core/inbox/redrive-settings';
import { redrivePayments } from '../../nodes/core/pipeline/redrive-payments';
import type { PaymentMessage } from '../../nodes/core/contracts/payment-message';
import { keyProviderFromSpec } from '../../nodes/core/tokenize/key-provider';
import type { CliIo, Command } from './command';
import { storeHelp, withStore } from './store-option';
import { plural } from './plural';

const usage = `Usage: terminal-crm redrive [--older-than 5m] [--limit N] [--crm NAME] [--store URL] [--json]

Finishes the payments a trigger accepted (kept in the store's inbox and answered 2xx to the
processor) that no flow finished: the engine stopped between its answer and the CRM write,
or a step failed. Each goes through tokenize → match → CRM Upsert once; the CRM write marks
it done. A payment a flow recorded meanwhile is not recorded again. Each is then queued, with
its customer, for every SaaS CRM the store already sends to (its outbox or CRM links name it)
and for those --crm names; \`terminal-crm sync\` sends them.

Options:
  --older-than D   only events accepted at least this long ago (default 5m; 0 for all):
                   a flow that is merely slow gets to finish first
  --limit N        at most N events, the oldest first (default ${DEFAULT_REDRIVE_LIMIT})
  --crm NAME       also queue for this SaaS CRM (${SAAS_CRM_NAMES.join(', ')}), even
                   before the store has sent it anything; repeat it or separate names by
                   commas for several (default: TERMINAL_CRM_CRM when it names a SaaS CRM,
                   as the worker reads it; local or unset adds none)
${storeHelp(19)}
  --json           print the result as one JSON object
  -h, --help       show this help

Tokenize and match read TERMINAL_CRM_TOKEN_KEYS, TERMINAL_CRM_DEFAULT_REGION and the match
thresholds as the worker does. Exit code 1 when an event could not be finished (the reason is
printed and kept in the inbox; the next redrive tries again).
`;

type Redriven = RedriveReport<{ customerId: string | null; outcome: string }>;

function describe(r: Redriven, io: CliIo): void {
  for (const e of r.redriven) io.out(`redriven ${e.eventId} → ${e.result.outcome}${e.result.customerId ? ` (${e.result.customerId})` : ''}\n`);
  for (const e of r.failed) io.out(`FAILED   ${e.eventId} (attempt ${e.attempts}, accepted ${e.receivedAt}): ${e.error}\n`);
  io.out(`${r.redriven.length} redriven, ${r.failed.length} failed; ${plural(r.waiting, 'event waits', 'events wait')} in the inbox.\n`);
}

export const redriveCommand: Command = {
  name: 'redrive',
  summary: 'finish payments a trigger accepted and no flow finished',
  usage,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { 'older-than': { type: 'string' }, limit: { type: 'string' }, crm: { type: 'string', multiple: true }, store: { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    });
    const olderThanMs = redriveRunAfterMs('--older-than', values['older-than'], DEFAULT_REDRIVE_AFTER_MS);
    const limit = redriveLimit('--limit', values.limit);
    const crms = values.crm ? crmsOf(values.crm) : workerCrm();
    // Only the settings a redrive uses: a mistake in the segment, loyalty or review settings (the worker's) must not
    // keep the payments the inbox holds from being finished while it is fixed.
    const keys = keyProviderFromSpec(process.env[ENV.tokenKeys] ?? '', ENV.tokenKeys);
    const defaultRegion = parseRegion(process.env[ENV.defaultRegion]);
    const match = matchThresholdsFromEnv(process.env);
    return withStore(values.store, async ({ db, location }) => {
      io.err(`redrive: ${location}${crms.length ? `; also queuing for ${crms.join(', ')}` : ''}\n`);
      const full = await redrivePayments(db, { keys, defaultRegion, match, olderThanMs, limit, crms });
      const report: Redriven = { ...full, redriven: full.redriven.map((r) => ({ ...r, result: summary(r.result) })) };
      if (values.json) io.out(`${JSON.stringify(report)}\n`);
      else describe(report, io);
      return report.failed.length > 0 ? 1 : 0;
    });
  },
};

/** Each --crm, repeated or comma-separated, named as the other commands' --crm is; " HubSpot " is hubspot. */
function crmsOf(given: readonly string[]): SaasCrmName[] {
  const names = given.flatMap((v) => {
    const parts = v.split(',').filter((p) => p.trim() !== '');
    // A blank --crm is refused as the other commands refuse it, not read as no CRM.
    return parts.length ? parts.map((p) => parseSaasCrmName(p, '--crm')) : [parseSaasCrmName(v, '--crm')];
  });
  return [...new Set(names)];
}

/**
 * The CRM the worker's flows write to (TERMINAL_CRM_CRM), which a store that has sent it nothing yet cannot name:
 * a redrive run beside the worker queues for it as the worker's saga would have. `local` (or unset) adds none.
 */
function workerCrm(): SaasCrmName[] {
  const target = fieldsTargetOf(process.env.TERMINAL_CRM_CRM, 'TERMINAL_CRM_CRM');
  return target ? [target.crm] : [];
}

const summary = (m: PaymentMessage) => ({ customerId: m.crm?.customerId ?? null, outcome: m.crm?.outcome ?? 'unknown' });
