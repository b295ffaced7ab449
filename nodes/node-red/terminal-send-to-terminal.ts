import { pushSaleFromFields, type SaleFields } from '../core/terminal-push/sale-fields';
import type { PushOutcome } from '../core/terminal-push/terminal-push';
import { terminalPushFrom } from './shared/push-accounts';
import type { DoneFn, NodeDef, NodeMessage, NodeRedApi, NodeStatus, RuntimeNode, SendFn } from './shared/red-api';
import { shortText } from './shared/short-text';

/** The sale's fields a message may carry in msg.payload; the node's own properties fill in the rest. */
const SALE_FIELDS = ['readerId', 'amount', 'amountUnit', 'currency', 'customerId', 'crmRecordId', 'reference', 'description', 'processorCustomerId'] as const;

/** How each outcome shows under the node: a sale on the reader is green, a reader to look at yellow, a stop grey, a refusal red. */
const STATUS: Record<PushOutcome['outcome'], Pick<NodeStatus, 'fill' | 'shape'>> = {
  sent: { fill: 'green', shape: 'dot' },
  offline: { fill: 'yellow', shape: 'ring' },
  busy: { fill: 'yellow', shape: 'ring' },
  cancelled: { fill: 'grey', shape: 'ring' },
  declined: { fill: 'red', shape: 'ring' },
  rejected: { fill: 'red', shape: 'ring' },
};

/**
 * Pushes a sale from a CRM record to a card reader (help: terminal-send-to-terminal.html). Every outcome, offline
 * and declined included, leaves as msg.push with msg.payload untouched; only a refused key or a vendor that did not
 * answer goes to done(err), for a Catch node.
 */
export = function register(RED: NodeRedApi): void {
  RED.nodes.registerType('terminal-send-to-terminal', function TerminalSendToTerminal(this: RuntimeNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const processor = typeof def.processor === 'string' && def.processor ? def.processor : 'stripe';
    const defaults: SaleFields = Object.fromEntries(SALE_FIELDS.map((k) => [k, def[k]]));

    node.on('input', (msg: NodeMessage, send: SendFn, done: DoneFn) => {
      const run = async () => {
        const push = terminalPushFrom(RED, processor, def);
        const outcome = await pushSaleFromFields(push, { ...defaults, ...fieldsOf(msg.payload) });
        msg.push = outcome;
        const where = outcome.paymentId ? ` (${outcome.paymentId})` : '';
        node.status({ ...STATUS[outcome.outcome], text: shortText(`${outcome.outcome} ${outcome.readerId}${where}`) });
        send(msg);
        done();
      };
      run().catch((e: unknown) => {
        const error = e instanceof Error ? e : new Error(String(e));
        node.status({ fill: 'red', shape: 'ring', text: shortText(error.message) });
        done(error);
      });
    });
  });
};

/** The sale fields msg.payload sets; absent, null and empty ones leave the node's property in place. */
function fieldsOf(payload: unknown): SaleFields {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return {};
  const p = payload as Record<string, unknown>;
  return Object.fromEntries(SALE_FIELDS.filter((k) => p[k] !== undefined && p[k] !== null && p[k] !== '').map((k) => [k, p[k]]));
}
