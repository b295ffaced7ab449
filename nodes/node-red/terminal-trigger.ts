import { InputError } from '../core/errors';
import { SqlInbox } from '../core/inbox/inbox';
import { axiosTransport } from '../core/http/axios-transport';
import { receiveWebhook } from '../core/pipeline/receive-webhook';
import { parseSourceCredentials } from '../core/sources/source-credentials';
import { scrubbedError } from '../core/tokenize/scrub-error';
import { STORE_TYPE, type SourceAccountNode, type StoreNode } from './shared/config-types';
import { configNode } from './shared/config-node';
import { shortText } from './shared/short-text';
import { triggerPublicUrl } from '../core/pipeline/trigger-public-url';
import { addPostRoute, countRoutes, triggerPath } from './shared/http-route';
import { BodyTooLargeError, readRawBody } from './shared/raw-body';
import { claimRawBody } from './shared/raw-capture';
import type { HttpHandler, NodeDef, NodeRedApi, RuntimeNode } from './shared/red-api';
import { reply } from './shared/reply';
import { requestUrl, sourceAccountField } from './shared/trigger-accounts';
import { nodeRedConsumer } from './shared/consumer-name';

/**
 * Terminal payment trigger: its own POST route on Node-RED's HTTP server, with the body kept byte for byte
 * (claimRawBody), because a signature only verifies over the exact bytes sent and an http-in node hands on a
 * parsed body. The core decides and picks the answer; this node writes it and starts a flow per accepted event.
 */
/** The store's token keys, so the inbox keeps tokenized events; without keys it keeps them as verified. */
function keysOf(store: StoreNode) {
  try {
    return store.tokenKeys();
  } catch {
    return undefined;
  }
}

export = function register(RED: NodeRedApi): void {
  RED.nodes.registerType('terminal-trigger', function TerminalTrigger(this: RuntimeNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const sourceName = typeof def.source === 'string' && def.source ? def.source : 'stripe';
    let path: string;
    let publicUrl: string | undefined;
    try {
      path = triggerPath(def.path, sourceName);
      publicUrl = triggerPublicUrl('Public URL', def.publicUrl);
    } catch (e) {
      // No route at all: a pattern would take other URLs' posts, a path no URL reaches would wait for ever, and a
      // Public URL that is none would fail every Square delivery's signature.
      this.status({ fill: 'red', shape: 'ring', text: shortText((e as Error).message) });
      this.error((e as Error).message);
      return;
    }
    const account = () => {
      const field = sourceAccountField(sourceName);
      return configNode<SourceAccountNode>(RED, def[field.property], field.type, field.label);
    };
    const store = () => (typeof def.store === 'string' && def.store ? configNode<StoreNode>(RED, def.store, STORE_TYPE, 'Store') : undefined);

    const answer = async (req: Parameters<HttpHandler>[0], res: Parameters<HttpHandler>[1]): Promise<void> => {
      const receivedAt = new Date();
      const rawBody = await readRawBody(req);
      const acct = account();
      const inboxStore = store();
      const db = inboxStore ? await inboxStore.db() : undefined;
      const outcome = await receiveWebhook(
        acct.source(),
        { rawBody, headers: req.headers, method: req.method ?? 'POST', url: publicUrl ?? requestUrl(req), receivedAt },
        { credentials: acct.sourceCredentials(), credentialPlace: acct.credentialPlace(), inbox: inboxStore && db ? new SqlInbox(db, keysOf(inboxStore), nodeRedConsumer(def)) : undefined, store: db, http: axiosTransport() },
      );
      for (const event of outcome.events) this.send({ payload: event, topic: event.type });
      if (outcome.report.forged.length) this.warn(RED._('terminal-trigger.warn.forged', { count: outcome.report.forged.length, path, reasons: outcome.report.forged.map((f) => f.reason).join('; ') }));
      if (outcome.report.control) this.log(outcome.report.control.note);
      if (outcome.misconfigured) {
        this.error(outcome.misconfigured);
        this.status({ fill: 'red', shape: 'ring', text: shortText(outcome.misconfigured) });
      } else if (outcome.rejected) {
        this.warn(RED._('terminal-trigger.warn.rejected', { path, reason: outcome.rejected }));
        this.status({ fill: 'red', shape: 'ring', text: shortText(RED._('terminal-trigger.status.rejected', { reason: outcome.rejected })) });
      } else if (outcome.events.length) {
        this.status({ fill: 'green', shape: 'dot', text: shortText(RED._('terminal-trigger.status.payment', { id: outcome.events.at(-1)!.id })) });
      } else {
        const why = outcome.report.control?.note ?? (outcome.report.duplicates.length
            ? RED._('terminal-trigger.status.duplicate', { id: outcome.report.duplicates[0]! })
            : RED._('terminal-trigger.status.ignored', { reason: outcome.report.ignored[0] ?? RED._('terminal-trigger.status.nothingToPassOn') }));
        this.status({ fill: 'grey', shape: 'dot', text: shortText(why) });
      }
      if (res.headersSent) return;
      res.statusCode = outcome.answer.status;
      res.setHeader('content-type', outcome.answer.contentType);
      res.end(outcome.answer.body);
    };

    const handler: HttpHandler = (req, res) => {
      answer(req, res).catch((err: unknown) => {
        // Scrubbed of card data (scrubError): an error the core did not build may quote the delivery or a processor.
        const error = scrubbedError(err);
        this.status({ fill: 'red', shape: 'ring', text: shortText(error.message) });
        if (error instanceof BodyTooLargeError) return reply(res, 413, `rejected: ${error.message}`, { connection: 'close' });
        this.error(error.message);
        // A 5xx makes the processor retry later; a missing account (read before the core is asked) says the fix.
        reply(res, 500, error instanceof InputError ? error.message : 'the trigger failed; see the Node-RED log');
      });
    };

    if (countRoutes(RED.httpNode, path) > 0) {
      this.warn(RED._('terminal-trigger.warn.pathTaken', { path }));
    }
    const releaseBody = claimRawBody(RED, path);
    const removeRoute = addPostRoute(RED.httpNode, path, handler);
    this.status({ fill: 'grey', shape: 'ring', text: RED._('terminal-trigger.status.waiting', { path }) });
    try {
      const acct = account();
      parseSourceCredentials(acct.source(), acct.sourceCredentials(), acct.credentialPlace());
      if (!store()) this.warn(RED._('terminal-trigger.warn.noStore'));
    } catch (e) {
      this.status({ fill: 'red', shape: 'ring', text: shortText((e as Error).message) });
      this.error((e as Error).message);
    }

    this.on('close', () => {
      removeRoute();
      releaseBody();
      this.status({});
    });
  });
};
