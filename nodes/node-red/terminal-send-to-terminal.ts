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
        const given = fieldsOf(msg.payload);
        const outcome = inDialogTerms(await pushSaleFromFields(push, { ...defaults, ...given }), given);
        msg.push = outcome;
        const where = outcome.paymentId ? ` (${outcome.paymentId})` : '';
        // A sale refused before it was sent says why: the reader alone would not tell which setting to correct.
        const why = outcome.outcome === 'rejected' && !outcome.vendorCode ? `: ${outcome.message.replace(/^The sale was not sent: /, '')}` : '';
        node.status({ ...STATUS[outcome.outcome], text: shortText(`${outcome.outcome} ${outcome.readerId}${where}${why}`) });
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

/** The sale's fields as the dialog labels them (locales/en-US/terminal-send-to-terminal.json); the unit sits in Amount's row. */
const LABELS: Record<string, string> = {
  readerId: 'Reader', amount: 'Amount', amountUnit: 'Amount (unit)', currency: 'Currency', customerId: 'Customer', crmRecordId: 'CRM record',
  reference: 'Reference', description: 'Description',
};

/**
 * A refusal of the sale's fields named where the value came from: the message's field (msg.payload.amount), or the
 * node's setting by its label (Amount); the core names its own field (amountUnit).
 */
function inDialogTerms(outcome: PushOutcome, given: SaleFields): PushOutcome {
  const field = outcome.outcome === 'rejected' ? outcome.field : undefined;
  if (!field || !(field in LABELS)) return outcome;
  const name = field in given ? `msg.payload.${field}` : LABELS[field]!;
  return { ...outcome, message: outcome.message.replace(new RegExp(`(^|: |\\b)${field}\\b`), `$1${name}`) };
}

/** The sale fields msg.payload sets; absent, null and empty ones leave the node's property in place. */
function fieldsOf(payload: unknown): SaleFields {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return {};
  const p = payload as Record<string, unknown>;
  return Object.fromEntries(SALE_FIELDS.filter((k) => p[k] !== undefined && p[k] !== null && p[k] !== '').map((k) => [k, p[k]]));
}
