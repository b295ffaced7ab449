import { parseArgs } from 'node:util';
import { InputError } from '../../nodes/core/errors';
import { DEFAULT_REDRIVE_AFTER_MS } from '../../nodes/core/inbox/redrive';
import { redriveAfterMs } from '../../nodes/core/inbox/redrive-settings';
import { inboxReport, type InboxReport, type InboxWaitingEvent } from '../../nodes/core/inbox/report';
import type { CliIo, Command } from './command';
import { parseSourceOption } from './source-option';
import { storeHelp, withStore } from './store-option';
import { positiveInt } from './window-options';
import { plural } from './plural';

const usage = `Usage: terminal-crm inbox [--source NAME] [--older-than 5m] [--limit N] [--store URL] [--json]

Shows what waits in the store's inbox: events a trigger accepted (answered 2xx to the
processor) that no flow has finished. Per source, how many wait and since when, how many
are old enough for a redrive, how many a redrive failed on (with the latest reason), how
many a redrive holds right now and how many the worker's redrive handed to a workflow
that still runs. Then the events themselves, oldest first, each with its attempts, last
error or workflow. It only reads: \`terminal-crm redrive\` finishes them.

Options:
  --source NAME    one source (stripe, square, adyen, … or a generic source's name)
  --older-than D   the grace period your redrives run with (default 5m): an event waiting
                   this long is due; a younger one may still be finished by its flow
  --limit N        list at most N events (default 50)
${storeHelp(19)}
  --json           print the report as one JSON object
  -h, --help       show this help
`;

const FIX = 'write the grace period your redrives run with, such as 5m, 30s or 1h30m, or 0';

function parseOlderThan(value: string | undefined): number {
  const ms = redriveAfterMs('--older-than', value, DEFAULT_REDRIVE_AFTER_MS, FIX);
  if (ms === null) throw new InputError('--older-than', `"${value}" turns redriving off, which leaves nothing due`, FIX);
  return ms;
}

function status(e: InboxWaitingEvent, grace: string): string {
  return [
    e.due ? 'due for a redrive' : `waited less than ${grace}`,
    e.attempts > 0 ? plural(e.attempts, 'attempt', 'attempts') : undefined,
    e.claimedUntil ? `held by a redrive until ${e.claimedUntil}` : undefined,
    e.inWorkflow ? `in workflow ${e.inWorkflow.workflowId} (handed over at ${e.inWorkflow.handedOffAt})` : undefined,
  ].filter(Boolean).join('; ');
}

function describe(report: InboxReport, io: CliIo, grace: string, redrive: string): void {
  for (const s of report.sources) {
    const parts = [
      `${plural(s.waiting, 'event waits', 'events wait')} since ${s.oldestReceivedAt}`,
      `${s.due} due for a redrive`,
      s.failed > 0 ? `${s.failed} failed a redrive` : undefined,
      s.claimed > 0 ? `${s.claimed} held by a redrive now` : undefined,
      s.inWorkflow > 0 ? `${s.inWorkflow} in a workflow` : undefined,
    ];
    io.out(`${s.source}: ${parts.filter(Boolean).join(' · ')}\n`);
    if (s.lastError) io.out(`  latest failure: ${s.lastError}\n`);
  }
  io.out('\n');
  const width = (pick: (e: InboxWaitingEvent) => string) => Math.max(...report.events.map((e) => pick(e).length));
  const [source, type, id] = [width((e) => e.source), width((e) => e.type), width((e) => e.eventId)];
  for (const e of report.events) {
    io.out(`${e.receivedAt}  ${e.source.padEnd(source)}  ${e.type.padEnd(type)}  ${e.eventId.padEnd(id)}  (${status(e, grace)})\n`);
    if (e.lastError) io.out(`    ${e.lastError}\n`);
  }
  if (report.more > 0) io.out(`… and ${report.more} more (--limit)\n`);
  const waiting = report.sources.reduce((n, s) => n + s.waiting, 0);
  const due = report.sources.reduce((n, s) => n + s.due, 0);
  const inWorkflow = report.sources.reduce((n, s) => n + s.inWorkflow, 0);
  io.out('\n');
  if (inWorkflow > 0) {
    io.out(inWorkflow === 1
      ? "1 is in the workflow the worker's redrive handed it to, which finishes it; look it up by its id in Temporal if it takes long.\n"
      : `${inWorkflow} are in the workflows the worker's redrive handed them to, which finish them; look one up by its id in Temporal if it takes long.\n`);
  }
  if (due === 0) io.out(`None has waited ${grace} yet, so a flow may still finish them; after that \`${redrive}\` finishes them.\n`);
  else if (due === waiting) io.out(`\`${redrive}\` finishes them.\n`);
  else io.out(`\`${redrive}\` finishes the ${due} that waited ${grace} or more; a flow may still finish the others.\n`);
}

export const inboxCommand: Command = {
  name: 'inbox',
  summary: 'what triggers accepted and no flow finished yet, with the reasons a redrive failed (reads only)',
  usage,
  async run(args, io) {
    const { values } = parseArgs({ args, options: { source: { type: 'string' }, 'older-than': { type: 'string' }, limit: { type: 'string' }, store: { type: 'string' }, json: { type: 'boolean' } }, strict: true, allowPositionals: false });
    const source = parseSourceOption(values.source);
    const olderThanMs = parseOlderThan(values['older-than']);
    const limit = positiveInt('--limit', values.limit) ?? 50;
    const given = values['older-than']?.trim();
    const grace = given && olderThanMs !== DEFAULT_REDRIVE_AFTER_MS ? given : `${DEFAULT_REDRIVE_AFTER_MS / 60_000}m`;
    const redrive = `terminal-crm redrive${olderThanMs !== DEFAULT_REDRIVE_AFTER_MS ? ` --older-than ${grace}` : ''}`;
    return withStore(values.store, async ({ db, location }) => {
      const report = await inboxReport(db, { ...(source ? { source } : {}), olderThanMs, limit });
      if (values.json) {
        io.out(`${JSON.stringify({ store: location, ...report })}\n`);
      } else {
        io.err(`inbox: ${location}\n`);
        if (report.sources.length === 0) io.out(source ? `Nothing from ${source} waits in the inbox.\n` : 'Nothing waits in the inbox.\n');
        else describe(report, io, grace, redrive);
      }
      return 0;
    });
  },
};
