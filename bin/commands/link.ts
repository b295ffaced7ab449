import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseRegion } from '../../nodes/core/config/settings';
import { InputError } from '../../nodes/core/errors';
import { linkRecords, type LinkOptions } from '../../nodes/core/match/link-records';
import { readLocalCustomerChanges } from '../../nodes/core/match/local-store-changes';
import type { MatchRecord } from '../../nodes/core/contracts/match-record';
import { parseColumnMapping, readRecordFile, RECORD_FIELDS, type ColumnMapping } from '../../nodes/core/match/record-file';
import { saveMatchWeights } from '../../nodes/core/match/stored-weights';
import type { SqlDatabase } from '../../nodes/core/store/sql-database';
import type { CliIo, Command } from './command';
import { withStore } from './store-option';

const usage = `Usage: terminal-crm link <file> [--against <file>|store] [options]
       terminal-crm link [<file>] --against store --learn [--store URL]

Finds customers that are one person: within one file (deduplicate), or between a
file and a second file or the pack's store. Prints one JSON line per pair found:
  {"left":…,"right":…,"confidence":0.97,"decision":"link","matchedOn":[…],
   "explanation":"…","evidence":[{"field":…,"outcome":…,"level":…,"weight":…}]}
decision is "link" above the link threshold, "review" between the thresholds.
Within one file, linked records form clusters (one person each): --clusters
writes a cluster id for every record.

Weights (Fellegi–Sunter m/u) are learnt from the files themselves: u from random
pairs, m by EM over several blocking passes, the share of matches from exact
rules. The diagnostic on stderr shows them, with the candidate pairs and the
estimated recall of each blocking rule; weights whose estimation collapsed are
refused, with the reason.

Input: CSV with a header row, or JSONL (one object per line).
  --against FILE|store   link <file> against this file, or against the store's customers
  --id COLUMN            column holding the record id (default: the row number)
  --against-id COLUMN    the id column of the second file, if it is not --id's
  --columns MAP          field=column pairs, e.g. givenName=first_name,postalCode=zip
  --mapping FILE         the same as a JSON object: {"givenName":"first_name",…}
                         Unmapped fields are found under their usual column names.
                         Fields: ${RECORD_FIELDS.join(', ')}
  --format csv|jsonl     default: from the file name (.jsonl/.ndjson is JSONL)
  --store URL            the store for --against store (default $TERMINAL_CRM_STORE_URL,
                         else ~/.terminal-crm/store.db)
  --clusters FILE        one file: write record id and cluster id (CSV) per record
  --one-to-one           two files that each hold a person once: link each record
                         to at most one of the other file, best first
  --learn                with --against store: keep the learnt weights in the store,
                         where Match Customer scores payments with them (without a
                         file, they are learnt from the store's customers alone)

Matching:
  --region CC            region of phone numbers without country code (default US)
  --link-threshold P     link at or above this confidence (default 0.9)
  --review-threshold P   report pairs at or above this confidence (default 0.5)
  --no-learn             use the built-in weights instead of learning them
  -h, --help             show this help

Example:
  terminal-crm link crm-export.csv --against old-pos.csv --id id \\
    --columns givenName=first_name,familyName=last_name,postalCode=zip,dateOfBirth=dob
`;

function formatOf(file: string, format: string | undefined): 'csv' | 'jsonl' {
  if (format !== undefined) {
    if (format !== 'csv' && format !== 'jsonl') throw new InputError('--format', `"${format}" is not a format`, 'use csv or jsonl');
    return format;
  }
  return /\.(jsonl|ndjson)$/i.test(file) ? 'jsonl' : 'csv';
}

function probabilityFlag(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new InputError(flag, `"${v}" is not a number between 0 and 1`, 'write a decimal such as 0.9');
  return n;
}

function readFile(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(flag, `cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'check the path');
  }
}

async function storeRecords(db: SqlDatabase): Promise<MatchRecord[]> {
  const out: MatchRecord[] = [];
  let cursor: string | null = null;
  for (;;) {
    const page = await readLocalCustomerChanges(db, cursor, 5000);
    out.push(...page.records.filter((r) => !r.mergedInto));
    cursor = page.next;
    if (!page.more) break;
  }
  return out;
}

/** A bar on stderr, redrawn in place; only where a person is watching (a TTY), never into a log file. */
function progressBar(io: CliIo, label: string): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let last = -1;
  return (done, total) => {
    const pct = Math.floor((done / total) * 100);
    if (pct === last && done !== total) return;
    last = pct;
    const width = 30;
    const filled = Math.round((done / total) * width);
    io.err(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${done}/${total}${done === total ? '\n' : ''}`);
  };
}

const csvCell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

function writeOut(file: string, text: string, flag: string): void {
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new InputError(flag, `cannot write ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'check the path');
  }
}

/** `link --against store --learn` without a file: the store's customers against themselves. */
async function learnFromStore(store: string | undefined, region: string | undefined, io: CliIo): Promise<number> {
  const lines: string[] = [];
  await withStore(store, async ({ db, where }) => {
    const records = await storeRecords(db);
    io.err(`terminal-crm link: learning weights from ${records.length} customers in ${where}\n`);
    const summary = linkRecords(records, undefined, { defaultRegion: parseRegion(region, '--region'), learnOnly: true }, {
      onPair: () => undefined,
      onDiagnostic: (line) => {
        lines.push(line);
        io.err(`terminal-crm link: ${line}\n`);
      },
    });
    const saved = await saveMatchWeights(db, summary.learnt!.weights, lines.join('\n'));
    io.err(`terminal-crm link: weights kept in the store (learnt at ${saved.learntAt}); Match Customer uses them from now on\n`);
  });
  return 0;
}

export const linkCommand: Command = {
  name: 'link',
  summary: 'find customers that are one person, within a file or against another file or the store',
  usage,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: {
        against: { type: 'string' }, id: { type: 'string' }, 'against-id': { type: 'string' }, columns: { type: 'string' }, mapping: { type: 'string' },
        format: { type: 'string' }, store: { type: 'string' }, region: { type: 'string' },
        'link-threshold': { type: 'string' }, 'review-threshold': { type: 'string' }, 'no-learn': { type: 'boolean' },
        clusters: { type: 'string' }, 'one-to-one': { type: 'boolean' }, learn: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: true,
    });
    if (values.learn && values.against !== 'store') throw new InputError('--learn', 'keeps weights in the store, so it needs --against store', 'add --against store (and --store URL)');
    if (values.learn && values['no-learn']) throw new InputError('--learn', 'cannot go with --no-learn', 'leave one of them out');
    if (values.learn && positionals.length === 0) return learnFromStore(values.store, values.region, io);
    if (positionals.length !== 1) {
      throw new InputError('<file>', positionals.length ? 'only one input file is read (the second goes after --against)' : 'no customer file given', 'e.g. terminal-crm link customers.csv');
    }
    const file = positionals[0]!;
    let columns: ColumnMapping = {};
    if (values.mapping) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFile(values.mapping, '--mapping'));
      } catch (e) {
        if (e instanceof InputError) throw e;
        throw new InputError('--mapping', `${values.mapping} is not JSON`, 'write it as {"givenName": "first_name", "postalCode": "zip"}');
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InputError('--mapping', 'is not a JSON object', 'write it as {"givenName": "first_name"}');
      columns = parseColumnMapping(parsed as Record<string, unknown>, '--mapping');
    }
    if (values.columns) columns = { ...columns, ...parseColumnMapping(values.columns) };
    // The column map serves both files: a column only one of them has is used where it is.
    const second = values.against !== undefined && values.against !== 'store';
    const left = readRecordFile(readFile(file, '<file>'), formatOf(file, values.format), { idColumn: values.id, columns, where: file, lenient: second });
    // Without one field to compare, every pair would score the prior alone: a file of unmapped headers is a mistake.
    if (Object.keys(left.columns).length === 0) {
      throw new InputError('--columns', `none of the columns of ${file} (${left.headers.join(', ') || 'none'}) is a field link compares`, `map them, e.g. --columns givenName=first_name,email=mail (fields: ${RECORD_FIELDS.join(', ')})`);
    }
    let right: MatchRecord[] | undefined;
    if (values.against === 'store') {
      right = await withStore(values.store, ({ db }) => storeRecords(db));
    } else if (values.against !== undefined) {
      const other = readRecordFile(readFile(values.against, '--against'), formatOf(values.against, values.format), {
        idColumn: values['against-id'] ?? values.id, idFlag: values['against-id'] ? '--against-id' : '--id', columns, where: values.against, lenient: true,
      });
      for (const [f, col] of Object.entries(columns)) {
        if (!left.headers.includes(col) && !other.headers.includes(col)) {
          throw new InputError('--columns', `neither file has a column "${col}" (for ${f})`, `use one of: ${[...new Set([...left.headers, ...other.headers])].join(', ')}`);
        }
      }
      right = other.records;
    }
    const options: LinkOptions = {
      defaultRegion: parseRegion(values.region, '--region'),
      linkThreshold: probabilityFlag('--link-threshold', values['link-threshold']),
      reviewThreshold: probabilityFlag('--review-threshold', values['review-threshold']),
      learn: values['no-learn'] !== true,
      oneToOne: values['one-to-one'] === true,
    };
    if (values.clusters !== undefined && right) throw new InputError('--clusters', 'clusters are of one file', 'leave --against out to deduplicate one file, or --clusters out');
    const mapped = Object.entries(left.columns).map(([f, c]) => `${f}=${c}`).join(', ');
    io.err(`terminal-crm link: ${left.records.length} records from ${file}${right ? ` against ${right.length} from ${values.against}` : ''}; columns ${mapped || '(none recognised)'}\n`);
    let chunk = '';
    const clusterRows: string[] = [];
    const diagnostic: string[] = [];
    const summary = linkRecords(left.records, right, options, {
      onPair: (p) => {
        chunk += `${JSON.stringify(p)}\n`;
        if (chunk.length > 64_000) {
          io.out(chunk);
          chunk = '';
        }
      },
      onProgress: progressBar(io, 'linking'),
      onCluster: values.clusters !== undefined ? (id, c) => void clusterRows.push(`${csvCell(id)},${csvCell(c)}`) : undefined,
      onDiagnostic: (line) => {
        diagnostic.push(line);
        io.err(`terminal-crm link: ${line}\n`);
      },
    });
    if (chunk) io.out(chunk);
    if (values.clusters !== undefined) writeOut(values.clusters, `id,cluster\n${clusterRows.join('\n')}\n`, '--clusters');
    io.err(
      `terminal-crm link: ${summary.pairs} pairs (${summary.links} link, ${summary.reviews} review)` +
        (summary.learnedMatchShare !== undefined ? `; weights learnt (u from random pairs, m by EM over ${summary.learnt!.passes.length} blocking passes), match proportion ${summary.learnedMatchShare.toExponential(2)}` : summary.notLearnt ? '; built-in weights' : '') +
        (summary.clusters !== undefined ? `; ${summary.clusters} clusters of two or more records${values.clusters !== undefined ? ` (cluster per record in ${values.clusters})` : ''}` : '') +
        '\n',
    );
    if (values.learn && summary.learnt) {
      const learnt = summary.learnt;
      const saved = await withStore(values.store, ({ db }) => saveMatchWeights(db, learnt.weights, diagnostic.join('\n')));
      io.err(`terminal-crm link: weights kept in the store (learnt at ${saved.learntAt}); Match Customer uses them from now on\n`);
    } else if (values.learn) {
      throw new InputError('--learn', `nothing was learnt: ${summary.notLearnt ?? 'learning is off'}`, 'give more records, or map more of their columns');
    }
    return 0;
  },
};
