import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { SqlInbox } from '../../core/inbox/inbox';
import { receiveWebhook } from '../../core/pipeline/receive-webhook';
import type { Source } from '../../core/sources/source';
import { openDatabase } from '../../core/store/open-database';
import { keyProviderFromSpec } from '../../core/tokenize/key-provider';
import { readCrmStoreCredential } from '../shared/crm-store-credential';
import { n8nHttpTransport } from '../shared/n8n-http-transport';
import { toItemJson } from '../shared/item-json';
import { toNodeError } from '../shared/node-error';
import { credentialTypeOf, sourceCredentialPlace } from './source-credentials';
import { n8nConsumer } from '../shared/consumer-name';

/** The bits of n8n's request/response (Express) the trigger uses. */
interface WebhookRequest {
  rawBody?: Buffer;
  readRawBody?: () => Promise<void>;
  headers: Record<string, string | string[] | undefined>;
  method?: string;
}
interface WebhookResponse {
  status(code: number): WebhookResponse;
  type(contentType: string): WebhookResponse;
  send(body: string): unknown;
}

/**
 * Verifies one delivery, keeps its events in the store's inbox and answers exactly as the processor expects
 * (the source decides: Adyen's "[accepted]", JSON for the others, a 4xx with the reason for a forgery). The
 * trigger writes its own answers (noWebhookResponse) so a bad signature can get a 4xx the processor logs.
 */
export async function answerWebhook(
  ctx: IWebhookFunctions,
  source: Source<unknown>,
  credentials: Record<string, unknown>,
  selectedTypes: readonly string[] | undefined,
  publicUrl: string,
): Promise<IWebhookResponseData> {
  const req = ctx.getRequestObject() as unknown as WebhookRequest;
  const res = ctx.getResponseObject() as unknown as WebhookResponse;
  // The signature covers the exact bytes sent; n8n keeps them as rawBody next to the parsed body.
  if (!req.rawBody && req.readRawBody) await req.readRawBody();
  const rawBody = req.rawBody ?? Buffer.alloc(0);
  const receivedAt = new Date();

  let outcome: Awaited<ReturnType<typeof receiveWebhook>>;
  try {
    const store = readCrmStoreCredential(await ctx.getCredentials('terminalCrmStore'));
    // Each workflow's trigger passes an event on once, even when another workflow on the store took it first.
    const db = await openDatabase(store.storeUrl);
    const inbox = new SqlInbox(db, store.tokenKeys.trim() ? keyProviderFromSpec(store.tokenKeys, 'Token Keys') : undefined, n8nConsumer(ctx));
    outcome = await receiveWebhook(
      source,
      { rawBody, headers: req.headers, method: req.method ?? 'POST', url: publicUrl, receivedAt },
      { credentials, credentialPlace: sourceCredentialPlace(source.name), inbox, store: db, selectedTypes, http: n8nHttpTransport(ctx, credentialTypeOf(source.name)) },
    );
  } catch (error) {
    throw toNodeError(ctx.getNode(), error);
  }
  if (outcome.misconfigured) ctx.logger.error(`Terminal Payment Trigger: ${outcome.misconfigured}`);
  if (outcome.report.forged.length > 0) {
    ctx.logger.warn(`Terminal Payment Trigger: dropped ${outcome.report.forged.length} forged item(s): ${outcome.report.forged.map((f) => f.reason).join('; ')}`);
  }
  if (outcome.report.control) ctx.logger.info(`Terminal Payment Trigger: ${outcome.report.control.note}`);
  res.status(outcome.answer.status).type(outcome.answer.contentType).send(outcome.answer.body);
  if (outcome.events.length === 0) return { noWebhookResponse: true };
  return { noWebhookResponse: true, workflowData: [outcome.events.map((event) => ({ json: toItemJson(event) }))] };
}
