import { currencyOf, minorUnitsOf } from '../config/amounts';
import { InputError, issueText } from '../errors';
import { CRM_FIELD_NAMES, HIGH_VALUE_TOP_PERCENT, parseSegmentConfig, type SegmentConfig } from './config';
import { parseJson } from '../config/parse-json';
import { misspeltSetting } from '../config/misspelt-setting';
import { SegmentRulesSchema } from './segments';
import { isTimeZone } from '../config/time-zone';

/**
 * The Segment step's settings as the n8n and Node-RED editors show them: the few an operator usually changes as
 * plain fields (amounts in the shop's currency, not minor units), and the rest as optional JSON. Errors name the
 * field by its label in the editor (n8n's by default; Node-RED passes its own).
 */
export interface SegmentSettings {
  /** The currency the amounts below are in; needed only when one is set. */
  currency?: string;
  /** A single payment at least this large marks the customer high value; 0 or empty: off. */
  highValuePayment?: number | string;
  /** Net spend in the top N percent of customers (as of the last "Recompute All") marks them high value. */
  highValueTopPercent?: number | string;
  timeZone?: string;
  /** JSON text or object: {"rules": […], "fallback": "Other"}, or only the list of rules. Empty: the defaults. */
  segmentRules?: unknown;
  /** Our field → the CRM's field name (JSON text or object); a field left out or mapped to "" is not written. */
  crmFields?: unknown;
  /** JSON text or object with any other Segment setting (anomaly thresholds, lifetime-value horizons…). */
  advanced?: unknown;
}

export const SEGMENT_LABELS = {
  currency: 'Currency',
  highValuePayment: 'High-Value Payment',
  highValueTopPercent: 'High-Value Top Percent',
  timeZone: 'Time Zone',
  segmentRules: 'Segment Rules',
  crmFields: 'CRM Fields',
  advanced: 'Advanced Settings',
} as const;

export type SegmentLabels = Record<keyof typeof SEGMENT_LABELS, string>;

const isBlank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

function jsonValue(input: unknown, label: string, example: string): unknown {
  if (typeof input !== 'string') return input;
  const value = parseJson(input);
  if (value instanceof Error) throw new InputError(label, `is not valid JSON (${value.message})`, `write it as JSON, e.g. ${example}, or empty it to use the defaults`);
  return value;
}

function plainObject(value: unknown, label: string, example: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(label, 'is not a JSON object', `write it as {…}, e.g. ${example}, or empty it to use the defaults`);
  }
  return value as Record<string, unknown>;
}

function segmentRules(input: unknown, label: string): SegmentConfig['segments'] {
  const value = jsonValue(input, label, '{"rules": [{"name": "VIP", "m": [5, 5]}], "fallback": "Other"}');
  const r = SegmentRulesSchema.safeParse(Array.isArray(value) ? { rules: value } : value);
  if (!r.success) {
    const misspelt = misspeltSetting(SegmentRulesSchema, r.error.issues, label, 'the Segment Rules');
    if (misspelt) throw misspelt;
    const i = r.error.issues[0]!;
    const path = i.path.length ? `${label}.${i.path.join('.')}` : label;
    throw new InputError(path, issueText(i), 'each rule is {"name": "…"} with optional [min, max] ranges for r, f, m, fm, payments, daysSinceFirst, daysSinceLast; empty the field for the defaults');
  }
  return r.data;
}

export function crmFieldMapping(input: unknown, label: string = SEGMENT_LABELS.crmFields): Record<string, string | null> {
  const example = '{"segment": "terminal_crm_segment"}';
  const value = plainObject(jsonValue(input, label, example), label, example);
  const mapping: Record<string, string | null> = {};
  for (const [ours, theirs] of Object.entries(value)) {
    if (!(CRM_FIELD_NAMES as readonly string[]).includes(ours)) {
      throw new InputError(`${label}.${ours}`, 'is not a value the Segment step produces', `use one of ${CRM_FIELD_NAMES.join(', ')}`);
    }
    if (theirs !== null && typeof theirs !== 'string') throw new InputError(`${label}.${ours}`, 'is not a field name', 'write the CRM field name as text, or "" to not write this value');
    mapping[ours] = theirs === null || theirs.trim() === '' ? null : theirs.trim();
  }
  return mapping;
}

function topPercent(value: unknown, label: string): number {
  const n = typeof value === 'string' ? Number(value.trim()) : value;
  const { above, max } = HIGH_VALUE_TOP_PERCENT;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= above || n > max) {
    throw new InputError(label, `"${String(value)}" is not a percentage above ${above} and up to ${max}`, 'type e.g. 5 for the top 5% of customers by spend');
  }
  return n;
}

function timeZone(zone: string, label: string): string {
  if (isTimeZone(zone)) return zone;
  throw new InputError(label, `"${zone}" is not a time zone`, "use the shop's IANA time zone, e.g. Europe/Berlin or America/New_York");
}

export function segmentConfigFromSettings(s: SegmentSettings = {}, labels: SegmentLabels = SEGMENT_LABELS): SegmentConfig {
  const example = '{"flags": {"anomaly": {"threshold": 4}}}';
  const base = isBlank(s.advanced) ? {} : plainObject(jsonValue(s.advanced, labels.advanced, example), labels.advanced, example);
  const config = structuredClone(base) as Record<string, unknown> & { flags?: { highValue?: { paymentMinor?: Record<string, number>; topPercent?: number } } };
  const highValue = ((config.flags ??= {}).highValue ??= {});
  if (!isBlank(s.highValuePayment)) {
    const currency = currencyOf(s.currency, labels.currency);
    const minor = minorUnitsOf(s.highValuePayment, currency, labels.highValuePayment);
    if (minor !== undefined) highValue.paymentMinor = { ...highValue.paymentMinor, [currency]: minor };
  }
  if (!isBlank(s.highValueTopPercent)) highValue.topPercent = topPercent(s.highValueTopPercent, labels.highValueTopPercent);
  if (!isBlank(s.timeZone)) config.timeZone = timeZone(String(s.timeZone).trim(), labels.timeZone);
  if (!isBlank(s.segmentRules)) config.segments = segmentRules(s.segmentRules, labels.segmentRules);
  if (s.crmFields !== undefined && s.crmFields !== null && s.crmFields !== '') config.crmFields = crmFieldMapping(s.crmFields, labels.crmFields);
  // The fields above are checked already: what the schema still refuses was written in the advanced settings' box.
  return parseSegmentConfig(config, labels.advanced);
}
