import { z } from 'zod/v4';
import { EventKindSchema, SOURCES, SourceNameSchema, type EventKind } from '../contracts/payment-event';
import { parseJsonPath, type JsonPath } from './json-path';
import type { ExponentRules } from './processor-money';

export const GENERIC_SECRET_ENV = 'TERMINAL_CRM_WEBHOOK_SECRET';

/** Standard Webhooks' own recommendation, and the usual tolerance of HMAC gateways that sign a timestamp. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * One mapped value. In JSON an operator writes a path ("$.data.amount"), a list of paths tried in order (the
 * gateway puts the amount under another name on refunds), or an object adding a value map (the gateway's "ICC"
 * → "chip"), a default, or a template joining several values ("{$.type}:{$.data.id}", for gateways without an
 * event id). With a map, only mapped values pass: the map is also the list of values the operator accepts.
 */
export interface FieldSpec {
  readonly paths: readonly JsonPath[];
  readonly template?: readonly (string | JsonPath)[];
  readonly map?: Readonly<Record<string, string>>;
  readonly default?: string | number | boolean;
  /** How the operator wrote it, for messages. */
  readonly text: string;
}

const PLACEHOLDERS = ['timestamp', 'body', 'url', 'method'] as const;

function pathOrIssue(text: string, ctx: z.RefinementCtx): JsonPath | undefined {
  try {
    return parseJsonPath(text);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return undefined;
  }
}

const PathList = z.union([z.string(), z.array(z.string()).min(1)], { error: 'a JSON path such as "$.data.id", or a list of them' });

function parseTemplate(text: string, ctx: z.RefinementCtx): (string | JsonPath)[] {
  const parts: (string | JsonPath)[] = [];
  const re = /\{([^{}]+)\}/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    const path = pathOrIssue(m[1]!, ctx);
    if (path) parts.push(path);
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  if (!parts.some((p) => typeof p !== 'string')) ctx.addIssue({ code: 'custom', message: `the template "${text}" names no value; write paths in braces, such as "{$.type}:{$.data.id}"` });
  return parts;
}

const Field = z
  .union([
    PathList,
    z
      .object({
        path: PathList.optional(),
        template: z.string().optional(),
        map: z.record(z.string(), z.string()).optional(),
        default: z.union([z.string(), z.number(), z.boolean()]).optional(),
      })
      .strict(),
  ], { error: 'a JSON path such as "$.data.id", a list of paths, or {"path": …, "map": {…}, "default": …, "template": …}' })
  .transform((raw, ctx): FieldSpec => {
    const spec = typeof raw === 'string' || Array.isArray(raw) ? { path: raw } : raw;
    const texts = spec.path === undefined ? [] : Array.isArray(spec.path) ? spec.path : [spec.path];
    const paths = texts.map((t) => pathOrIssue(t, ctx)).filter((p): p is JsonPath => !!p);
    const template = spec.template === undefined ? undefined : parseTemplate(spec.template, ctx);
    if (paths.length === 0 && !template && spec.default === undefined) {
      ctx.addIssue({ code: 'custom', message: 'give a "path", a "template" or a "default"' });
    }
    return { paths, template, map: spec.map, default: spec.default, text: spec.template ?? texts.join(' | ') };
  });

const JsonPathText = z.string().transform((t, ctx) => pathOrIssue(t, ctx) ?? z.NEVER);

export const MappingSchema = z
  .object({
    itemsPath: JsonPathText.optional(),
    eventId: Field.optional(),
    eventType: Field,
    kind: Field.optional(),
    kindByType: z.record(z.string(), EventKindSchema).optional(),
    paymentId: Field,
    amount: Field.optional(),
    amountDecimal: Field.optional(),
    refundedTotal: Field.optional(),
    refundedTotalDecimal: Field.optional(),
    /** On refund events: the payment's original amount, which tells a partial refund from a full one. */
    paymentTotal: Field.optional(),
    paymentTotalDecimal: Field.optional(),
    currency: Field,
    occurredAt: Field.optional(),
    status: Field.optional(),
    livemode: Field.optional(),
    card: z
      .object({
        brand: Field.optional(),
        last4: Field.optional(),
        bin: Field.optional(),
        /** A masked card number ("476173******0010"): only its BIN and last four are kept. */
        maskedPan: Field.optional(),
        expMonth: Field.optional(),
        expYear: Field.optional(),
        /** "MMYY", "MM/YY" or "MM/YYYY". */
        expiry: Field.optional(),
        funding: Field.optional(),
        entryMode: Field.optional(),
        wallet: Field.optional(),
        fingerprint: Field.optional(),
      })
      .strict()
      .optional(),
    terminal: z.object({ readerId: Field.optional(), locationId: Field.optional() }).strict().optional(),
    customer: z
      .object({ id: Field.optional(), email: Field.optional(), phone: Field.optional(), name: Field.optional(), postalCode: Field.optional() })
      .strict()
      .optional(),
    failure: z.object({ code: Field.optional(), message: Field.optional() }).strict().optional(),
    dispute: z.object({ id: Field.optional(), reason: Field.optional() }).strict().optional(),
    metadata: z.record(z.string(), Field).optional(),
    exponents: z
      .record(z.string(), z.number().int().min(0).max(4))
      .superRefine((rules, ctx) => {
        for (const code of Object.keys(rules)) {
          if (!/^[A-Za-z]{3}$/.test(code)) ctx.addIssue({ code: 'custom', path: [code], message: `"${code}" is not a three-letter ISO 4217 code` });
        }
      })
      .optional(),
  })
  .strict();

export const HmacSchema = z
  .object({
    header: z.string().min(1, 'the name of the header carrying the signature, such as "X-Signature"'),
    algorithm: z.enum(['sha256', 'sha512', 'sha1']).default('sha256'),
    encoding: z.enum(['hex', 'base64']).default('hex'),
    prefix: z.string().optional(),
    signedString: z.string().min(1).default('{body}'),
    timestampHeader: z.string().min(1).optional(),
    toleranceSeconds: z.number().int().positive().max(86_400).default(DEFAULT_TOLERANCE_SECONDS),
    /** How the shared secret is written: most gateways use its text as the key, some a hex or base64 key. */
    secretEncoding: z.enum(['utf8', 'hex', 'base64']).default('utf8'),
  })
  .strict();

export const GenericConfigSchema = z
  .object({
    // A built-in source's name would put this gateway in its place: its webhook path in the worker, its event ids, its
    // payments in the ledger.
    name: SourceNameSchema.refine((n) => n === 'generic' || !(SOURCES as readonly string[]).includes(n), {
      error: (issue) => `"${String(issue.input)}" is the name of the pack's own ${String(issue.input)} source`,
    }).default('generic'),
    label: z.string().min(1).optional(),
    scheme: z.enum(['standard-webhooks', 'hmac']).default('standard-webhooks'),
    hmac: HmacSchema.optional(),
    mapping: MappingSchema,
    handledEventTypes: z.array(z.string().min(1)).optional(),
    /** For gateways whose payload does not say: events of this source are live unless mapped otherwise. */
    livemode: z.boolean().default(true),
    /** The environment variable with this instance's secret, when several instances need different ones. */
    secretEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as "VERIFONE_WEBHOOK_SECRET"').default(GENERIC_SECRET_ENV),
  })
  .strict()
  .superRefine((c, ctx) => {
    const m = c.mapping;
    if (c.scheme === 'hmac' && !c.hmac) ctx.addIssue({ code: 'custom', path: ['hmac'], message: 'the hmac scheme needs its settings (header, algorithm, encoding, signedString)' });
    // Left as they were, every delivery of the gateway was refused for want of the webhook-id header.
    if (c.scheme !== 'hmac' && c.hmac) ctx.addIssue({ code: 'custom', path: ['scheme'], message: `is "${c.scheme}", which reads no "hmac" settings; set "scheme": "hmac" to verify with them, or leave them out` });
    if (c.hmac) {
      for (const [, name] of c.hmac.signedString.matchAll(/\{([^{}]*)\}/g)) {
        if (!(PLACEHOLDERS as readonly string[]).includes(name!)) {
          ctx.addIssue({ code: 'custom', path: ['hmac', 'signedString'], message: `"{${name}}" is not a placeholder; use {timestamp}, {body}, {url} or {method}` });
        }
      }
      if (c.hmac.signedString.includes('{timestamp}') && !c.hmac.timestampHeader) {
        ctx.addIssue({ code: 'custom', path: ['hmac', 'timestampHeader'], message: 'the signed string uses {timestamp}, so the header carrying it must be named' });
      }
    }
    if (!m.amount === !m.amountDecimal) {
      ctx.addIssue({ code: 'custom', path: ['mapping', 'amount'], message: 'map exactly one of "amount" (integer minor units, such as cents) and "amountDecimal" (a decimal such as "12.50")' });
    }
    if (m.refundedTotal && m.amountDecimal) ctx.addIssue({ code: 'custom', path: ['mapping', 'refundedTotal'], message: 'amounts are decimal here; map "refundedTotalDecimal" instead' });
    if (m.refundedTotalDecimal && m.amount) ctx.addIssue({ code: 'custom', path: ['mapping', 'refundedTotalDecimal'], message: 'amounts are minor units here; map "refundedTotal" instead' });
    if (m.paymentTotal && m.amountDecimal) ctx.addIssue({ code: 'custom', path: ['mapping', 'paymentTotal'], message: 'amounts are decimal here; map "paymentTotalDecimal" instead' });
    if (m.paymentTotalDecimal && m.amount) ctx.addIssue({ code: 'custom', path: ['mapping', 'paymentTotalDecimal'], message: 'amounts are minor units here; map "paymentTotal" instead' });
    if (!m.kind && !m.kindByType) {
      ctx.addIssue({ code: 'custom', path: ['mapping', 'kindByType'], message: 'say which event types are payments, refunds, failures and disputes ("kindByType"), or map the field that says it ("kind")' });
    }
    if (c.scheme === 'hmac' && !m.eventId) {
      ctx.addIssue({ code: 'custom', path: ['mapping', 'eventId'], message: 'an HMAC delivery carries no message id, so the event id must be mapped (it is what makes a redelivery a duplicate)' });
    }
    if (c.scheme === 'hmac' && !m.occurredAt && !c.hmac?.timestampHeader) {
      ctx.addIssue({ code: 'custom', path: ['mapping', 'occurredAt'], message: 'map the time the payment happened (nothing else in an HMAC delivery without a timestamp header says it)' });
    }
    for (const [i, type] of (c.handledEventTypes ?? []).entries()) {
      if (m.kindByType && !m.kind && !Object.hasOwn(m.kindByType, type)) {
        ctx.addIssue({ code: 'custom', path: ['handledEventTypes', i], message: `"${type}" has no kind; add it to mapping.kindByType` });
      }
    }
  });

export type GenericConfig = z.infer<typeof GenericConfigSchema>;
export type GenericMapping = GenericConfig['mapping'];
export type HmacSettings = z.infer<typeof HmacSchema>;
export type KindByType = Readonly<Record<string, EventKind>>;

/** The event types the source processes: those the operator listed, else every type mapping.kindByType names. */
export function handledTypesOf(config: GenericConfig): string[] {
  return config.handledEventTypes ?? Object.keys(config.mapping.kindByType ?? {});
}

export const exponentRulesOf = (config: GenericConfig): ExponentRules =>
  Object.fromEntries(Object.entries(config.mapping.exponents ?? {}).map(([c, e]) => [c.toUpperCase(), e]));
