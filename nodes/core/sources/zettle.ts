import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod/v4';
import type { PaymentEvent } from '../contracts/payment-event';
import { IgnoredEventError, InputError, SignatureError } from '../errors';
import { webUrlSetting } from '../http/web-url';
import { hmacKey } from './hmac-key';
import { sentAtOr } from './iso-time';
import { headerValue, type ListPage, type ListResult, type Source, type SourceContext, type VerifiedDelivery, type WebhookRequest } from './source';
import { listZettlePurchases, ZETTLE_PURCHASE_BASE_URL, zettleRefundContext, type ZettleApi } from './zettle-api';
import { ZETTLE_OAUTH_BASE_URL, zettleAuth } from './zettle-auth';
import { isRefund, normalizeZettlePurchase, ZETTLE_PURCHASE_EVENT } from './zettle-purchase';
import { obj, type Obj } from '../json/json-values';
import { credentialFieldIssue } from './credential-error';

export const ZETTLE_HANDLED_EVENT_TYPES = [ZETTLE_PURCHASE_EVENT] as const;
export const ZETTLE_SIGNATURE_HEADER = 'X-iZettle-Signature';

const secretList = z
  .union([z.string(), z.array(z.string())], { error: 'a signing key is text' })
  .optional()
  .transform((v) => (Array.isArray(v) ? v : (v ?? '').split(',')).map((s) => s.trim()).filter(Boolean));
const optionalText = z
  .string()
  .optional()
  .transform((v) => v?.trim() || undefined);

/**
 * The subscription's signing key(s): comma-separate several when subscriptions of several organizations post to
 * one URL. The key may be missing, but only while the subscription is being created: Zettle posts a TestMessage
 * to the destination before it returns the key, and the subscription is created only if that is answered 2xx.
 * Purchases are refused until the key is set.
 * To read purchases (refunds, polling), an API key the merchant created with READ:PURCHASE and the client ID of the
 * self-hosted app it is for, which the pack exchanges for access tokens as they expire; or an access token as it is
 * (it lives 7200 seconds).
 */
export const ZettleCredentialsSchema = z
  .object({
    signingKey: secretList,
    accessToken: optionalText,
    apiKey: optionalText,
    clientId: optionalText,
    purchaseBaseUrl: optionalText.pipe(webUrlSetting({ example: `use ${ZETTLE_PURCHASE_BASE_URL}` }).optional()),
    oauthBaseUrl: optionalText.pipe(webUrlSetting({ example: `use ${ZETTLE_OAUTH_BASE_URL}` }).optional()),
  })
  .superRefine((c, ctx) => {
    if (c.apiKey && !c.clientId) {
      ctx.addIssue({ code: 'custom', path: ['clientId'], message: 'an API key is exchanged for access tokens together with the client ID of the app it was created for: paste that client ID' });
    }
  });
export type ZettleCredentials = z.infer<typeof ZettleCredentialsSchema>;

/**
 * Polling (and backfill) reads purchases, so it needs what reads them: an API key with its client ID, or an access
 * token. Checked here, where the worker checks a polled source's variables at start, not at the first poll.
 */
export const ZettlePollCredentialsSchema = ZettleCredentialsSchema.superRefine((c, ctx) => {
  if (!c.apiKey && !c.accessToken) {
    ctx.addIssue(
      credentialFieldIssue(
        ['apiKey', 'clientId'],
        'polling Zettle needs an API key (or an access token)',
        "have the merchant create an API key with READ:PURCHASE at my.zettle.com for your self-hosted app, and paste it with the app's client ID",
      ),
    );
  }
});

/** The Pusher API's hex HMAC-SHA256 over "<timestamp>.<payload>" (create-subscriptions.md, Step 4). */
export function zettleSignature(timestamp: string, payload: string, signingKey: string): string {
  return createHmac('sha256', hmacKey(signingKey)).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
}

export const zettleSource: Source<ZettleCredentials> = {
  name: 'zettle',
  label: 'Zettle by PayPal',
  handledEventTypes: ZETTLE_HANDLED_EVENT_TYPES,
  credentials: ZettleCredentialsSchema,
  // Read by the poller and backfill (pipeline/poll-source.ts, history): polling needs a key to read purchases with.
  listCredentials: ZettlePollCredentialsSchema,
  env: {
    signingKey: 'ZETTLE_SIGNING_KEY', accessToken: 'ZETTLE_ACCESS_TOKEN', apiKey: 'ZETTLE_API_KEY', clientId: 'ZETTLE_CLIENT_ID',
    purchaseBaseUrl: 'ZETTLE_PURCHASE_BASE_URL', oauthBaseUrl: 'ZETTLE_OAUTH_BASE_URL',
  },

  async verify(request: WebhookRequest, credentials: ZettleCredentials): Promise<VerifiedDelivery> {
    let message: Obj | undefined;
    try {
      message = obj(JSON.parse(request.rawBody.toString('utf8')));
    } catch {
      message = undefined;
    }
    if (!message || typeof message.eventName !== 'string') throw new SignatureError('the body is not a Zettle Pusher message (a JSON object with eventName)');
    if (message.eventName === 'TestMessage') {
      // Sent while a subscription is created, unsigned and before the key exists; it carries nothing to pass on.
      const org = typeof message.organizationUuid === 'string' ? ` for organization ${message.organizationUuid.slice(0, 64)}` : '';
      return { items: [], forged: [], control: { kind: 'test', note: `Zettle test message received${org}: the subscription can reach this URL` } };
    }
    if (credentials.signingKey.length === 0) {
      throw new InputError('signingKey', 'no Zettle signing key is configured, so purchases cannot be verified', 'paste the signingKey Zettle returned when the subscription was created (or set ZETTLE_SIGNING_KEY); Zettle retries refused messages for three days');
    }
    const signature = headerValue(request.headers, ZETTLE_SIGNATURE_HEADER)?.trim().toLowerCase();
    if (!signature) throw new SignatureError(`the ${ZETTLE_SIGNATURE_HEADER} header is missing`);
    if (!/^[0-9a-f]{64}$/.test(signature)) throw new SignatureError(`the ${ZETTLE_SIGNATURE_HEADER} header is not a hex HMAC-SHA256`);
    if (typeof message.timestamp !== 'string' || typeof message.payload !== 'string') {
      throw new SignatureError('the message has no timestamp and payload string, which is what Zettle signs');
    }
    // No window on the timestamp: Zettle retries the same signed message for up to three days, and the inbox
    // drops a replayed purchase by its id.
    const given = Buffer.from(signature, 'hex');
    const genuine = credentials.signingKey.some((key) => timingSafeEqual(Buffer.from(zettleSignature(message.timestamp as string, message.payload as string, key), 'hex'), given));
    if (!genuine) throw new SignatureError(`the ${ZETTLE_SIGNATURE_HEADER} does not match the timestamp and payload signed with the configured signing key`);
    return { items: [message], forged: [] };
  },

  async normalize(item: unknown, credentials: ZettleCredentials, ctx: SourceContext): Promise<PaymentEvent[]> {
    const message = obj(item) ?? {};
    const eventName = String(message.eventName ?? '');
    if (eventName !== ZETTLE_PURCHASE_EVENT) throw new IgnoredEventError(eventName, `only ${ZETTLE_PURCHASE_EVENT} is processed`);
    let purchase: Obj | undefined;
    try {
      purchase = obj(JSON.parse(String(message.payload)));
    } catch {
      purchase = undefined;
    }
    if (!purchase) throw new InputError('payload', 'the PurchaseCreated payload is not a JSON object', 'Zettle sends the purchase as a JSON string in "payload"; pass the message unchanged');
    const organizationUuid = typeof message.organizationUuid === 'string' ? message.organizationUuid : undefined;
    // The message's own time (ISO text) stands for a purchase that names none.
    return [await purchaseEvent(purchase, credentials, ctx, sentAtOr(message.timestamp, ctx), organizationUuid)];
  },

  async list(credentials: ZettleCredentials, page: ListPage, ctx: SourceContext): Promise<ListResult> {
    if (!ctx.http) throw new Error('Zettle polling needs an HTTP transport from the engine (SourceContext.http); the face did not provide one');
    const api = apiOf(credentials, ctx);
    // ZettlePollCredentialsSchema asks for a key: credentials without one were not parsed for polling.
    if (!api) throw new Error('Zettle polling was given credentials not parsed by zettleSource.listCredentials (no API key or access token)');
    // `since` starts a listing; a position goes on from itself ("to continue listing purchases from the next record
    // after the previous query", purchase.adoc). Sent with it too, a poll's since (a day back from each poll) would drop
    // every purchase between the position and that day after the poller was down longer.
    const { purchases, lastPurchaseHash } = await listZettlePurchases(api, {
      startDate: page.cursor ? undefined : page.since,
      lastPurchaseHash: page.cursor ?? undefined,
      limit: page.limit,
    });
    const events: PaymentEvent[] = [];
    for (const purchase of purchases) {
      try {
        events.push(await purchaseEvent(purchase, credentials, ctx, ctx.now().toISOString()));
      } catch (e) {
        if (!(e instanceof IgnoredEventError)) throw e;
      }
    }
    // An empty page keeps the old position: the next poll asks again from there.
    return { events, cursor: lastPurchaseHash ?? page.cursor, more: purchases.length > 0 && purchases.length >= Math.min(page.limit, 1000) };
  },
};

async function purchaseEvent(purchase: Obj, credentials: ZettleCredentials, ctx: SourceContext, readAt: string, organizationUuid?: string): Promise<PaymentEvent> {
  // A sale that is not a card purchase is ignored before it costs a request; a refund, card or not, reads its sale
  // when a token allows (a refund in cash counts when the sale was paid by card).
  const api = isRefund(purchase) ? apiOf(credentials, ctx) : undefined;
  if (!api) return normalizeZettlePurchase(purchase, { organizationUuid, readAt });
  const found = await zettleRefundContext(api, purchase, readAt);
  return normalizeZettlePurchase(purchase, { organizationUuid, readAt, ...(found ? { refund: found.context, refundedSale: found.sale } : {}) });
}

/** The Purchase API with the credential's key or token, when it has one and the engine gave an HTTP transport. */
function apiOf(credentials: ZettleCredentials, ctx: SourceContext): ZettleApi | undefined {
  const auth = ctx.http && zettleAuth(credentials, ctx.http);
  if (!auth || !ctx.http) return undefined;
  return { http: ctx.http, auth, baseUrl: credentials.purchaseBaseUrl ?? ZETTLE_PURCHASE_BASE_URL };
}
