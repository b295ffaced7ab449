import { z } from 'zod/v4';
import { parseSecrets } from '../config/settings';
import { webUrlSetting } from '../http/web-url';

export const SQUARE_PRODUCTION_URL = 'https://connect.squareup.com';
export const SQUARE_SANDBOX_URL = 'https://connect.squareupsandbox.com';
/** The Square-Version the installed SDK (square 46) sends by default; an operator can pin another. */
export const SQUARE_API_VERSION = '2026-09-16';

/** n8n and environment variables hand over "" for a field left empty: that is "not set", not a value. */
const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const NO_KEY =
  'no Square webhook signature key is configured; copy it from the Developer Console (your application → Webhooks → Subscriptions → the subscription → Signature key)';

/**
 * The webhook subscription's signature key (several, comma-separated, while a key is being rotated with
 * UpdateWebhookSubscriptionSignatureKey), the URL Square signs when the engine sits behind a proxy, and optionally
 * an access token for what a webhook only names (the customer, the refunded payment) and for polling.
 */
export const SquareCredentialsSchema = z.object({
  signatureKey: z
    .preprocess(blank, z.union([z.string(), z.array(z.string())], { error: NO_KEY }))
    .transform((v) => (Array.isArray(v) ? v.map((s) => s.trim()).filter(Boolean) : parseSecrets(v)))
    .refine((keys) => keys.length > 0, { error: NO_KEY }),
  /** Signed as it is: a query is part of it, trailing slashes are kept (http/web-url.ts webUrlFault, full). */
  notificationUrl: z.preprocess(
    blank,
    webUrlSetting({ kind: 'full', example: 'enter the notification URL of the Square webhook subscription exactly as the Developer Console shows it, https:// included' }).optional(),
  ),
  accessToken: z.preprocess(blank, z.string().trim().optional()),
  baseUrl: z.preprocess(blank, webUrlSetting({ example: `use ${SQUARE_PRODUCTION_URL}, or ${SQUARE_SANDBOX_URL} for the sandbox` }).default(SQUARE_PRODUCTION_URL)),
  apiVersion: z.preprocess(blank, z.string().trim().regex(/^\d{4}-\d{2}-\d{2}$/, 'a Square API version date such as 2026-09-16').default(SQUARE_API_VERSION)),
  /** The locations polling, backfill and reconcile list, comma-separated; none: every location of the seller (square-locations.ts). */
  locationId: z.preprocess(blank, z.string().trim().optional()),
});
export type SquareCredentials = z.infer<typeof SquareCredentialsSchema>;

/** Polling needs the access token, not a webhook's signature key: an operator who polls usually has no webhook. */
export const SquarePollCredentialsSchema = SquareCredentialsSchema.extend({
  signatureKey: z
    .preprocess(blank, z.union([z.string(), z.array(z.string())]).optional())
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v.map((s) => s.trim()).filter(Boolean) : parseSecrets(v))),
  accessToken: z.preprocess(blank, z.string({ error: 'polling Square needs an access token with PAYMENTS_READ' }).trim()),
});

export const SQUARE_ENV = {
  signatureKey: 'SQUARE_WEBHOOK_SIGNATURE_KEY',
  notificationUrl: 'SQUARE_WEBHOOK_URL',
  accessToken: 'SQUARE_ACCESS_TOKEN',
  baseUrl: 'SQUARE_BASE_URL',
  apiVersion: 'SQUARE_API_VERSION',
  locationId: 'SQUARE_LOCATION_ID',
} as const;

/** Square puts no livemode flag in its events: a sandbox base URL says the account is a sandbox one. */
export function squareLivemode(credentials: SquareCredentials): boolean {
  return !/squareupsandbox\.com/i.test(credentials.baseUrl);
}
