import { parseArgs } from 'node:util';
import { formatMoney } from '../../nodes/core/contracts/money';
import { InputError } from '../../nodes/core/errors';
import { resolveCustomerId } from '../../nodes/core/identity/resolve-customer-id';
import type { LedgerPayment } from '../../nodes/core/ledger/payment-rows';
import type { SqlExecutor } from '../../nodes/core/store/sql-database';
import { MAX_PAGE, paymentsOf, type PaymentFilter } from '../../nodes/core/ledger/read-payments';
import type { CliIo, Command } from './command';
import { parseSourceOption } from './source-option';
import { storeHelp, withStore } from './store-option';

const usage = `Usage: terminal-crm payments [--source NAME] [--customer ID] [--since TIME] [--until TIME]
                              [--limit N] [--cursor NEXT] [--store URL] [--json]

Lists the payments the store's ledger holds, in the order they were made: each with its
customer, status, amount, what was refunded or charged back and what is left, in the
payment's currency. A payment whose refund or dispute arrived before the payment itself
is listed as "not seen yet" and counts nowhere until it arrives.
One page at a time: when there is more, the command says which --cursor shows the next.

Options:
  --source NAME    one source (stripe, square, adyen, … or a generic source's name)
  --customer ID    one customer (cus_…)
  --since TIME     made at or after this ISO 8601 time (2025-03-01 or 2025-03-01T09:00:00Z)
  --until TIME     made before this time
  --limit N        payments per page, 1 to ${MAX_PAGE} (default 50)
  --cursor NEXT    the next page, as the page before named it
${storeHelp(19)}
  --json           one JSON object per payment, one per line (amounts in minor units)
  -h, --help       show this help
`;

function parseLimit(value: string | undefined): number {
  if (value === undefined) return 50;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) throw new InputError('--limit', `"${value}" is not a page size`, `give a whole number from 1 to ${MAX_PAGE}`);
  return n;
}

/**
 * A source the ledger has never seen (a typo, or "sum-up" for "sumup") matches nothing, as a filter should; the
 * operator is told which sources it does hold, on stderr so `--json` stays clean.
 */
async function sourceHint(db: SqlExecutor, source: string): Promise<string> {
  if (await db.get('SELECT 1 AS found FROM ledger_payments WHERE source = ? LIMIT 1', [source])) return '';
  const held = (await db.all<{ source: string }>('SELECT DISTINCT source FROM ledger_payments ORDER BY source')).map((r) => r.source);
  return `the ledger holds no payment from "${source}"; ${held.length ? `its sources: ${held.join(', ')}` : 'it holds no payments yet'}\n`;
}

/**
 * Why a customer's listing is empty when the id is not a customer's now: merged into another (an id from an older
 * export or CRM field), whose payments the merge moved, or not in this store at all (a typo, another store).
 */
async function customerHint(db: SqlExecutor, customerId: string): Promise<string> {
  const now = await resolveCustomerId(db, customerId);
  if (now === customerId) return '';
  if (now !== undefined) return `${customerId} was merged into ${now}, which holds its payments now: terminal-crm payments --customer ${now}\n`;
  return `this store has no customer ${customerId}; check the id, or --store\n`;
}

/** paymentsOf's errors name its own fields; the operator typed the options. */
function asOption(err: unknown): unknown {
  if (!(err instanceof InputError) || !['since', 'until', 'cursor', 'limit'].includes(err.field)) return err;
  return new InputError(`--${err.field}`, err.problem.replace(/\b(since|until)\b/g, '--$1'), err.fix.replace(/\b(since|until)\b/g, '--$1'));
}

const money = (minor: number, currency: string) => formatMoney({ minor, currency });

function row(p: LedgerPayment): string[] {
  const card = [p.card.brand, p.card.last4 && `…${p.card.last4}`, p.card.wallet].filter(Boolean).join(' ');
  return [
    p.occurredAt,
    p.key,
    p.customerId ?? '-',
    p.counted ? p.status : 'not seen yet',
    p.counted ? money(p.grossMinor, p.currency) : '-',
    p.refundedMinor ? money(p.refundedMinor, p.currency) : '-',
    p.chargebackMinor ? money(p.chargebackMinor, p.currency) : '-',
    p.counted ? money(p.netMinor, p.currency) : '-',
    card || '-',
  ];
}

const HEADER = ['made at', 'payment', 'customer', 'status', 'amount', 'refunded', 'charged back', 'net', 'card'];
const RIGHT = new Set([4, 5, 6, 7]);

function table(payments: readonly LedgerPayment[], io: CliIo): void {
  const rows = [HEADER, ...payments.map(row)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) io.out(`${r.map((cell, i) => (RIGHT.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd()}\n`);
}

export const paymentsCommand: Command = {
  name: 'payments',
  summary: 'the payments the ledger holds, by source, customer and time',
  usage,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        source: { type: 'string' }, customer: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' },
        limit: { type: 'string' }, cursor: { type: 'string' }, store: { type: 'string' }, json: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    });
    const source = parseSourceOption(values.source);
    const filter: PaymentFilter = {
      limit: parseLimit(values.limit),
      ...(source ? { source } : {}),
      ...(values.customer ? { customerId: values.customer.trim() } : {}),
      ...(values.since ? { since: values.since } : {}),
      ...(values.until ? { until: values.until } : {}),
      ...(values.cursor ? { cursor: values.cursor } : {}),
    };
    return withStore(values.store, async ({ db, location }) => {
      const page = await paymentsOf(db, filter).catch((err: unknown) => Promise.reject(asOption(err)));
      io.err(`payments: ${location}\n`);
      if (values.json) {
        for (const p of page.payments) io.out(`${JSON.stringify(p)}\n`);
      } else if (page.payments.length === 0) {
        io.out(values.cursor ? 'No more payments.\n' : 'No payments match.\n');
      } else {
        table(page.payments, io);
      }
      if (page.payments.length === 0 && source && !values.cursor) io.err(await sourceHint(db, source));
      if (page.payments.length === 0 && filter.customerId && !values.cursor) io.err(await customerHint(db, filter.customerId));
      // On stderr so `--json` output stays one payment a line.
      if (page.next) io.err(`more: the next page is the same command with --cursor ${page.next}\n`);
      return 0;
    });
  },
};
