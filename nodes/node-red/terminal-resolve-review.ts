import { parseReviewAction, resolveReview } from '../core/identity/resolve-review';
import { STORE_TYPE, type StoreNode } from './shared/config-types';
import { configNode } from './shared/config-node';
import type { NodeDef, NodeMessage, NodeRedApi, RuntimeNode } from './shared/red-api';
import { shortText } from './shared/short-text';

type Payload = { match?: { candidateId?: unknown }; crm?: { customerId?: unknown }; [key: string]: unknown };

const text = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * Terminal resolve review: after CRM Upsert on the needs-review path, links the review payment's new customer to
 * the candidate Match Customer proposed (a recorded merge) or keeps them apart (help: terminal-resolve-review.html).
 */
export = function register(RED: NodeRedApi): void {
  RED.nodes.registerType('terminal-resolve-review', function TerminalResolveReview(this: RuntimeNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const setting = typeof def.decision === 'string' ? def.decision : 'link';
    this.on('input', (msg: NodeMessage, send, done) => {
      void (async () => {
        try {
          const store = configNode<StoreNode>(RED, def.store, STORE_TYPE, 'Store');
          const payload = (msg.payload ?? {}) as Payload;
          // "msg": a person's answer arrives with the message (msg.decision), e.g. from a dashboard button.
          const action = parseReviewAction(setting === 'msg' ? msg.decision : setting, setting === 'msg' ? 'msg.decision' : 'Decision');
          const review = await resolveReview(await store.db(), {
            action,
            candidateId: text(payload.match?.candidateId),
            recordedId: text(payload.crm?.customerId),
            reason: text(msg.reason) || text(def.reason),
            actor: 'node-red',
            via: `node-red ${text(def.name) || 'terminal resolve review'}`,
          });
          const said =
            review.action === 'link'
              ? RED._('terminal-resolve-review.status.linked', { recorded: review.recordedId, candidate: review.candidateId })
              : RED._('terminal-resolve-review.status.keptApart', { recorded: review.recordedId });
          this.status({ fill: 'green', shape: 'dot', text: shortText(said) });
          send({ ...msg, payload: { ...payload, review } });
          done();
        } catch (e) {
          const error = e instanceof Error ? e : new Error(String(e));
          this.status({ fill: 'red', shape: 'ring', text: shortText(error.message) });
          done(error);
        }
      })();
    });
  });
};
