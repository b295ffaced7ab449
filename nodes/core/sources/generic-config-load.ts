import { readFileSync } from 'node:fs';
import type { z } from 'zod/v4';
import { InputError, issueText } from '../errors';
import { settingsAt } from '../config/misspelt-setting';
import { GenericConfigSchema, type GenericConfig } from './generic-config';

/** The environment variable holding a generic source's configuration: the JSON itself, or a file path. */
export const GENERIC_CONFIG_ENV = 'TERMINAL_CRM_GENERIC_CONFIG';

const FIXES: [RegExp, string][] = [
  [/^name$/, 'use lower-case letters, digits and dashes, and no built-in source\'s name, such as "verifone-estate": it prefixes event ids and names the webhook path'],
  [/^scheme$/, 'use "standard-webhooks" (webhook-id / webhook-timestamp / webhook-signature headers) or "hmac"'],
  [/^hmac/, "copy the header name, algorithm, encoding and signed string from the gateway's webhook-signature documentation"],
  [/^mapping\.exponents/, 'list only currencies the gateway writes with other decimals than ISO 4217, such as {"ISK": 2}'],
  [/^mapping\..*\.map$/, 'write the value map as {"the gateway\'s value": "the pack\'s value"}, such as {"ICC": "chip"}'],
  [/^mapping\.kindByType/, 'map each gateway event type to "payment", "refund", "failure" or "dispute", such as {"payment.succeeded": "payment"}'],
  [/^mapping/, 'point it at the field in the gateway\'s payload, such as "$.data.object.id" (see the gateway\'s webhook reference)'],
  [/^livemode$/, 'write true (live payments) or false (test payments), without quotes'],
  [/^secretEnv$/, 'name the environment variable holding this gateway\'s signing secret, in capitals, such as "VERIFONE_WEBHOOK_SECRET"'],
  [/^label$/, 'write the name messages call the gateway by, such as "Verifone estate", or leave label out'],
  [/^handledEventTypes/, 'list event types that mapping.kindByType names, or leave handledEventTypes out to process them all'],
];

function fixFor(field: string): string {
  return FIXES.find(([re]) => re.test(field))?.[1] ?? 'correct the generic source configuration';
}

type Issue = z.core.$ZodIssue;

/**
 * A value matching none of a union's forms is reported by zod as "invalid input"; the operator is better served
 * by what is wrong inside the form they evidently meant (an object with a misspelt option, say).
 */
function specificIssue(issue: Issue): Issue {
  if (issue.code !== 'invalid_union') return issue;
  const inner = issue.errors.flat().find((i) => !wrongShape(i));
  return inner ? specificIssue({ ...inner, path: [...issue.path, ...inner.path] } as Issue) : issue;
}

/** A form of the union that does not fit at all (a string where an object was written). */
const wrongShape = (i: Issue): boolean =>
  i.path.length === 0 && (i.code === 'invalid_type' || (i.code === 'invalid_union' && i.errors.flat().every(wrongShape)));

/**
 * The operator's configuration (an object, its JSON text, or the path of a JSON file) → a checked GenericConfig,
 * or an InputError naming the field ("mapping.amount") and the fix. `where` prefixes the field when the
 * configuration came from somewhere the operator knows by name (an environment variable).
 */
export function parseGenericConfig(input: unknown, where?: string): GenericConfig {
  const named = (field: string) => (where ? `${where}.${field}` : field);
  let value = input;
  if (typeof value === 'string') value = readJsonText(value, where ?? 'config');
  const r = GenericConfigSchema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = specificIssue(r.error.issues[0]!);
  const keys = issue.code === 'unrecognized_keys' ? (issue as { keys: string[] }).keys : [];
  const field = [...issue.path.map(String), ...keys.slice(0, 1)].join('.') || 'config';
  const problem = keys.length > 0 ? `"${keys[0]}" is not a setting here` : issueText(issue);
  const known = keys.length > 0 ? settingsAt(GenericConfigSchema, issue.path) : undefined;
  throw new InputError(named(field), problem, known ? `use one of: ${known.join(', ')}` : fixFor(field));
}

function readJsonText(text: string, where: string): unknown {
  const trimmed = text.trim();
  let json = trimmed;
  if (!trimmed.startsWith('{')) {
    try {
      json = readFileSync(trimmed, 'utf8');
    } catch (e) {
      throw new InputError(where, `cannot read "${trimmed}" (${(e as NodeJS.ErrnoException).code ?? String(e)})`, 'give the JSON configuration itself, or the path of a file holding it');
    }
  }
  try {
    return JSON.parse(json);
  } catch (e) {
    throw new InputError(where, `is not valid JSON (${(e as Error).message})`, 'check the quotes and commas of the generic source configuration');
  }
}

/**
 * The configuration as a face hands it to the registry, parsed from its box (n8n's Gateway Configuration (JSON),
 * Node-RED's Gateway (JSON)) or file: never text or null, which createGenericSource reads as a file on the server or
 * as the server's TERMINAL_CRM_GENERIC_CONFIG. A box holding the JSON string "/etc/passwd" read that file (and quoted
 * its start in the refusal); one holding null took the server's gateway. No configuration at all (a source asked for
 * by name) is still the server's, as createGenericSource says.
 */
export function configurationObject(value: unknown): unknown {
  if (typeof value === 'string' || value === null) {
    throw new InputError('config', `is ${value === null ? 'null' : 'a JSON string'}, not the configuration object`, 'write the gateway\'s configuration itself, as a JSON object: {"name": …, "scheme": …, "mapping": {…}}');
  }
  return value;
}

/** The configuration in TERMINAL_CRM_GENERIC_CONFIG (the sandbox and the Temporal worker). */
export function genericConfigFromEnv(env: NodeJS.ProcessEnv = process.env): GenericConfig {
  const value = env[GENERIC_CONFIG_ENV]?.trim();
  if (!value) {
    throw new InputError(GENERIC_CONFIG_ENV, 'is not set', 'set it to the generic source configuration (JSON, or the path of a JSON file)');
  }
  return parseGenericConfig(value, GENERIC_CONFIG_ENV);
}

