import { parseArgs } from 'node:util';
import { ENV, parseRegion } from '../../nodes/core/config/settings';
import { matchThresholdsFromEnv } from '../../nodes/core/pipeline/settings';
import { parseSaasCrmName, SAAS_CRM_NAMES } from '../../nodes/core/crm/crm-names';
import { crmAdapterFromEnv } from '../../nodes/core/crm/saas/crm-factory';
import { InputError } from '../../nodes/core/errors';
import { axiosTransport } from '../../nodes/core/http/axios-transport';
import { reconcile, type Findings, type PaymentFacts, type ReconcileReport } from '../../nodes/core/reconcile';
import { HISTORY_SOURCES, historyLister, MAX_OFFLINE_GRACE_HOURS, OFFLINE_GRACE_SOURCES, offlineGraceOf } from '../../nodes/core/sources/history';
import { keyProviderFromSpec } from '../../nodes/core/steps/steps';
import type { CliIo, Command } from './command';
import { environmentPlace, historyCredentialsFromEnv } from './source-env';
import { storeHelp, withStore } from './store-option';
import { parseDay, parseUntil, positiveInt } from './window-options';

const usage = `Usage: terminal-crm reconcile --from SOURCE --since DATE [--until DATE] [--crm NAME]
                              [--repair] [--limit N] [--offline-grace HOURS] [--store URL] [--json]

Compares the processor's record of a period (the history backfill reads) with the ledger,
and with --crm the ledger with what was queued and sent to that SaaS CRM (the outbox and
the CRM link table), and reports per payment:
  missing      at the processor but not in the ledger, or in the ledger but never sent to
               the CRM (or refused or given up by it)
  duplicated   counted more than once in the ledger, or with more than one sale row in
               the local CRM
  mismatched   amount, currency, status or refunded differ (ledger against processor,
               CRM record against ledger)
  unknown      in the ledger for the period but not listed by the processor

--repair writes the missing and mismatched payments from the processor's events (a missed
refund then counts), queues the CRM's missing or stale records again, reconciles again and
says what it cannot fix and why (a duplicate, a first amount the ledger keeps).

Credentials as for \`terminal-crm backfill\`: STRIPE_SECRET_KEY, SQUARE_ACCESS_TOKEN,
ZETTLE_API_KEY with ZETTLE_CLIENT_ID (or ZETTLE_ACCESS_TOKEN), CLOVER_API_TOKEN (+ CLOVER_MERCHANT_ID), SUMUP_ACCESS_TOKEN (optional
SUMUP_MERCHANT_CODE); --repair also needs TERMINAL_CRM_TOKEN_KEYS, and matches what it writes as the
worker does (TERMINAL_CRM_DEFAULT_REGION, TERMINAL_CRM_MATCH_LINK_THRESHOLD, …_REVIEW_THRESHOLD).

Options:
  --from SOURCE    the processor: ${HISTORY_SOURCES.join(', ')}
  --since DATE     payments made on or after this (2026-01-01, or an ISO time)
  --until DATE     payments made before this (default: now)
  --crm NAME       also compare with ${SAAS_CRM_NAMES.join(', ')}
  --repair         fix what can be fixed
  --limit N        payments per page asked of the processor (default 100)
  --offline-grace HOURS
                   ${OFFLINE_GRACE_SOURCES.join(' and ')}: how long after the period's end a sale a reader
                   stored offline in it may reach the processor and still count in it (1 to
                   ${MAX_OFFLINE_GRACE_HOURS}; default: Stripe 72, Square 24); one later counts in the period
                   it arrived in
${storeHelp(19)}
  --json           print the report as one JSON object
  -h, --help       show this help

Exit code 0 when everything agrees (after --repair: when nothing is left that it could not
fix), 2 when differences remain, 1 on an error.
`;

export const reconcileCommand: Command = {
  name: 'reconcile',
  summary: "compare a processor's record of a period with the ledger and the CRM; --repair fixes what it can",
  usage,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        from: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, crm: { type: 'string' }, repair: { type: 'boolean' },
        limit: { type: 'string' }, 'offline-grace': { type: 'string' }, store: { type: 'string' }, json: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.from === undefined) throw new InputError('--from', 'is missing', `name the processor: ${HISTORY_SOURCES.join(', ')}`);
    const lister = historyLister(values.from, '--from');
    const since = parseDay('--since', values.since);
    if (!since) throw new InputError('--since', 'is missing', 'give the first day of the period, such as 2026-01-01');
    const until = parseUntil(values.until, since);
    const crm = values.crm === undefined ? undefined : parseSaasCrmName(values.crm, '--crm');
    const offlineGraceMs = offlineGraceOf(lister, values['offline-grace'], '--offline-grace');
    const env = process.env;
    // Keys are needed to write (repair) only: a read-only reconcile runs without them.
    const credentials = historyCredentialsFromEnv(lister, env);
    const keys = values.repair || env[ENV.tokenKeys] ? keyProviderFromSpec(env[ENV.tokenKeys] ?? '', ENV.tokenKeys) : undefined;
    const match = values.repair ? matchThresholdsFromEnv(env) : undefined;
    return withStore(values.store, async ({ db, location }) => {
      io.err(`reconcile ${lister.label}${crm ? ` and ${crm}` : ''}: ${location}\n`);
      const r = await reconcile({
        source: lister.source, credentials, credentialPlace: environmentPlace(lister), store: db, ...(keys ? { keys } : {}), ...(match ? { match } : {}), defaultRegion: parseRegion(env[ENV.defaultRegion]),
        since, until, limit: positiveInt('--limit', values.limit), offlineGraceMs, http: axiosTransport(), repair: values.repair,
        ...(crm ? { crm: { crm, adapter: () => crmAdapterFromEnv(crm, env), waitMs: 0 } } : {}),
      });
      for (const note of r.notes ?? []) io.err(`note: ${note}\n`);
      if (values.json) io.out(`${JSON.stringify(r)}\n`);
      else describe(r, io);
      const left = r.repair ? r.repair.unfixable.length : r.clean ? 0 : 1;
      return left === 0 ? 0 : 2;
    }, { create: values.repair === true });
  },
};

const money = (minor: number, currency: string) => `${minor} ${currency}`;
const facts = (f: PaymentFacts) => `${money(f.amountMinor, f.currency)}, ${f.status}${f.refundedMinor ? `, ${money(f.refundedMinor, f.currency)} refunded` : ''}, ${f.occurredAt}`;

function describeFindings(f: Findings, io: CliIo, indent = ''): void {
  for (const m of f.missing) {
    io.out(m.from === 'ledger' ? `${indent}missing     ${m.key} from the ledger (processor: ${facts(m.processor!)})\n` : `${indent}missing     ${m.key} from the CRM (ledger: ${facts(m.ledger!)})\n`);
  }
  for (const d of f.duplicated) io.out(`${indent}duplicated  ${d.key}: ${d.count}× in ${d.in === 'ledger' ? 'the ledger' : "the local CRM's sale rows"}\n`);
  for (const m of f.mismatched) {
    const what = m.differences.map((d) => `${d.field} ${d.found} (${m.in === 'ledger' ? 'processor' : 'ledger'}: ${d.expected})`).join(', ');
    io.out(`${indent}mismatched  ${m.key} in the ${m.in === 'ledger' ? 'ledger' : 'CRM'}: ${what}\n`);
  }
  for (const u of f.unknown) io.out(`${indent}unknown     ${u.key}: in the ledger (${facts(u.ledger)}), not listed by the processor\n`);
}

function describe(r: ReconcileReport, io: CliIo): void {
  io.out(`${r.source} ${r.since} → ${r.until}: processor ${r.processorPayments} payments, ledger ${r.ledgerPayments}${r.crm ? `, compared with ${r.crm}` : ''}\n`);
  io.out(`${r.missing.length} missing, ${r.duplicated.length} duplicated, ${r.mismatched.length} mismatched, ${r.unknown.length} unknown\n`);
  describeFindings(r, io, '  ');
  if (!r.repair) {
    if (!r.clean) io.out('Run again with --repair to fix what can be fixed.\n');
    return;
  }
  io.out(`Repaired: ${r.repair.backfilled.length} written to the ledger from the processor, ${r.repair.requeued.length} queued again for ${r.crm ?? 'the CRM'}\n`);
  for (const key of r.repair.backfilled) io.out(`  backfilled  ${key}\n`);
  for (const key of r.repair.requeued) io.out(`  requeued    ${key}\n`);
  if (r.repair.unfixable.length === 0) io.out('Nothing is left that needs a hand.\n');
  else io.out(`Cannot fix ${r.repair.unfixable.length}:\n`);
  for (const u of r.repair.unfixable) io.out(`  ${u.key}: ${u.reason}\n`);
}
