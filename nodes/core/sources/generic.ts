import { Webhook } from 'standardwebhooks';
import { z } from 'zod/v4';
import type { PaymentEvent } from '../contracts/payment-event';
import { handledTypesOf, type GenericConfig } from './generic-config';
import { genericConfigFromEnv, parseGenericConfig } from './generic-config-load';
import { normalizeGenericItem } from './generic-mapping';
import { verifyGenericDelivery } from './generic-verify';
import type { ExponentRules } from './processor-money';
import type { Source, WebhookRequest } from './source';

export { GENERIC_SECRET_ENV, type GenericConfig } from './generic-config';
export { GENERIC_CONFIG_ENV, configurationObject, genericConfigFromEnv, parseGenericConfig } from './generic-config-load';

/**
 * Amounts in minor units follow ISO 4217 (nodes/core/contracts/money.ts) unless the operator lists a gateway's
 * own exceptions in mapping.exponents: Standard Webhooks producers such as Dodo Payments document "the currency's
 * smallest unit (cents for USD, yen for JPY, fils for KWD)", which is ISO. Stripe, for one, writes ISK with two
 * decimals: {"ISK": 2}.
 */
export const GENERIC_DEFAULT_EXPONENTS: ExponentRules = {};

export interface GenericCredentials {
  /** Accepted secrets, newest first: several while the gateway's secret is being rotated. */
  secret: string[];
}

/**
 * A payment gateway the pack has no dedicated source for, described by configuration: how its webhooks are signed
 * (Standard Webhooks, or an HMAC whose header, algorithm, encoding and signed string the operator names) and
 * where each PaymentEvent field sits in its payload. An operator can run several, each under its own `name`, which
 * prefixes its event ids and names its webhook path.
 *
 * `config` is the configuration object, its JSON text or the path of a JSON file; without one, the
 * TERMINAL_CRM_GENERIC_CONFIG environment variable. Throws InputError naming the field and the fix.
 */
export function createGenericSource(config?: unknown, env: NodeJS.ProcessEnv = process.env): Source<GenericCredentials> {
  const parsed: GenericConfig =
    config === undefined || config === null || config === '' ? genericConfigFromEnv(env) : parseGenericConfig(config);
  const label = parsed.label ?? `Generic webhook (${parsed.name})`;
  return {
    name: parsed.name,
    label,
    handledEventTypes: handledTypesOf(parsed),
    credentials: credentialsSchema(parsed),
    env: { secret: parsed.secretEnv },

    async verify(request: WebhookRequest, credentials: GenericCredentials) {
      return verifyGenericDelivery(request, credentials.secret, parsed);
    },

    async normalize(item: unknown): Promise<PaymentEvent[]> {
      return [normalizeGenericItem(item, parsed)];
    },
  };
}

/** Standard Webhooks secrets are "whsec_" + base64 (the spec's serialization); HMAC secrets as the gateway writes them. */
function credentialsSchema(config: GenericConfig): z.ZodType<GenericCredentials> {
  const missing = `no webhook secret is configured for the ${config.name} source; paste the signing secret from the gateway's webhook settings`;
  return z.object({
    secret: z
      .union([z.string(), z.array(z.string())], { error: missing })
      .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean))
      .refine((list) => list.length > 0, { error: missing })
      .superRefine((list, ctx) => {
        for (const [i, secret] of list.entries()) {
          const problem = secretProblem(secret, config, list.length > 1 ? `secret ${i + 1}` : 'the secret');
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }
      }),
  });
}

/** Never quotes the secret: messages end up in logs. */
function secretProblem(secret: string, config: GenericConfig, shown: string): string | undefined {
  if (config.scheme === 'standard-webhooks') {
    // The `standardwebhooks` package's own rule, which verify applies. Node reads base64 more loosely (a secret cut
    // short, under four characters, decodes), and a secret only Node took threw out of every delivery unnamed.
    try {
      new Webhook(secret);
      return undefined;
    } catch {
      return `${shown} is not a Standard Webhooks secret ("whsec_" followed by base64)`;
    }
  }
  const encoding = config.hmac?.secretEncoding ?? 'utf8';
  if (encoding === 'hex' && !/^(?:[0-9a-fA-F]{2})+$/.test(secret)) return `${shown} is not a hex key, as hmac.secretEncoding says`;
  if (encoding === 'base64' && !/^[A-Za-z0-9+/_-]+={0,2}$/.test(secret)) return `${shown} is not a base64 key, as hmac.secretEncoding says`;
  return undefined;
}
