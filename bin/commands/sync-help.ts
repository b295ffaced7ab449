import type { SaasCrmName } from '../../nodes/core/crm/crm-names';
import { DYNAMICS_ENV } from '../../nodes/core/crm/saas/dynamics';
import { HUBSPOT_ENV as H } from '../../nodes/core/crm/saas/hubspot';
import { PIPEDRIVE_ENV as P } from '../../nodes/core/crm/saas/pipedrive';
import { SALESFORCE_ENV as S } from '../../nodes/core/crm/saas/salesforce';
import { ZOHO_ENV as Z } from '../../nodes/core/crm/saas/zoho';

const D = DYNAMICS_ENV;

/** Each CRM's settings reader's table: the help lists every name in it, so it cannot fall behind the reader. */
const TABLES: Record<SaasCrmName, Readonly<Record<string, string>>> = { hubspot: H, salesforce: S, dynamics: D, pipedrive: P, zoho: Z };

/** What a CRM needs set, in words; the table's other variables follow as optional. */
const REQUIRED: Record<SaasCrmName, string> = {
  hubspot: `${H.accessToken} (private app), or ${H.clientId}, ${H.clientSecret} and ${H.refreshToken} (OAuth)`,
  salesforce: `${S.clientId} with ${S.clientSecret}, or with ${S.username} and ${S.privateKey}`,
  dynamics: `${D.url}, ${D.tenantId}, ${D.clientId}, ${D.clientSecret}`,
  pipedrive: `${P.apiToken}, or ${P.clientId}, ${P.clientSecret} and ${P.refreshToken} (an app); ${P.customerIdField}, ${P.paymentKeyField}`,
  zoho: `${Z.clientId}, ${Z.clientSecret}, ${Z.refreshToken}`,
};

const INDENT = 14;
const WIDTH = 88;

function wrap(words: readonly string[]): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && INDENT + line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/** The lines of `terminal-crm sync --help` that say which variables each CRM reads. */
export function crmVariablesHelp(): string {
  return (Object.keys(TABLES) as SaasCrmName[])
    .flatMap((crm) => {
      const required = REQUIRED[crm];
      const optional = Object.values(TABLES[crm]).filter((v) => !new RegExp(`\\b${v}\\b`).test(required));
      const text = optional.length > 0 ? `${required}; optional: ${optional.join(', ')}` : required;
      return wrap(text.split(' ')).map((l, i) => `${i === 0 ? `  ${crm}`.padEnd(INDENT) : ' '.repeat(INDENT)}${l}`);
    })
    .join('\n');
}
