import type { IWebhookFunctions } from 'n8n-workflow';
import { createSource } from '../../core/sources/registry';
import type { Source } from '../../core/sources/source';
import { toNodeError } from '../shared/node-error';

/** The core source the trigger's Source option names; a generic gateway is configured from the node's JSON. */
export function triggerSource(ctx: IWebhookFunctions, name: string): Source<unknown> {
  try {
    if (name !== 'generic') return createSource(name);
    const raw = ctx.getNodeParameter('genericConfig', '{}');
    return createSource('generic', typeof raw === 'string' ? JSON.parse(raw) : raw);
  } catch (error) {
    throw toNodeError(ctx.getNode(), error);
  }
}
