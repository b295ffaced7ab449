import { parseArgs } from 'node:util';
import { parseSaasCrmName, SAAS_CRM_NAMES } from '../../nodes/core/crm/crm-names';
import { InputError } from '../../nodes/core/errors';
import { outboxReport, type OutboxReport } from '../../nodes/core/outbox/report';
import { OUTBOX_STATES, type OutboxRow, type OutboxState } from '../../nodes/core/outbox/types';
import type { CliIo, Command } from './command';
import { STORE_HELP, withStore } from './store-option';
import { plural } from './plural';

const usage = `Usage: terminal-crm outbox [--state STATE] [--crm NAME] [--limit N] [--store URL] [--json]

Shows what the store's outbox holds for the SaaS CRMs: per CRM, how many records wait,
are being sent, were refused by the CRM (rejected, with its reason: fix the record and
queue it again) or were given up on after their retries (dead, with the alert); a CRM
paused by its daily cap says until when. Then the records themselves, oldest first, each
with its reason and, for those that wait, when they are tried next, and the latest alerts
(a record given up on; a payment the worker's payment saga gave up on, whatever the CRM).
\`terminal-crm sync --crm NAME\` sends what waits.

Options:
  --state STATE  ${OUTBOX_STATES.join(', ')}; comma-separate several
                 (default: everything but synced)
  --crm NAME     one CRM: ${SAAS_CRM_NAMES.join(', ')}
  --limit N      list at most N records (default 50)
${STORE_HELP}
  --json         print the report as one JSON object
  -h, --help     show this help
`;

function parseStates(value: string | undefined): OutboxState[] | undefined {
  if (value === undefined) return undefined;
  const states = value.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const unknown = states.find((s) => !(OUTBOX_STATES as readonly string[]).includes(s));
  if (unknown !== undefined || states.length === 0) {
    throw new InputError('--state', `"${unknown ?? value}" is not an outbox state`, `use ${OUTBOX_STATES.join(', ')} (comma-separate several)`);
  }
  return states as OutboxState[];
}

function parseLimit(value: string | undefined): number {
  if (value === undefined) return 50;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InputError('--limit', `"${value}" is not a positive whole number`, 'give a number such as 50');
  return n;
}

function describeRow(r: OutboxRow): string {
  const what = `${r.state.padEnd(8)} ${r.crm.padEnd(10)} ${r.kind.padEnd(8)} ${r.externalId}`;
  const tries = plural(r.attempts, 'attempt', 'attempts');
  if (r.state === 'pending') return `${what}  (${tries}; next ${r.nextAttemptAt})${r.lastError ? `\n    ${r.lastError}` : ''}`;
  if (r.state === 'inflight') return `${what}  (being sent by ${r.claimedBy ?? '?'} until ${r.claimedUntil ?? '?'})`;
  if (r.state === 'synced') return `${what}  (CRM id ${r.crmId ?? '?'})`;
  return `${what}  (${tries})\n    ${r.lastError ?? 'no reason was kept'}`;
}

function describe(report: OutboxReport, io: CliIo): void {
  const crms = [...new Set([...report.counts.map((c) => c.crm), ...report.pauses.map((p) => p.crm)])];
  // Alerts are listed even then: a payment the worker's saga gave up on with the local CRM leaves no outbox row.
  if (crms.length === 0) io.out('The outbox is empty.\n');
  for (const crm of crms) {
    const counts = OUTBOX_STATES.map((s) => [s, report.counts.find((c) => c.crm === crm && c.state === s)?.rows ?? 0] as const).filter(([, n]) => n > 0);
    io.out(`${crm}: ${counts.map(([s, n]) => `${n} ${s}`).join(' · ') || 'nothing queued'}\n`);
    const pause = report.pauses.find((p) => p.crm === crm);
    if (pause) io.out(`  paused until ${pause.until}: ${pause.reason}\n`);
  }
  if (report.rows.length > 0) io.out('\n');
  for (const r of report.rows) io.out(`${describeRow(r)}\n`);
  if (report.more > 0) io.out(`… and ${report.more} more (--limit)\n`);
  if (report.alerts.length > 0) {
    io.out('\nLatest alerts:\n');
    for (const a of report.alerts) io.out(`  ${a.at} ${a.crm} ${a.recordKind} ${a.externalId}: ${a.reason}\n`);
  }
}

export const outboxCommand: Command = {
  name: 'outbox',
  summary: 'what waits for a CRM, and what a CRM refused or was given up on, with the reasons',
  usage,
  async run(args, io) {
    const { values } = parseArgs({ args, options: { state: { type: 'string' }, crm: { type: 'string' }, limit: { type: 'string' }, store: { type: 'string' }, json: { type: 'boolean' } }, strict: true, allowPositionals: false });
    const states = parseStates(values.state);
    const crm = values.crm === undefined ? undefined : parseSaasCrmName(values.crm, '--crm');
    const limit = parseLimit(values.limit);
    return withStore(values.store, async ({ db, location }) => {
      const report = await outboxReport(db, { ...(crm ? { crm } : {}), ...(states ? { states } : {}), limit });
      if (values.json) {
        io.out(`${JSON.stringify({ store: location, ...report })}\n`);
      } else {
        io.err(`outbox: ${location}\n`);
        describe(report, io);
      }
      return 0;
    });
  },
};
