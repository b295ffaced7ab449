import { parseReviewAction, resolveReview, type ReviewFields } from '../core/identity/resolve-review';
import { InputError } from '../core/errors';
import { STORE_TYPE, type StoreNode } from './shared/config-types';
import { configNode } from './shared/config-node';
import type { NodeDef, NodeMessage, NodeRedApi, RuntimeNode } from './shared/red-api';
import { shortText } from './shared/short-text';

type Payload = { match?: { candidateId?: unknown }; crm?: { customerId?: unknown }; [key: string]: unknown };

const text = (v: unknown) => (typeof v === 'string' ? v : '');
const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && !v.trim());

/** The node's Reason; not text (a flow edited by hand) it is refused, where read as empty it would be lost. */
function ownReason(v: unknown): string {
  if (v === undefined || v === null || typeof v === 'string') return text(v);
  throw new InputError('Reason', `${JSON.stringify(v)} is not text`, 'open this node, write the reason as text (or leave it empty) and deploy');
}

/** The values come with the message, so an error names where in it they were looked for. */
const MESSAGE_FIELDS: ReviewFields = {
  candidate: { field: 'msg.payload.match.candidateId', what: "send this node the message of Match Customer's review output after it went through CRM Upsert" },
  recorded: { field: 'msg.payload.crm.customerId', what: 'put this node after CRM Upsert, which sets it to the customer the payment was recorded under' },
  reason: { field: 'msg.reason', what: 'set it to the text of the answer, or leave it out to use the Reason in the node' },
};

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
            candidateId: payload.match?.candidateId,
            recordedId: payload.crm?.customerId,
            reason: blank(msg.reason) ? ownReason(def.reason) : msg.reason,
            actor: 'node-red',
            via: `node-red ${text(def.name) || 'terminal resolve review'}`,
            fields: MESSAGE_FIELDS,
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
