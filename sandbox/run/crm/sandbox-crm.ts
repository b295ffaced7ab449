import { existsSync, readFileSync } from 'node:fs';
import { CRM_NAMES, isSaasCrmName, type SaasCrmName } from '../../../nodes/core/crm/crm-names';
import { CRM_CREDENTIAL_ENV, crmAdapterFromEnv } from '../../../nodes/core/crm/saas/crm-factory';
import { CRM_RECORD_FIELDS, type CrmRecord } from '../../../nodes/core/crm/saas/crm-record-settings';
import { DYNAMICS_ENV } from '../../../nodes/core/crm/saas/dynamics';
import { HUBSPOT_ENV } from '../../../nodes/core/crm/saas/hubspot';
import { PIPEDRIVE_ENV } from '../../../nodes/core/crm/saas/pipedrive';
import { SALESFORCE_ENV } from '../../../nodes/core/crm/saas/salesforce';
import { ZOHO_ENV } from '../../../nodes/core/crm/saas/zoho';
import { InputError } from '../../../nodes/core/errors';

/** The CRM the sandbox's flows and worker write to; the same variable the worker's activities read. */
export const SANDBOX_CRM_ENV = 'TERMINAL_CRM_CRM';
/** The worker's CRM sync schedule (temporal/crm-sync-schedule.ts). */
const SYNC_CRMS_ENV = 'TERMINAL_CRM_SYNC_CRMS';

/** Each CRM's settings by environment variable, as its adapter's *_ENV table names them (the worker's and the CLI's). */
const CRM_ENV: Record<SaasCrmName, Readonly<Record<string, string>>> = {
  hubspot: HUBSPOT_ENV,
  salesforce: SALESFORCE_ENV,
  dynamics: DYNAMICS_ENV,
  pipedrive: PIPEDRIVE_ENV,
  zoho: ZOHO_ENV,
};
/** Account fields whose variable carries another setting name. */
const RECORD_FIELD_SETTING: Record<string, string> = { orgUrl: 'url' };

export type SandboxCrm =
  | { name: 'local' }
  | {
      name: SaasCrmName;
      /** The CRM account as n8n's credential and Node-RED's crm-account node hold it (crm-record-settings.ts). */
      record: CrmRecord;
      /** The variable each field of `record` came from (Node-RED reads plain fields as `${VAR}`). */
      variables: Record<string, string>;
      /** The variables that were set, for the worker and the ready block. */
      env: Record<string, string>;
    };

/**
 * TERMINAL_CRM_CRM (default `local`): a SaaS CRM is checked here, the way the worker and `terminal-crm sync`
 * build its adapter from the environment (no request is made), so a missing variable stops the sandbox before
 * anything starts, with the variable's name.
 */
export function sandboxCrmFromEnv(env: NodeJS.ProcessEnv): SandboxCrm {
  const name = (env[SANDBOX_CRM_ENV] ?? '').trim().toLowerCase() || 'local';
  if (!(CRM_NAMES as readonly string[]).includes(name)) {
    throw new InputError(SANDBOX_CRM_ENV, `"${name}" is not a CRM the pack knows`, `choose one of: ${CRM_NAMES.join(', ')}`);
  }
  if (!isSaasCrmName(name)) return { name: 'local' };
  crmAdapterFromEnv(name, env);
  const set = Object.values(CRM_ENV[name]).filter((v) => env[v]?.trim());
  return { name, ...crmRecordFromEnv(name, env), env: Object.fromEntries(set.map((v) => [v, env[v]!.trim()])) };
}

/** The account fields an engine's CRM account has, from the variables of the same setting. */
export function crmRecordFromEnv(crm: SaasCrmName, env: NodeJS.ProcessEnv): { record: CrmRecord; variables: Record<string, string> } {
  const record: CrmRecord = {};
  const variables: Record<string, string> = {};
  for (const field of CRM_RECORD_FIELDS[crm]) {
    const variable = CRM_ENV[crm][RECORD_FIELD_SETTING[field] ?? field];
    const value = variable ? env[variable]?.trim() : undefined;
    if (!value) continue;
    record[field] = field === 'privateKey' ? pemOrFile(value) : value;
    variables[field] = variable!;
  }
  return { record, variables };
}

/** SALESFORCE_PRIVATE_KEY may be the PEM or the path of a PEM file; an account field holds the PEM. */
function pemOrFile(value: string): string {
  return !value.includes('-----BEGIN') && existsSync(value) ? readFileSync(value, 'utf8') : value;
}

/** What the worker needs besides the inherited CRM variables: the CRM its activities write to and syncs. */
export function crmWorkerEnv(crm: SandboxCrm): Record<string, string> {
  return crm.name === 'local'
    ? { [SANDBOX_CRM_ENV]: 'local', [SYNC_CRMS_ENV]: '' }
    : { ...crm.env, [SANDBOX_CRM_ENV]: crm.name, [SYNC_CRMS_ENV]: crm.name };
}

/** One line for the ready block. */
export function crmLine(crm: SandboxCrm): string {
  if (crm.name === 'local') return `local (the store only; ${SANDBOX_CRM_ENV}=${CRM_NAMES.filter((n) => n !== 'local').join('|')} sends payments on to a SaaS CRM)`;
  const base = crm.record.baseUrl ?? crm.record.orgUrl;
  return `${crm.name}${base ? ` at ${String(base)}` : ''} through the store's outbox (credentials from ${Object.keys(crm.env).filter((v) => CRM_CREDENTIAL_ENV[crm.name].includes(v)).join(', ')}); the worker's CRM sync schedule sends what stays queued`;
}
