import type { ICredentialType } from 'n8n-workflow';

const byType = new Map<string, Record<string, string>>();

/**
 * Each field of a credential by the label n8n's dialog shows it under ("timeZone" → "Time Zone"), read from the
 * credential's own definition, not retyped, so the core's messages name fields as the operator sees them. Notices and
 * hidden fields are nothing an operator fills in.
 */
export function credentialFieldLabels(credential: ICredentialType): Record<string, string> {
  let labels = byType.get(credential.name);
  if (!labels) {
    labels = Object.fromEntries(credential.properties.filter((p) => p.type !== 'notice' && p.type !== 'hidden').map((p) => [p.name, p.displayName]));
    byType.set(credential.name, labels);
  }
  return labels;
}
