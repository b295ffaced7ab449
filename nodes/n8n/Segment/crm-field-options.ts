import { InputError } from '../../core/errors';
import type { INodePropertyOptions } from 'n8n-workflow';
import { parseSegmentConfig } from '../../core/segment/config';

/** What the Segment step can write to the CRM, in the editor's words (sorted, as n8n lists options). */
export const CRM_VALUE_OPTIONS: INodePropertyOptions[] = [
  { name: 'At Risk (True/False)', value: 'atRisk' },
  { name: 'Average Order (Minor Units)', value: 'averageOrder' },
  { name: 'Currency (of the Money Values)', value: 'currency' },
  { name: 'Expected Purchases', value: 'expectedPurchases' },
  { name: 'Expected Value (Minor Units)', value: 'expectedValue' },
  { name: 'High Value (True/False)', value: 'highValue' },
  { name: 'Last Seen', value: 'lastSeen' },
  { name: 'Net Spend (Minor Units)', value: 'netSpend' },
  { name: 'Payments', value: 'payments' },
  { name: 'Preferred Category', value: 'preferredCategory' },
  { name: 'Preferred Day', value: 'preferredDay' },
  { name: 'Preferred Entry Mode', value: 'preferredEntryMode' },
  { name: 'Preferred Payment Method', value: 'preferredMethod' },
  { name: 'Probability Still Active', value: 'pAlive' },
  { name: 'RFM Score (e.g. 545)', value: 'rfm' },
  { name: 'Segment', value: 'segment' },
  { name: 'Unusual Payment (True/False)', value: 'anomaly' },
];

/** The default mapping as rows of the "CRM Fields" list. */
export const DEFAULT_CRM_FIELD_ROWS = Object.entries(parseSegmentConfig().crmFields)
  .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
  .map(([value, crmField]) => ({ value, crmField }));

/**
 * The list's rows as the core's mapping; a row with an empty CRM field name writes nothing. A row an expression
 * filled with something else is named by its place in the list (as Loyalty's Tiers rows are), not dropped.
 */
export function crmFieldsFromRows(rows: unknown): Record<string, string | null> {
  const mapping: Record<string, string | null> = {};
  for (const [i, row] of (Array.isArray(rows) ? (rows as Array<{ value?: unknown; crmField?: unknown }>) : []).entries()) {
    const at = `CRM Fields ${i + 1}`;
    if (typeof row.value !== 'string') throw new InputError(`${at}: Value`, `${JSON.stringify(row.value) ?? 'nothing'} is not one of its choices`, `choose one of: ${CRM_VALUE_OPTIONS.map((o) => o.name).join(', ')}`);
    const name = row.crmField;
    if (name !== undefined && name !== null && typeof name !== 'string') {
      throw new InputError(`${at}: CRM Field Name`, `is ${Array.isArray(name) ? 'a list' : typeof name === 'object' ? 'an object' : `the ${typeof name} ${String(name)}`}, not a field name`, 'type the name of the CRM field, or leave it empty to not write this value');
    }
    mapping[row.value] = typeof name === 'string' ? name : null;
  }
  return mapping;
}
