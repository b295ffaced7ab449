import { z } from 'zod/v4';
import { parseSecrets } from '../config/settings';

/**
 * The endpoint's signing secrets (comma-separated, or a list: several are accepted so an operator can roll the
 * secret without dropping events) and, optionally, a secret API key for endpoint registration and polling.
 */
export const StripeCredentialsSchema = z.object({
  signingSecret: z
    .union([z.string(), z.array(z.string())], { error: 'no Stripe webhook signing secret is configured' })
    .transform((v) => (Array.isArray(v) ? v.map((s) => s.trim()).filter(Boolean) : parseSecrets(v)))
    .refine((list) => list.length > 0, {
      error: 'no Stripe webhook signing secret is configured; paste the endpoint\'s "whsec_…" secret from the Stripe Dashboard (Developers → Webhooks), or let the trigger register the endpoint with an API key',
    }),
  secretKey: z.string().optional(),
});
export type StripeCredentials = z.infer<typeof StripeCredentialsSchema>;
