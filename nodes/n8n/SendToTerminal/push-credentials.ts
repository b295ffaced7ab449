import type { ICredentialDataDecryptedObject, IExecuteFunctions } from 'n8n-workflow';
import { InputError } from '../../core/errors';
import { createTerminalPush } from '../../core/terminal-push/create-terminal-push';
import { inPlaceTerms } from '../../core/terminal-push/settings-error';
import type { TerminalPush } from '../../core/terminal-push/terminal-push';
import { n8nHttpTransport } from '../shared/n8n-http-transport';
import { toNodeError } from '../shared/node-error';

interface VendorCredential {
  type: string;
  label: string;
  /** The push settings' field names → the credential's field labels, for messages. */
  labels: Record<string, string>;
  settings(c: ICredentialDataDecryptedObject): Record<string, unknown>;
}

/**
 * Which n8n credential holds each vendor's key. Stripe and Square reuse the trigger's credentials (the key is the
 * same one); Adyen's Terminal API cloud key has its own, since the trigger's Adyen credentials hold webhook secrets.
 */
export const PUSH_CREDENTIALS: Record<string, VendorCredential> = {
  stripe: {
    type: 'stripeTerminalApi',
    label: 'Stripe Terminal API',
    labels: { secretKey: 'Secret API Key' },
    settings: (c) => ({ secretKey: c.secretKey }),
  },
  square: {
    type: 'terminalSquareApi',
    label: 'Terminal CRM Square API',
    labels: { accessToken: 'Access Token', baseUrl: 'Base URL' },
    settings: (c) => ({ accessToken: c.accessToken, baseUrl: c.baseUrl }),
  },
  adyen: {
    type: 'terminalAdyenCloudApi',
    label: 'Adyen Terminal Cloud API',
    labels: { apiKey: 'API Key', baseUrl: 'Terminal API URL', saleId: 'Sale ID' },
    settings: (c) => ({ apiKey: c.apiKey, baseUrl: c.baseUrl, saleId: c.saleId }),
  },
};

/**
 * The vendor's TerminalPush over n8n's HTTP helpers with the vendor's credential. A credential field the core
 * refuses is named as the n8n user sees it ("Stripe Terminal API → Secret API Key"), not by its settings name.
 */
export async function terminalPushFor(ctx: IExecuteFunctions, processor: string, itemIndex: number): Promise<TerminalPush> {
  const credential = PUSH_CREDENTIALS[processor];
  if (!credential) {
    const unknown = new InputError('Processor', `"${processor}" is not a terminal this node can push to`, `choose one of: ${Object.keys(PUSH_CREDENTIALS).join(', ')}`);
    throw toNodeError(ctx.getNode(), unknown, itemIndex);
  }
  const data = await ctx.getCredentials(credential.type, itemIndex);
  try {
    return createTerminalPush(processor, { http: n8nHttpTransport(ctx, credential.type), settings: credential.settings(data) });
  } catch (e) {
    const place = { name: credential.label, labels: credential.labels, fix: (label: string) => `open the ${credential.label} credential and fill in ${label}` };
    throw toNodeError(ctx.getNode(), inPlaceTerms(e, place), itemIndex);
  }
}
