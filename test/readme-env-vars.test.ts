import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { COMPOSED_TABLES, DEV_ROOTS, NAME, TABLE_DEFINITION, TABLES, filesUnder, literalReads, shippedFiles, variablesThePackReads } from './support/env-inventory';
import { REPO } from './support/import-graph';

/**
 * Named in the README but read by no code of the pack, on purpose. Each must still be in the README, and none
 * may be read (then it is no exception).
 */
const NOT_READ_ON_PURPOSE: Record<string, string> = {
  N8N_CONCURRENCY_PRODUCTION_LIMIT: "n8n's own setting, advised in Scaling out",
  N8N_EXPRESSION_ENGINE: "n8n's own setting, advised in Scaling out",
  DB_TYPE: "n8n's own setting (the sandbox sets it for the n8n it starts; setting is not reading)",
  CRON_TZ: "a prefix inside a schedule's cron expression, which Temporal reads",
  SQUARE_GIFT_CARD: "Square's card brand code, not a variable",
};

/** The README's code: fenced blocks and inline code spans, where a variable is written as one. */
function readmeCode(readme: string): string[] {
  const out: string[] = [];
  const prose = readme.replace(/^ {0,3}(`{3,}|~{3,})[^\n]*\n([\s\S]*?)^ {0,3}\1[^\n]*$/gm, (_, _fence: string, body: string) => {
    out.push(body);
    return '';
  });
  for (const m of prose.matchAll(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g)) out.push(m[2]!);
  return out;
}

const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
const code = readmeCode(readme);
const inReadmeCode = (name: string): boolean => code.some((c) => new RegExp(`(?<![A-Z0-9_])${name}(?![A-Z0-9_])`).test(c));

describe('the environment variables the README documents', () => {
  const read = variablesThePackReads();
  const devRead = literalReads(DEV_ROOTS.flatMap((root) => filesUnder(join(REPO, root), /\.(ts|mjs|js)$/)));

  it('are found by every way the code reads them', () => {
    // One of each way, so a pattern that stopped matching is noticed rather than passing on an empty inventory.
    const expected: Record<string, string> = {
      ADYEN_TERMINAL_LIVE: "the adyen-terminal source's env map",
      TERMINAL_CRM_WEBHOOK_SECRET: "the generic source's env map",
      ZOHO_DAILY_CREDITS: 'ZOHO_ENV',
      TERMINAL_CRM_SIMULATOR_INTERVAL_MS: 'SANDBOX_ENV',
      TERMINAL_CRM_DEBUG: 'bin/cli.ts',
      TERMINAL_CRM_CACHE: 'sandbox/install/cache-dir.ts',
      TERMINAL_CRM_SEGMENT_SCHEDULE: 'temporal/segment-schedule.ts',
    };
    assert.deepEqual(Object.fromEntries(Object.keys(expected).map((v) => [v, read.get(v)])), expected);
    assert.equal(devRead.get('TERMINAL_CRM_TEST_LANES'), 'scripts/run-tests.mjs');
  });

  it('include every variable the pack reads', () => {
    const missing = [...read].filter(([v]) => !inReadmeCode(v)).map(([v, where]) => `${v} (read through ${where})`);
    assert.deepEqual(missing, [], `read by the pack but named nowhere in README.md's code:\n${missing.join('\n')}`);
  });

  it('are each read by the pack, or a development tool, or are listed as not read on purpose', () => {
    const families = new Set([...read.keys()].map((v) => v.split('_')[0]!));
    // A variable is written as one: of a family the pack reads (HUBSPOT_…), set (`DB_TYPE=…`) or expanded (`$X`).
    const named = new Set<string>();
    for (const c of code) {
      for (const m of c.matchAll(new RegExp(`(\\$)?(?<![A-Za-z0-9_])(${NAME})(?![A-Za-z0-9_])(=)?`, 'g'))) {
        if (m[1] || m[3] || families.has(m[2]!.split('_')[0]!)) named.add(m[2]!);
      }
    }
    const unread = [...named].filter((v) => !read.has(v) && !devRead.has(v) && !(v in NOT_READ_ON_PURPOSE)).sort();
    assert.deepEqual(unread, [], `named in README.md as variables but read by nothing:\n${unread.join('\n')}`);
    const stale = Object.keys(NOT_READ_ON_PURPOSE).filter((v) => read.has(v) || !inReadmeCode(v));
    assert.deepEqual(stale, [], 'an exception the pack now reads, or the README no longer names, is no exception');
  });

  it('are all read through tables this test knows', () => {
    const unknown: string[] = [];
    for (const file of shippedFiles) {
      for (const m of readFileSync(file, 'utf8').matchAll(TABLE_DEFINITION)) {
        if (!(m[1]! in TABLES) && !COMPOSED_TABLES.has(m[1]!)) unknown.push(`${m[1]} in ${relative(REPO, file)}`);
      }
    }
    assert.deepEqual(unknown, [], 'import these tables into TABLES above, so their variables are checked');
    // A variable named in a literal the patterns above do not see (an unusual read) must still be in the inventory.
    const pack = new RegExp(`['"\`]((?:TERMINAL_CRM|TEMPORAL)_[A-Z0-9_]+)['"\`]`, 'g');
    const unseen = new Set<string>();
    for (const file of shippedFiles) for (const m of readFileSync(file, 'utf8').matchAll(pack)) if (!read.has(m[1]!)) unseen.add(`${m[1]} in ${relative(REPO, file)}`);
    assert.deepEqual([...unseen], [], 'the pack names these variables in a way this test does not read: teach READS the way');
  });
});
