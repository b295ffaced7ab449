import { InputError } from '../core/errors';
import { receiveWebhook } from '../core/pipeline/receive-webhook';
import { ACCOUNT_TYPE, type AccountNode } from './shared/config-types';
import { configNode } from './shared/config-node';
import { shortText } from './shared/short-text';
import { addPostRoute, countRoutes, normalizeRoutePath } from './shared/http-route';
import { BodyTooLargeError, readRawBody } from './shared/raw-body';
import { claimRawBody } from './shared/raw-capture';
import type { HttpHandler, NodeDef, NodeRedApi, RuntimeNode } from './shared/red-api';
import { reply } from './shared/reply';

const DEFAULT_PATH = '/terminal-crm/stripe';

/**
 * Terminal payment trigger: its own POST route on Node-RED's HTTP server, with the body kept byte for byte
 * (claimRawBody), because a signature only verifies over the exact bytes sent and an http-in node hands on a
 * parsed body. The core decides; this node only answers the HTTP request and starts a flow for accepted payments.
 */
export = function register(RED: NodeRedApi): void {
  RED.nodes.registerType('terminal-trigger', function TerminalTrigger(this: RuntimeNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const path = normalizeRoutePath(typeof def.path === 'string' && def.path.trim() ? def.path : DEFAULT_PATH);
    const source = typeof def.source === 'string' && def.source ? def.source : 'stripe';
    const secrets = () => configNode<AccountNode>(RED, def.account, ACCOUNT_TYPE, 'Stripe account').signingSecrets();

    const answer = async (req: Parameters<HttpHandler>[0], res: Parameters<HttpHandler>[1]): Promise<void> => {
      const rawBody = await readRawBody(req);
      const outcome = receiveWebhook(source, { rawBody, headers: req.headers }, secrets());
      if ('event' in outcome) {
        this.send({ payload: outcome.event, topic: outcome.event.type });
        this.status({ fill: 'green', shape: 'dot', text: shortText(`payment ${outcome.event.id}`) });
        reply(res, 200, `received ${outcome.event.id}`);
      } else if ('ignored' in outcome) {
        this.status({ fill: 'grey', shape: 'dot', text: shortText(`ignored: ${outcome.ignored}`) });
        reply(res, 200, `ignored: ${outcome.ignored}`);
      } else if ('misconfigured' in outcome) {
        this.error(outcome.misconfigured);
        this.status({ fill: 'red', shape: 'ring', text: shortText(outcome.misconfigured) });
        reply(res, 500, outcome.misconfigured);
      } else {
        this.warn(`Rejected a webhook on POST ${path}: ${outcome.rejected}`);
        this.status({ fill: 'red', shape: 'ring', text: shortText(`rejected: ${outcome.rejected}`) });
        reply(res, outcome.status, `rejected: ${outcome.rejected}`);
      }
    };

    const handler: HttpHandler = (req, res) => {
      answer(req, res).catch((err: unknown) => {
        const error = err instanceof Error ? err : new Error(String(err));
        this.status({ fill: 'red', shape: 'ring', text: shortText(error.message) });
        if (error instanceof BodyTooLargeError) return reply(res, 413, `rejected: ${error.message}`, { connection: 'close' });
        this.error(error.message);
        // A 5xx makes the processor retry later; a missing account (read before the core is asked) says the fix.
        reply(res, 500, error instanceof InputError ? error.message : 'the trigger failed; see the Node-RED log');
      });
    };

    if (countRoutes(RED.httpNode, path) > 0) {
      this.warn(`Another node already listens on ${path}; the one deployed first answers. Give each trigger its own path.`);
    }
    const releaseBody = claimRawBody(RED, path);
    const removeRoute = addPostRoute(RED.httpNode, path, handler);
    this.status({ fill: 'grey', shape: 'ring', text: `waiting on POST ${path}` });
    try {
      if (secrets().length === 0) throw new InputError('Signing secret', 'the selected Stripe account has none', 'paste the endpoint\'s whsec_… secret into the Stripe account');
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
