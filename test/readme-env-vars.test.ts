import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { ENV } from '../nodes/core/config/settings';
import { CRM_CREDENTIAL_ENV } from '../nodes/core/crm/saas/crm-factory';
import { DYNAMICS_ENV } from '../nodes/core/crm/saas/dynamics';
import { HUBSPOT_ENV } from '../nodes/core/crm/saas/hubspot';
import { PIPEDRIVE_ENV } from '../nodes/core/crm/saas/pipedrive';
import { SALESFORCE_ENV } from '../nodes/core/crm/saas/salesforce';
import { ZOHO_ENV } from '../nodes/core/crm/saas/zoho';
import { availableSources, createSource } from '../nodes/core/sources/registry';
import { SQUARE_ENV } from '../nodes/core/sources/square-credentials';
import { PUSH_ENV } from '../nodes/core/terminal-push/push-settings';
import { SANDBOX_ENV } from '../sandbox/run/sandbox-config';
import { GENERIC_SANDBOX_CONFIG } from '../sandbox/simulator/generic-events';
import { TEMPORAL_ENV } from '../temporal/connection-config';
import { REPO, sourceFiles } from './support/import-graph';

/** What an n8n, Node-RED or worker host runs, and what `npm start` and the CLI run (tests and benches are not shipped). */
const ROOTS = ['nodes', 'credentials', 'temporal', 'workflows', 'bin', 'sandbox'];
/**
 * Development tools: what they read may be documented (README's *Development*) without the pack reading it, and
 * need not be (TERMINAL_CRM_TEST_ROOT is the test runner's own plumbing). test/, bench/ and .ci/ are left out.
 */
const DEV_ROOTS = ['scripts'];

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

/**
 * The tables of variable names the code reads through, imported so the names are the code's own. A table a file
 * adds (`const …ENV… = {`) must be added here: the last test says so.
 */
const TABLES: Record<string, unknown> = { ENV, TEMPORAL_ENV, SANDBOX_ENV, PUSH_ENV, SQUARE_ENV, HUBSPOT_ENV, SALESFORCE_ENV, DYNAMICS_ENV, PIPEDRIVE_ENV, ZOHO_ENV, CRM_CREDENTIAL_ENV };
/** Tables composed of the ones above: sandbox/run/crm/sandbox-crm.ts maps each CRM to its adapter's *_ENV table. */
const COMPOSED_TABLES = new Set(['CRM_ENV']);

const NAME = '[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+';
/** How the code reads a variable by its literal name, besides the tables. */
const READS = [
  new RegExp(`\\bprocess\\.env\\.(${NAME})\\b`, 'g'), // process.env.TERMINAL_CRM_DEBUG
  new RegExp(`\\benv\\??\\.(${NAME})\\b`, 'g'), // env.TERMINAL_CRM_CACHE, settings.env?.TERMINAL_CRM_CRM
  new RegExp(`\\benv\\s*\\[\\s*['"\`](${NAME})['"\`]\\s*\\]`, 'g'), // process.env['X'], env["X"]
  new RegExp(`\\b\\w*_ENV\\s*(?::\\s*\\w+\\s*)?=\\s*['"\`](${NAME})['"\`]`, 'g'), // const REDRIVE_AFTER_ENV = 'TERMINAL_CRM_REDRIVE_AFTER'
];
const TABLE_DEFINITION = /\bconst\s+(\w*ENV\w*)\s*(?::[^=]+)?=\s*\{/g;

function filesUnder(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path, ext) : ext.test(name) ? [path] : [];
  });
}

function valuesOf(table: unknown): string[] {
  if (typeof table === 'string') return [table];
  if (Array.isArray(table)) return table.flatMap(valuesOf);
  if (table && typeof table === 'object') return Object.values(table).flatMap(valuesOf);
  return [];
}

/** Every variable `files` read by a literal name, with the first file that reads it. */
function literalReads(files: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const re of READS) for (const m of text.matchAll(re)) if (!out.has(m[1]!)) out.set(m[1]!, relative(REPO, file));
  }
  return out;
}

const shippedFiles = ROOTS.flatMap((root) => sourceFiles(join(REPO, root)));

/** Every variable the shipped code reads: the sources' env maps (through the registry), the tables, the literal reads. */
function variablesThePackReads(): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of availableSources()) {
    // The generic source's secret variable is its configuration's `secretEnv`; the default is what an operator sets.
    const source = createSource(name, name === 'generic' ? GENERIC_SANDBOX_CONFIG : undefined);
    for (const variable of Object.values(source.env)) out.set(variable, `the ${name} source's env map`);
  }
  for (const [table, values] of Object.entries(TABLES)) for (const v of valuesOf(values)) if (!out.has(v)) out.set(v, table);
  for (const [v, file] of literalReads(shippedFiles)) if (!out.has(v)) out.set(v, file);
  return out;
}

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
