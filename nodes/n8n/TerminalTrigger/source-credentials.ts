import type { IDataObject, IHookFunctions, IWebhookFunctions } from 'n8n-workflow';
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
