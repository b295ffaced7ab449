import { createGenericSource } from './generic';
import { GENERIC_CONFIG_ENV } from './generic-config-load';
import { availableSources, createSource } from './registry';
import type { Source } from './source';
import { checkSetSourceVariables, sourceCredentialsFromEnv } from './source-credentials';

/**
 * Every source with the credential record its environment variables make (sandbox, Temporal worker). A generic
 * source is configured from TERMINAL_CRM_GENERIC_CONFIG and served under its configured name.
 */
export function configuredSourcesFromEnv(env: NodeJS.ProcessEnv): Record<string, { source: Source<unknown>; credentials: Record<string, unknown> }> {
  const out: Record<string, { source: Source<unknown>; credentials: Record<string, unknown> }> = {};
  for (const name of availableSources()) {
    let source: Source<unknown>;
    if (name === 'generic') {
      // A generic gateway exists only once it is described: there is no sensible default mapping.
      if (!env[GENERIC_CONFIG_ENV]?.trim()) continue;
      source = createGenericSource(undefined, env);
    } else {
      source = createSource(name);
    }
    out[source.name] = { source, credentials: sourceCredentialsFromEnv(source, env) };
  }
  return out;
}

/**
 * The variables set for every source the worker serves (each built-in one, and the generic gateway once
 * TERMINAL_CRM_GENERIC_CONFIG describes it), checked at start by each source's own schema (checkSetSourceVariables):
 * a malformed base URL or key is named before any delivery, instead of answering every one of them 500.
 */
export function checkSourceVariablesFromEnv(env: NodeJS.ProcessEnv): void {
  for (const { source } of Object.values(configuredSourcesFromEnv(env))) checkSetSourceVariables(source, env);
}
