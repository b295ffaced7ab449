import { obj, str } from '../json/json-values';

/** An event type to quote in the message: letters, dots and underscores only, so no card number is ever echoed. */
const named = (v: unknown): string | undefined => (typeof v === 'string' && /^[A-Za-z_.]{1,80}$/.test(v) ? v : undefined);

/**
 * What a step's input is when it is a processor's delivery as it arrived rather than a PaymentEvent: the usual
 * slip of a flow that takes webhooks with the engine's own HTTP node and skips the Terminal Payment Trigger. Undefined for
 * anything else. Only read once the input has failed validation, so it costs a valid event nothing.
 */
export function rawDeliveryOf(input: unknown): string | undefined {
  const o = obj(input);
  if (!o || 'schemaVersion' in o) return undefined;
  const type = named(o.type);
  if (obj(o.headers) && 'body' in o) return "an HTTP request as n8n's Webhook node hands it on (headers and body)";
  if (o.object === 'event' || (str(o.id)?.startsWith('evt_') && obj(obj(o.data)?.object))) return `a Stripe event${type ? ` (${type})` : ''}`;
  if (Array.isArray(o.notificationItems) || obj(o.NotificationRequestItem) || (str(o.eventCode) && str(o.pspReference))) return 'an Adyen notification';
  if (obj(o.SaleToPOIResponse) || obj(o.SaleToPOIRequest)) return 'an Adyen Terminal API message';
  if (str(o.merchant_id) && type && obj(o.data)) return `a Square webhook (${type})`;
  if (str(o.eventName) && 'payload' in o) return `a Zettle Pusher message${named(o.eventName) ? ` (${named(o.eventName)})` : ''}`;
  if (str(o.appId) && obj(o.merchants)) return 'a Clover webhook';
  return undefined;
}
