import { parseArgs } from 'node:util';
import { formatMoney } from '../../nodes/core/contracts/money';
import type { IdentityReport } from '../../nodes/core/identity/identity-report';
import type { Command } from './command';
import { exactlyOne, requireCustomer } from './identity-store';
import { STORE_HELP, withStore } from './store-option';

const usage = `Usage: terminal-crm identity <customerId> [options]

Shows what the store knows about one customer: their details, what they paid,
every key that identifies them (emails, phones, card tokens, processor customer
ids of every processor), their cards, and every merge that involved them, with
its evidence and the command that undoes it.

${STORE_HELP}
  --json         print it as one JSON object instead
  -h, --help     show this help

Example:
  terminal-crm identity cus_8Kq2 --store /srv/terminal-crm/store.db
`;

const PROFILE_LABELS: Record<string, string> = {
  name: 'Name', givenName: 'Given name', familyName: 'Family name', email: 'Email', phone: 'Phone', street: 'Street', city: 'City',
  postalCode: 'Postal code', region: 'Region', country: 'Country', dateOfBirth: 'Date of birth',
};

/** In the digits the pack counts the currency in (contracts/money.ts), as `terminal-crm payments` shows it. */
const money = (minor: number, currency: string) => formatMoney({ minor, currency });

const day = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : '?');
const table = (rows: string[][]) => {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`.trimEnd()).join('\n');
};

/** A customer's identity as an operator reads it in a terminal. */
export function formatIdentity(r: IdentityReport): string {
  const out: string[] = [`Customer ${r.customerId} (since ${day(r.createdAt)})`];
  if (r.mergedInto) {
    out.push(`  Merged into ${r.mergedInto}${r.currentId && r.currentId !== r.mergedInto ? `, now part of ${r.currentId}` : ''}: this person's keys, cards and payments are there.`);
  }
  const profile = Object.entries(r.profile).map(([k, v]) => [PROFILE_LABELS[k] ?? k, v]);
  if (profile.length) out.push(table(profile));
  out.push('', r.totals.length ? 'Payments' : 'Payments: none');
  if (r.totals.length) {
    out.push(table(r.totals.map((t) => [t.currency, `${t.payments} paid`, money(t.grossMinor, t.currency), `${money(t.refundedMinor, t.currency)} refunded`, `${day(t.firstSeen)} to ${day(t.lastSeen)}`])));
  }
  out.push('', `Keys (${r.keys.length})`);
  if (r.keys.length) out.push(table(r.keys.map((k) => [k.kind, k.value])));
  out.push('', `Cards (${r.cards.length})`);
  if (r.cards.length) {
    out.push(table(r.cards.map((c) => [
      c.brand ?? 'card', `${c.bin ? `${c.bin}…` : '…'}${c.last4}`, c.expMonth && c.expYear ? `${String(c.expMonth).padStart(2, '0')}/${c.expYear}` : '',
      [c.wallet, c.processor].filter(Boolean).join(', '),
    ])));
  }
  out.push('', `Merges (${r.merges.length})`);
  for (const m of r.merges) {
    const what = m.direction === 'absorbed' ? `took in ${m.from}` : `was merged into ${m.into}`;
    out.push(`  ${m.id}  ${m.mergedAt.replace('T', ' ').slice(0, 19)}  ${what}, by ${m.actor}${m.undoneAt ? `; undone ${m.undoneAt.replace('T', ' ').slice(0, 19)}` : ''}`);
    out.push(`    evidence: ${JSON.stringify(m.evidence)}`);
    if (!m.undoneAt) out.push(`    undo: terminal-crm unmerge ${m.id}`);
  }
  return `${out.join('\n')}\n`;
}

export const identityCommand: Command = {
  name: 'identity',
  summary: "show a customer's details, payments, keys, cards and merges (with their evidence)",
  usage,
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, options: { store: { type: 'string' }, json: { type: 'boolean' } }, strict: true, allowPositionals: true });
    const id = exactlyOne(positionals, '<customerId>', 'terminal-crm identity cus_8Kq2');
    const report = await withStore(values.store, (store) => requireCustomer(store, id, '<customerId>'));
    io.out(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatIdentity(report));
    return 0;
  },
};
