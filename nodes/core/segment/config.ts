import { z } from 'zod/v4';
import { InputError, issueText } from '../errors';
import { parseJson } from '../config/parse-json';
import { misspeltSetting } from '../config/misspelt-setting';
import { SegmentRulesSchema } from './segments';
import { isTimeZone } from '../config/time-zone';

/** What High-Value Top Percent may be, for the editors' bounds too: a share of customers above 0 and up to all of them. */
export const HIGH_VALUE_TOP_PERCENT = { above: 0, max: 100 } as const;

const MinorByCurrency = z.record(z.string().regex(/^[A-Z]{3}$/, 'an upper-case ISO currency code such as USD'), z.number().int().nonnegative());

/**
 * Everything an operator can tune about the Segment step, with defaults that work out of the box. Amounts are
 * integer minor units per currency ({"USD": 50000} is 500.00 USD). Strict objects: a misspelt setting is refused,
 * not left to its default without a word.
 */
export const SegmentConfigSchema = z.strictObject({
  /** IANA time zone for day-of-week, hour and season (the shop's, not the server's). */
  timeZone: z.string().default('UTC'),
  /** Southern-hemisphere shops get seasons shifted by six months. */
  hemisphere: z.enum(['north', 'south']).default('north'),
  segments: SegmentRulesSchema.prefault({}),
  clv: z
    .strictObject({
      /** Forecast horizons in days. */
      horizonsDays: z.array(z.number().int().positive()).min(1).default([90, 365]),
      /** Time unit of the fitted model (predictions do not depend on it; fitted α does). */
      unit: z.enum(['days', 'weeks']).default('weeks'),
      /** Fewer customers than this and no model is fitted (the estimates would be noise). */
      minCustomers: z.number().int().positive().default(50),
      /** Above this the fit uses an evenly spread sample; the predictions still cover everyone. */
      maxFitCustomers: z.number().int().positive().default(200_000),
      penalizer: z.number().nonnegative().default(0),
    })
    .prefault({}),
  flags: z
    .strictObject({
      highValue: z
        .strictObject({
          /** A single payment at least this large. */
          paymentMinor: MinorByCurrency.default({}),
          /** Expected value over the longest horizon at least this large. */
          expectedValueMinor: MinorByCurrency.default({}),
          /** Net spend in the top N percent of customers (as of the last batch run). */
          topPercent: z.number().gt(HIGH_VALUE_TOP_PERCENT.above).max(HIGH_VALUE_TOP_PERCENT.max).default(5),
        })
        .prefault({}),
      atRisk: z
        .strictObject({
          segments: z.array(z.string()).default(['At risk', "Can't lose them"]),
          /** P(alive) below this, for customers who bought at least `minPayments` times. */
          pAliveBelow: z.number().min(0).max(1).default(0.3),
          minPayments: z.number().int().positive().default(2),
        })
        .prefault({}),
      anomaly: z
        .strictObject({
          /** Payments of the customer's own history needed before anything is called unusual. */
          minHistory: z.number().int().min(3).default(8),
          /** Robust z-score (distance from the median in scaled MADs) above which a value is unusual. */
          threshold: z.number().positive().default(3.5),
          /** How many recent payments make the history. */
          window: z.number().int().min(5).max(1000).default(100),
          newLocation: z.boolean().default(true),
        })
        .prefault({}),
    })
    .prefault({}),
  /** Our field → the CRM's field name; leave a field out (or set it to null) to not write it. */
  crmFields: z.record(z.string(), z.string().nullable()).default({
    segment: 'terminal_crm_segment',
    rfm: 'terminal_crm_rfm',
    pAlive: 'terminal_crm_p_alive',
    expectedValue: 'terminal_crm_expected_value',
    highValue: 'terminal_crm_high_value',
    atRisk: 'terminal_crm_at_risk',
  }),
});
export type SegmentConfig = z.infer<typeof SegmentConfigSchema>;

export const CRM_FIELD_NAMES = [
  'segment', 'rfm', 'pAlive', 'expectedPurchases', 'expectedValue', 'highValue', 'atRisk', 'anomaly',
  'payments', 'netSpend', 'averageOrder', 'currency', 'lastSeen', 'preferredMethod', 'preferredEntryMode', 'preferredDay', 'preferredCategory',
] as const;

/** Parses operator-supplied configuration (an object or JSON text) and says which setting is wrong. */
export function parseSegmentConfig(input: unknown = {}, where = 'segmentConfig'): SegmentConfig {
  const value = typeof input === 'string' ? (input.trim() === '' ? {} : parseJson(input)) : input;
  if (value instanceof Error) {
    throw new InputError(where, `is not valid JSON (${value.message})`, 'paste a JSON object, or leave it empty for the defaults');
  }
  const r = SegmentConfigSchema.safeParse(value ?? {});
  if (!r.success) {
    const misspelt = misspeltSetting(SegmentConfigSchema, r.error.issues, where, 'the Segment step');
    if (misspelt) throw misspelt;
    const i = r.error.issues[0]!;
    throw new InputError(`${where}.${i.path.join('.')}`, issueText(i), 'correct this setting or remove it to use the default');
  }
  const unknownField = Object.keys(r.data.crmFields).find((k) => !(CRM_FIELD_NAMES as readonly string[]).includes(k));
  if (unknownField) {
    throw new InputError(`${where}.crmFields.${unknownField}`, 'is not a field the Segment step produces', `use one of ${CRM_FIELD_NAMES.join(', ')}`);
  }
  if (!isTimeZone(r.data.timeZone)) {
    throw new InputError(`${where}.timeZone`, `"${r.data.timeZone}" is not a time zone`, 'use an IANA name such as Europe/Berlin or America/New_York');
  }
  return r.data;
}
