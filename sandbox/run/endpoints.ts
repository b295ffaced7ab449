import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SANDBOX_SOURCES, type SandboxSource } from '../simulator/sandbox-sources';

/** The file in the state folder that lists every webhook URL, for scripts and operators. */
export const ENDPOINTS_FILE = 'endpoints.json';

/** The engines as endpoints.json names them. */
export const ENDPOINT_ENGINES = ['n8n', 'node-red', 'temporal'] as const;
export type EndpointEngine = (typeof ENDPOINT_ENGINES)[number];

/** Per engine, per source, the URL a processor (or the simulator) POSTs to. */
export type Endpoints = Record<EndpointEngine, Record<SandboxSource, string>>;

/** Temporal's webhook entry serves every source at /webhooks/<source>. */
export function temporalEndpoints(entryBaseUrl: string): Record<SandboxSource, string> {
  return Object.fromEntries(SANDBOX_SOURCES.map((s) => [s, `${entryBaseUrl.replace(/\/+$/, '')}/webhooks/${s}`])) as Record<SandboxSource, string>;
}

/** Checks that every engine has a URL for every source: a missing one is a sandbox bug, not something to write. */
export function completeEndpoints(partial: Record<EndpointEngine, Partial<Record<SandboxSource, string>>>): Endpoints {
  for (const engine of ENDPOINT_ENGINES) {
    const missing = SANDBOX_SOURCES.filter((s) => !partial[engine][s]);
    if (missing.length) throw new Error(`${engine} has no webhook URL for ${missing.join(', ')}`);
  }
  return partial as Endpoints;
}

/** Writes <dir>/endpoints.json ({"n8n": {"<source>": "<url>"}, "node-red": {…}, "temporal": {…}}), replacing it whole. */
export function writeEndpoints(dir: string, endpoints: Endpoints): string {
  const file = join(dir, ENDPOINTS_FILE);
  const ordered = Object.fromEntries(ENDPOINT_ENGINES.map((e) => [e, Object.fromEntries(SANDBOX_SOURCES.map((s) => [s, endpoints[e][s]]))]));
  writeFileSync(`${file}.tmp`, `${JSON.stringify(ordered, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  return file;
}

export function readEndpoints(dir: string): Endpoints {
  return JSON.parse(readFileSync(join(dir, ENDPOINTS_FILE), 'utf8')) as Endpoints;
}
