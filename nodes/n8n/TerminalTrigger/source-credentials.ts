import type { ICredentialType, IDataObject, IHookFunctions, IWebhookFunctions } from 'n8n-workflow';
import type { CredentialPlace } from '../../core/sources/source-credentials';
import { StripeTerminalApi } from '../../../credentials/StripeTerminalApi.credentials';
import { TerminalAdyenTerminalApi } from '../../../credentials/TerminalAdyenTerminalApi.credentials';
import { TerminalAdyenWebhookApi } from '../../../credentials/TerminalAdyenWebhookApi.credentials';
import { TerminalCloverApi } from '../../../credentials/TerminalCloverApi.credentials';
import { TerminalGenericWebhookApi } from '../../../credentials/TerminalGenericWebhookApi.credentials';
import { TerminalSquareApi } from '../../../credentials/TerminalSquareApi.credentials';
import { TerminalSumUpApi } from '../../../credentials/TerminalSumUpApi.credentials';
import { TerminalZettleApi } from '../../../credentials/TerminalZettleApi.credentials';
import { credentialFieldLabels } from '../shared/credential-labels';
import { endpointState } from '../shared/stripe-credential';

/** One n8n credential type per source (credentials/*.credentials.ts). */
export const SOURCE_CREDENTIAL_TYPES: Record<string, string> = {
  stripe: 'stripeTerminalApi',
  square: 'terminalSquareApi',
  adyen: 'terminalAdyenWebhookApi',
  'adyen-terminal': 'terminalAdyenTerminalApi',
  zettle: 'terminalZettleApi',
  clover: 'terminalCloverApi',
  sumup: 'terminalSumUpApi',
  generic: 'terminalGenericWebhookApi',
};

export function credentialTypeOf(source: string): string {
  return SOURCE_CREDENTIAL_TYPES[source] ?? SOURCE_CREDENTIAL_TYPES.generic!;
}

/** The source credentials' own definitions, read for their names and field labels, not retyped. */
const CREDENTIAL_CLASSES: readonly ICredentialType[] = [
  new StripeTerminalApi(), new TerminalSquareApi(), new TerminalAdyenWebhookApi(), new TerminalAdyenTerminalApi(),
  new TerminalZettleApi(), new TerminalCloverApi(), new TerminalSumUpApi(), new TerminalGenericWebhookApi(),
];

const places = new Map<string, CredentialPlace>();

/**
 * A source's credential as n8n lists it, for the core's messages: the credential's displayName, its fields'
 * displayNames ("Terminal CRM Square API → Webhook Signature Key") and the fix in n8n's words.
 */
export function sourceCredentialPlace(source: string): CredentialPlace {
  const type = credentialTypeOf(source);
  let place = places.get(type);
  if (!place) {
    const credential = CREDENTIAL_CLASSES.find((c) => c.name === type)!;
    const name = credential.displayName;
    place = { name, labels: credentialFieldLabels(credential), fix: (label) => `open the ${name} credential and fill in ${label}` };
    places.set(type, place);
  }
  return place;
}

/**
 * The credential record the core's source parses. For Stripe, the secret of the endpoint the trigger registered
 * itself is accepted beside pasted ones, so switching between the two loses nothing.
 */
export async function sourceCredentialRecord(ctx: IWebhookFunctions | IHookFunctions, source: string): Promise<Record<string, unknown>> {
  const data = { ...(await ctx.getCredentials(credentialTypeOf(source))) } as Record<string, unknown>;
  if (source === 'stripe') {
    const registered = endpointState(ctx.getWorkflowStaticData('node') as IDataObject).endpointSecret;
    const pasted = typeof data.signingSecret === 'string' ? data.signingSecret : '';
    data.signingSecret = [pasted, registered].filter(Boolean).join(',');
  }
  return data;
}
