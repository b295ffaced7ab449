import type { IDataObject, IHookFunctions } from 'n8n-workflow';
import {
  deleteStripeEndpoint,
  registerStripeEndpoint,
  stripeEndpointIsCurrent,
} from '../../core/sources/stripe-webhook-endpoint';
import { addressed } from '../../core/sources/credential-error';
import { stripeTerminalSource } from '../../core/sources/stripe-terminal';
import { toNodeError } from '../shared/node-error';
import { endpointState } from '../shared/stripe-credential';
import { sourceCredentialPlace } from './source-credentials';

/** A refused or missing secret key named as the Stripe credential labels it. */
const inCredential = (error: unknown) => addressed(error, stripeTerminalSource, sourceCredentialPlace('stripe'));

/** Registration of the trigger's endpoint in Stripe, remembered in the node's static data. */

function webhookUrl(ctx: IHookFunctions): string {
  const url = ctx.getNodeWebhookUrl('default');
  if (!url) throw toNodeError(ctx.getNode(), new Error('n8n did not give this trigger a webhook URL'));
  return url;
}

function selectedEvents(ctx: IHookFunctions): string[] {
  return ctx.getNodeParameter('events', []) as string[];
}

function forget(staticData: IDataObject): void {
  delete staticData.endpointId;
  delete staticData.endpointUrl;
  delete staticData.endpointSecret;
}

export async function checkStripeEndpoint(ctx: IHookFunctions, secretKey: string): Promise<boolean> {
  const staticData = ctx.getWorkflowStaticData('node');
  const state = endpointState(staticData);
  if (!state.endpointId) return false;
  try {
    if (await stripeEndpointIsCurrent(secretKey, state.endpointId, webhookUrl(ctx), selectedEvents(ctx))) return true;
  } catch (error) {
    throw toNodeError(ctx.getNode(), inCredential(error));
  }
  forget(staticData);
  return false;
}

export async function createStripeEndpoint(ctx: IHookFunctions, secretKey: string): Promise<void> {
  const staticData = ctx.getWorkflowStaticData('node');
  const url = webhookUrl(ctx);
  try {
    const endpoint = await registerStripeEndpoint(secretKey, url, selectedEvents(ctx), `n8n workflow "${ctx.getWorkflow().name ?? ctx.getWorkflow().id}" (Terminal Payment Trigger)`);
    staticData.endpointId = endpoint.id;
    staticData.endpointUrl = endpoint.url;
    staticData.endpointSecret = endpoint.secret;
  } catch (error) {
    throw toNodeError(ctx.getNode(), inCredential(error));
  }
}

/** Returns false (n8n logs it and carries on) when Stripe cannot be told; the endpoint then stays in Stripe. */
export async function deleteStripeEndpointOf(ctx: IHookFunctions, secretKey: string): Promise<boolean> {
  const staticData = ctx.getWorkflowStaticData('node');
  const state = endpointState(staticData);
  if (!state.endpointId) return true;
  if (!secretKey) {
    ctx.logger.warn(`Terminal Payment Trigger: the credential has no secret key any more, so Stripe endpoint ${state.endpointId} was left in Stripe; delete it in the Dashboard`);
    forget(staticData);
    return true;
  }
  try {
    await deleteStripeEndpoint(secretKey, state.endpointId);
  } catch (error) {
    ctx.logger.warn(`Terminal Payment Trigger: could not delete Stripe endpoint ${state.endpointId}: ${(inCredential(error) as Error).message}`);
    return false;
  }
  forget(staticData);
  return true;
}
