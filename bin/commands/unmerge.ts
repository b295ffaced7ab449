import { parseArgs } from 'node:util';
import { InputError } from '../../nodes/core/errors';
import { undoMerge } from '../../nodes/core/identity/merge-customers';
import type { Command } from './command';
import { asCliError, exactlyOne } from './identity-store';
import { STORE_HELP, withStore } from './store-option';

const LIST_MERGES = "run `terminal-crm identity <customerId>` to list a customer's merges and use a mrg_… id from there, or name the right store with --store";

const usage = `Usage: terminal-crm unmerge <mergeId> [options]

Undoes a merge (mrg_…), whether Match Customer made it (Auto-Merge) or someone
ran \`terminal-crm merge\`. The customer that was merged away gets back the
keys, cards and transactions the merge moved, details filled in from it are
emptied again, and both customers' totals are rebuilt. Payments recorded for
the surviving customer after the merge stay with it; a refund or dispute
recorded since of a payment that goes back goes back with it.

\`terminal-crm identity <customerId>\` lists a customer's merges and their ids.

${STORE_HELP}
  --json         print the undone merge record as JSON
  -h, --help     show this help

Example:
  terminal-crm unmerge mrg_Zq3xY8d1Lw0aPbKc
`;

export const unmergeCommand: Command = {
  name: 'unmerge',
  summary: 'undo a merge of two customers, restoring both',
  usage,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: { store: { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
      allowPositionals: true,
    });
    const mergeId = exactlyOne(positionals, '<mergeId>', 'terminal-crm unmerge mrg_Zq3xY8d1Lw0aPbKc');
    const undone = await withStore(values.store, async (store) => {
      try {
        return await undoMerge(store.db, mergeId);
      } catch (e) {
        const unknown = e instanceof InputError && e.message.startsWith('mergeId: there is no merge');
        throw asCliError(e, { mergeId: '<mergeId>' }, unknown ? { mergeId: LIST_MERGES } : {});
      }
    });
    if (values.json) {
      // undoMerge's `actor` is whoever passed it, not who merged: leave it out rather than mislead.
      const { actor: _undoer, ...record } = undone;
      io.out(`${JSON.stringify(record, null, 2)}\n`);
    } else {
      io.out(`Undid merge ${undone.id}: ${undone.from} is its own customer again, with what the merge took from it; ${undone.into} keeps the rest.\n`);
    }
    return 0;
  },
};
