import { parseArgs } from 'node:util';
import { InputError } from '../../nodes/core/errors';
import { mergeCustomers } from '../../nodes/core/identity/merge-customers';
import type { Command } from './command';
import { actorOf, asCliError, requireCustomer } from './identity-store';
import { STORE_HELP, withStore } from './store-option';

const usage = `Usage: terminal-crm merge <intoCustomerId> <fromCustomerId> [--reason TEXT] [options]

Merges two customers who are one person, for example after Match Customer sent
a payment to "Needs Review": <fromCustomerId> is merged into <intoCustomerId>.
Its keys (emails, phones, card tokens, processor customer ids), cards and
transactions move over, empty details of <intoCustomerId> are filled in from it,
and both customers' totals are rebuilt. <fromCustomerId> stays behind as a
pointer to <intoCustomerId>, so an old export that names it still finds the
person.

The merge is recorded with its evidence (your --reason) and who made it, and can
be undone with \`terminal-crm unmerge <mergeId>\`.

  --reason TEXT  why they are one person; stored as the merge's evidence
  --by NAME      who decided (default: your login name)
${STORE_HELP}
  --json         print the merge record as JSON
  -h, --help     show this help

Example, after a review payment (match.candidateId cus_A, recorded as cus_B):
  terminal-crm merge cus_A cus_B --reason "same person, confirmed at the till"
`;

const ARGS = { into: '<intoCustomerId>', from: '<fromCustomerId>' };

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

export const mergeCommand: Command = {
  name: 'merge',
  summary: 'merge one customer into another (recorded with its evidence; undo with unmerge)',
  usage,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: { reason: { type: 'string' }, by: { type: 'string' }, store: { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
      allowPositionals: true,
    });
    const [into, from, ...rest] = positionals.map((p) => p.trim());
    if (!into || !from || rest.length) {
      throw new InputError(!into ? ARGS.into : !from ? ARGS.from : '<customerId>', rest.length ? `only two customers are read, got ${positionals.length}` : 'is missing', 'e.g. terminal-crm merge cus_A cus_B --reason "same person"');
    }
    const actor = actorOf(values.by);
    const reason = values.reason?.trim() || null;
    const { merge, moved } = await withStore(values.store, async (store) => {
      await requireCustomer(store, into, ARGS.into);
      const source = await requireCustomer(store, from, ARGS.from);
      const transactions = source.totals.reduce((n, t) => n + t.payments, 0);
      try {
        const record = await mergeCustomers(store.db, { into, from, evidence: { kind: 'operator', reason, command: 'terminal-crm merge' }, actor });
        return { merge: record, moved: { keys: source.keys.length, cards: source.cards.length, payments: transactions } };
      } catch (e) {
        throw asCliError(e, ARGS);
      }
    });
    if (values.json) {
      io.out(`${JSON.stringify({ ...merge, moved }, null, 2)}\n`);
    } else {
      io.out(
        `Merged ${from} into ${into} (merge ${merge.id}, by ${merge.actor}): ${count(moved.keys, 'key')}, ${count(moved.cards, 'card')} and ${count(moved.payments, 'payment')} moved.\n` +
          `Undo: terminal-crm unmerge ${merge.id}\n`,
      );
    }
    return 0;
  },
};
