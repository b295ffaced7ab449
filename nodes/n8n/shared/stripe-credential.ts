import type { ICredentialDataDecryptedObject, IDataObject, IHookFunctions, IWebhookFunctions } from 'n8n-workflow';
import { parseSecrets } from '../../core/config/settings';

/** The "Stripe Terminal API" credential (credentials/StripeTerminalApi.credentials.ts). */
export interface StripeCredential {
  secretKey: string;
  signingSecrets: string[];
}

/** What the trigger remembers about the endpoint it registered, in the workflow's static data. */
export interface EndpointState {
  endpointId?: string;
  endpointUrl?: string;
  endpointSecret?: string;
}

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

export async function stripeCredential(ctx: IHookFunctions | IWebhookFunctions): Promise<StripeCredential> {
  return stripeCredentialOf(await ctx.getCredentials<ICredentialDataDecryptedObject>('stripeTerminalApi'));
}

/** The credential's fields as saved (also what its Test button is given). */
export function stripeCredentialOf(data: ICredentialDataDecryptedObject | undefined): StripeCredential {
  return { secretKey: text(data?.secretKey), signingSecrets: parseSecrets(text(data?.signingSecret)) };
}

export function endpointState(staticData: IDataObject): EndpointState {
  return {
    endpointId: text(staticData.endpointId) || undefined,
    endpointUrl: text(staticData.endpointUrl) || undefined,
    endpointSecret: text(staticData.endpointSecret) || undefined,
  };
}

/** Pasted secrets and the secret of the registered endpoint are all accepted, so switching between them loses nothing. */
export function secretsFor(credential: StripeCredential, state: EndpointState): string[] {
  return [...credential.signingSecrets, ...(state.endpointSecret ? [state.endpointSecret] : [])];
}
