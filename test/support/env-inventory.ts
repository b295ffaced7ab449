/** The environment variables the shipped pack reads, found in its code: the README test and the error sweeps share this inventory. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ENV } from '../../nodes/core/config/settings';
import { CRM_CREDENTIAL_ENV } from '../../nodes/core/crm/saas/crm-factory';
import { DYNAMICS_ENV } from '../../nodes/core/crm/saas/dynamics';
import { HUBSPOT_ENV } from '../../nodes/core/crm/saas/hubspot';
import { PIPEDRIVE_ENV } from '../../nodes/core/crm/saas/pipedrive';
import { SALESFORCE_ENV } from '../../nodes/core/crm/saas/salesforce';
import { ZOHO_ENV } from '../../nodes/core/crm/saas/zoho';
import { availableSources, createSource } from '../../nodes/core/sources/registry';
import { SQUARE_ENV } from '../../nodes/core/sources/square-credentials';
import { PUSH_ENV } from '../../nodes/core/terminal-push/push-settings';
import { SANDBOX_ENV } from '../../sandbox/run/sandbox-config';
import { GENERIC_SANDBOX_CONFIG } from '../../sandbox/simulator/generic-events';
import { TEMPORAL_ENV } from '../../temporal/connection-config';
import { REPO, sourceFiles } from './import-graph';

/** What an n8n, Node-RED or worker host runs, and what `npm start` and the CLI run (tests and benches are not shipped). */
export const ROOTS = ['nodes', 'credentials', 'temporal', 'workflows', 'bin', 'sandbox'];
/**
 * Development tools: what they read may be documented (README's *Development*) without the pack reading it, and
 * need not be (TERMINAL_CRM_TEST_ROOT is the test runner's own plumbing). test/, bench/ and .ci/ are left out.
 */
export const DEV_ROOTS = ['scripts'];

/**
 * The tables of variable names the code reads through, imported so the names are the code's own. A table a file
 * adds (`const …ENV… = {`) must be added here: the last test says so.
 */
export const TABLES: Record<string, unknown> = { ENV, TEMPORAL_ENV, SANDBOX_ENV, PUSH_ENV, SQUARE_ENV, HUBSPOT_ENV, SALESFORCE_ENV, DYNAMICS_ENV, PIPEDRIVE_ENV, ZOHO_ENV, CRM_CREDENTIAL_ENV };
/** Tables composed of the ones above: sandbox/run/crm/sandbox-crm.ts maps each CRM to its adapter's *_ENV table. */
export const COMPOSED_TABLES = new Set(['CRM_ENV']);

export const NAME = '[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+';
/** How the code reads a variable by its literal name, besides the tables. */
const READS = [
  new RegExp(`\\bprocess\\.env\\.(${NAME})\\b`, 'g'), // process.env.TERMINAL_CRM_DEBUG
  new RegExp(`\\benv\\??\\.(${NAME})\\b`, 'g'), // env.TERMINAL_CRM_CACHE, settings.env?.TERMINAL_CRM_CRM
  new RegExp(`\\benv\\s*\\[\\s*['"\`](${NAME})['"\`]\\s*\\]`, 'g'), // process.env['X'], env["X"]
  new RegExp(`\\b\\w*_ENV\\s*(?::\\s*\\w+\\s*)?=\\s*['"\`](${NAME})['"\`]`, 'g'), // const REDRIVE_AFTER_ENV = 'TERMINAL_CRM_REDRIVE_AFTER'
];
export const TABLE_DEFINITION = /\bconst\s+(\w*ENV\w*)\s*(?::[^=]+)?=\s*\{/g;

export function filesUnder(dir: string, ext: RegExp): string[] {
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
export function literalReads(files: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const re of READS) for (const m of text.matchAll(re)) if (!out.has(m[1]!)) out.set(m[1]!, relative(REPO, file));
  }
  return out;
}

export const shippedFiles = ROOTS.flatMap((root) => sourceFiles(join(REPO, root)));

/** Every variable the shipped code reads: the sources' env maps (through the registry), the tables, the literal reads. */
export function variablesThePackReads(): Map<string, string> {
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
