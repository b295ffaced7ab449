import { InputError } from '../../errors';

/** The problem an InputError states, without its field prefix and its fix. */
export function problemOf(e: InputError): string {
  return e.message.slice(e.field.length + 2).replace(/\. Fix: [\s\S]*$/, '');
}

/**
 * A CRM's settings name what is wrong by setting (`zoho.clientId`); an operator configuring from the environment
 * sets a variable, so the error must name that (ZOHO_CLIENT_ID) and say "is not set" when it is missing.
 * `variableOf` maps the setting's path without the CRM prefix (`clientId`, `auth.clientId`) to its variable.
 */
export function settingErrorByVariable(
  crm: string,
  e: unknown,
  env: NodeJS.ProcessEnv,
  variableOf: (path: string) => string | undefined,
): unknown {
  if (!(e instanceof InputError) || !e.field.startsWith(`${crm}.`)) return e;
  const variable = variableOf(e.field.slice(crm.length + 1));
  if (!variable) return e;
  return new InputError(variable, env[variable]?.trim() ? problemOf(e) : 'is not set', e.fix);
}

/** `variableOf` for settings whose top-level name is a key of the CRM's *_ENV table (`oauth.clientId` → clientId). */
export function variableByTopOrLeaf(table: Readonly<Record<string, string>>): (path: string) => string | undefined {
  return (path) => {
    const parts = path.split('.');
    return table[parts[0]!] ?? table[parts[parts.length - 1]!];
  };
}
