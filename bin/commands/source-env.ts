import type { EditorPlace } from '../../nodes/core/errors';
import { historyCredentials, type HistoryLister } from '../../nodes/core/sources/history';
import { environmentPlace as sourceEnvironmentPlace, sourceCredentialsFromEnv } from '../../nodes/core/sources/source-credentials';

/** The command line reads a source's credentials from its environment variables: messages name those. */
export function environmentPlace(lister: HistoryLister): EditorPlace {
  return sourceEnvironmentPlace(lister.credentialsOf, (variables) => `set ${variables} in the environment terminal-crm runs in`);
}

/**
 * The source's credential record from the environment, checked before the store is opened (backfill may create
 * one): a variable missing or wrong is named, rather than the credential field the n8n and Node-RED editors show.
 */
export function historyCredentialsFromEnv(lister: HistoryLister, env: NodeJS.ProcessEnv): Record<string, string> {
  const raw = sourceCredentialsFromEnv(lister.credentialsOf, env);
  historyCredentials(lister, raw, environmentPlace(lister));
  return raw;
}
