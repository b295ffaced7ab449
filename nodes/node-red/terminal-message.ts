import { flushQueuedMessages, messageStep } from '../core/messages/message-step';
import { messageSettingsFromForm } from '../core/messages/settings';
import { STORE_TYPE, type StoreNode } from './shared/config-types';
import { configNode } from './shared/config-node';
import type { DoneFn, NodeDef, NodeMessage, NodeRedApi, RuntimeNode, SendFn } from './shared/red-api';
import { formChoice } from './shared/form-choice';
import { shortText } from './shared/short-text';

/** The dialog's labels (locales/en-US/terminal-message.json), for errors; fields sharing a row are told apart. */
const LABELS: Record<string, string> = {
  kind: 'Message', shopName: 'Shop name', to: 'Alert to', locale: 'Locale', locationNames: 'Locations',
  quietStart: 'Quiet hours (from)', quietEnd: 'Quiet hours (until)', timeZone: 'Time zone', recentPayments: 'Recent payments',
  declinesPer: 'Count per', minDeclines: 'Alert at (declines)', minRate: 'Alert at (rate)', windowMinutes: 'Alert at (minutes)',
};

const asError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));

/**
 * Composes the templates' messages (thank-you, alerts, loyalty, refund) with the core message step: a message
 * that calls for one leaves with msg.payload.message added; the others stop here, with the reason in the status.
 * In "flush" mode (after an Inject on a schedule) it sends on the messages quiet hours held back, one per msg.
 */
export = function register(RED: NodeRedApi): void {
  RED.nodes.registerType('terminal-message', function TerminalMessage(this: RuntimeNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    this.on('input', (msg: NodeMessage, send: SendFn, done: DoneFn) => {
      const run = async () => {
        const store = configNode<StoreNode>(RED, def.store, STORE_TYPE, 'Store');
        const db = await store.db();
        if (formChoice(RED, 'terminal-message', 'mode', 'Mode', def.mode, ['compose', 'flush'], 'compose') === 'flush') {
          const released = await flushQueuedMessages(db, new Date(), 100, messageSettingsFromForm({ kind: def.kind }).kind);
          for (const payload of released) send({ ...msg, payload });
          this.status({ fill: 'green', shape: 'dot', text: RED._('terminal-message.status.released', { count: released.length }) });
          return;
        }
        const result = await messageStep(msg.payload, { db, settings: messageSettingsFromForm(def, LABELS) });
        const to = result.message?.to ? ` to ${result.message.to}` : '';
        const text =
          result.outcome === 'send' ? `${result.message!.kind}${to}`
            : result.outcome === 'queued' ? `queued until ${result.message!.queuedUntil ?? ''}`
              : `${result.outcome}: ${result.reason ?? ''}`;
        this.status({ fill: result.outcome === 'send' ? 'green' : result.outcome === 'queued' ? 'blue' : 'grey', shape: 'dot', text: shortText(text) });
        for (const payload of result.items) send({ ...msg, payload });
      };
      run().then(() => done(), (e: unknown) => {
        const error = asError(e);
        this.status({ fill: 'red', shape: 'ring', text: shortText(error.message) });
        done(error);
      });
    });
  });
};
