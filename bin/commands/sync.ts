import { parseArgs } from 'node:util';
import { parseSaasCrmName, SAAS_CRM_NAMES } from '../../nodes/core/crm/crm-names';
import { CRM_CREDENTIAL_ENV, crmAdapterFromEnv } from '../../nodes/core/crm/saas/crm-factory';
import { InputError } from '../../nodes/core/errors';
import { drain, type DrainResult } from '../../nodes/core/outbox/drain';
import type { CliIo, Command } from './command';
import { storeHelp, withStore } from './store-option';
import { crmVariablesHelp } from './sync-help';
import { plural } from './plural';

const usage = `Usage: terminal-crm sync --crm NAME [--max-batches N] [--deadline SECONDS] [--store URL] [--json]

Sends what waits in the store's outbox to one CRM, once, now: customers first, then
payments and field updates, in the CRM's batch size and within its rate limit. Each
record ends synced (the CRM's id is kept), rejected (the CRM's reason is kept, see
\`terminal-crm outbox\`), retried later, or dead after its retries (an alert). Run it from
cron or a scheduler, or by hand after fixing a credential.

The CRM's credentials and settings come from its environment variables (what each
holds and its default: the README's CRMs section):
${crmVariablesHelp()}

Options:
  --crm NAME           the CRM: ${SAAS_CRM_NAMES.join(', ')}
  --max-batches N      send at most N batches
  --deadline SECONDS   start no batch after this many seconds
${storeHelp(23)}
  --json               print the result as one JSON object
  -h, --help           show this help

Exit code 1 when the CRM refused the credential or the setup (the message says what to
fix; the records wait, no attempt is counted); 0 otherwise, also when the CRM's daily cap
paused sending (it says until when).
`;

function positive(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InputError(flag, `"${value}" is not a positive number`, flag === '--deadline' ? 'give seconds, such as 60' : 'give a number such as 10');
  return n;
}

function describe(r: DrainResult, io: CliIo): void {
  const c = r.counts;
  io.out(`${r.crm}: ${c.synced} synced, ${c.rejected} rejected, ${c.retry} to retry, ${c.dead} dead (${plural(r.batches, 'batch', 'batches')})\n`);
  for (const o of r.outcomes) {
    if (o.status === 'rejected') io.out(`  rejected ${o.kind} ${o.externalId}: ${o.reason}\n`);
    else if (o.status === 'retry') io.out(`  retry    ${o.kind} ${o.externalId} at ${o.nextAttemptAt} (attempt ${o.attempts}): ${o.reason}\n`);
  }
  for (const a of r.alerts) io.out(`  DEAD     ${a.recordKind} ${a.externalId} after ${a.attempts} attempts: ${a.reason}\n`);
  for (const note of r.notes ?? []) io.out(`Note: ${note}\n`);
  if (r.stop) io.out(`Stopped (${r.stop.kind}): ${r.stop.message}${r.stop.until ? ` — nothing is sent to ${r.crm} before ${r.stop.until}` : ''}\n`);
  else if (r.ended === 'deadline' || r.ended === 'max-batches') io.out(`Stopped at the ${r.ended === 'deadline' ? '--deadline' : '--max-batches'} you set.\n`);
  io.out(r.waiting === 0 ? 'Nothing else waits.\n' : `${plural(r.waiting, 'record waits', 'records wait')}; the first is due ${r.nextAttemptAt}.\n`);
}

export const syncCommand: Command = {
  name: 'sync',
  summary: 'send what waits in the outbox to a CRM, once, within its limits',
  usage,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { crm: { type: 'string' }, 'max-batches': { type: 'string' }, deadline: { type: 'string' }, store: { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    });
    if (values.crm === undefined) throw new InputError('--crm', 'is missing', `name the CRM to send to: ${SAAS_CRM_NAMES.join(', ')}`);
    const crm = parseSaasCrmName(values.crm, '--crm');
    const maxBatches = positive('--max-batches', values['max-batches']);
    const deadline = positive('--deadline', values.deadline);
    // Before the store: a missing variable is the first thing to fix.
    const adapter = crmAdapterFromEnv(crm, process.env);
    return withStore(values.store, async ({ db, location }) => {
      io.err(`sync ${crm}: ${location}\n`);
      const result = await drain({ db, adapter, ...(maxBatches ? { maxBatches: Math.floor(maxBatches) } : {}), ...(deadline ? { deadlineMs: deadline * 1000 } : {}) });
      if (values.json) io.out(`${JSON.stringify(result)}\n`);
      else describe(result, io);
      if (result.stop?.kind === 'auth' || result.stop?.kind === 'config') {
        const fix = result.stop.kind === 'auth' ? `check ${CRM_CREDENTIAL_ENV[crm].join(' / ')}, then run \`terminal-crm sync --crm ${crm}\` again` : `correct the ${crm} settings named above, then run \`terminal-crm sync --crm ${crm}\` again`;
        io.err(`\nterminal-crm sync: ${crm} refused: ${result.stop.message}\nFix: ${fix}\n`);
        return 1;
      }
      return 0;
    });
  },
};
