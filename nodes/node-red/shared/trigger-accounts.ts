import type { IncomingMessage } from 'node:http';
import { InputError } from '../../core/errors';
import { ACCOUNT_TYPE } from './config-types';

/** Which property of the trigger holds the config node for each source (Stripe's kept its original name). */
export const SOURCE_ACCOUNT_FIELDS: Record<string, { property: string; type: string; label: string }> = {
  stripe: { property: 'account', type: ACCOUNT_TYPE, label: 'Stripe account' },
  square: { property: 'squareAccount', type: 'square-account', label: 'Square account' },
  adyen: { property: 'adyenAccount', type: 'adyen-account', label: 'Adyen webhook' },
  'adyen-terminal': { property: 'adyenTerminalAccount', type: 'adyen-terminal-account', label: 'Adyen Terminal API' },
  zettle: { property: 'zettleAccount', type: 'zettle-account', label: 'Zettle account' },
  clover: { property: 'cloverAccount', type: 'clover-account', label: 'Clover app' },
  sumup: { property: 'sumupAccount', type: 'sumup-account', label: 'SumUp account' },
  generic: { property: 'signedWebhookAccount', type: 'signed-webhook-account', label: 'Signed webhook' },
};

/**
 * Where the account of the processor a node's Terminals setting (def.source) names is kept. One the pack does not
 * know (a flow from a newer version, or edited by hand) is refused: read as the signed-webhook account it would
 * check payments with another processor's rules, or name a box the operator never saw.
 */
export function sourceAccountField(source: string): { property: string; type: string; label: string } {
  const field = SOURCE_ACCOUNT_FIELDS[source];
  if (!field) throw new InputError('Terminals', `"${source}" is not a processor this node knows`, `open this node, pick a processor under Terminals and deploy (this version knows ${Object.keys(SOURCE_ACCOUNT_FIELDS).join(', ')})`);
  return field;
}

/** The URL the request arrived on, as the processor called it (Square signs it); a proxy's own is set as Public URL. */
export function requestUrl(req: IncomingMessage & { originalUrl?: string; protocol?: string }): string {
  const forwardedProto = String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]?.trim();
  const proto = forwardedProto || req.protocol || 'http';
  const host = String(req.headers['x-forwarded-host'] ?? req.headers.host ?? 'localhost').split(',')[0]!.trim();
  return `${proto}://${host}${req.originalUrl ?? req.url ?? '/'}`;
}
