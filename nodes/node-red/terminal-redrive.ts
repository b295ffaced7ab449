import { optionalSaasCrmName } from '../core/crm/crm-names';
import { DEFAULT_REDRIVE_AFTER_MS, type RedriveReport } from '../core/inbox/redrive';
import { redriveLimit, redriveRunAfterMs } from '../core/inbox/redrive-settings';
import { redrivePayments } from '../core/pipeline/redrive-payments';
import type { PaymentMessage } from '../core/contracts/payment-message';
import { STORE_TYPE, type StoreNode } from './shared/config-types';
import { configNode } from './shared/config-node';
import type { NodeDef, NodeMessage, NodeRedApi, RuntimeNode } from './shared/red-api';
import { clockTime, repeatSeconds, runRepeatedly, startingRepeatSeconds } from './shared/repeating-run';
import { shortText } from './shared/short-text';

/**
 * Terminal redrive: finishes the payments a trigger on this store accepted (answered 2xx) that no flow finished —
 * Node-RED stopped between the answer and the CRM write, or a step failed. Every interval (and on any message) the
 * core runs each through tokenize → match → CRM Upsert (help: terminal-redrive.html) and queues it for the SaaS
 * CRMs the store sends to and the one "Also queue for" names; one message per finished payment, as CRM Upsert sends
 * it, so Segment and Loyalty can follow.
 */
export = function register(RED: NodeRedApi): void {
  RED.nodes.registerType('terminal-redrive', function TerminalRedrive(this: RuntimeNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const intervalSeconds = startingRepeatSeconds(def.interval);

    const redrive = async (send: (msg: NodeMessage) => void): Promise<RedriveReport<PaymentMessage>> => {
      repeatSeconds(def.interval);
      const olderThanMs = redriveRunAfterMs('Older than', def.olderThan, DEFAULT_REDRIVE_AFTER_MS);
      // Read per run, so a wrong value is this run's error by name, not 0 → 100 or -5 → 1 without a word.
      const limit = redriveLimit('At most', def.limit);
      const crm = optionalSaasCrmName(def.crm, 'Also queue for');
      const store = configNode<StoreNode>(RED, def.store, STORE_TYPE, 'Store');
      const report = await redrivePayments(await store.db(), { keys: store.tokenKeys(), defaultRegion: store.defaultRegion(), olderThanMs, limit, crms: crm ? [crm] : [] });
      for (const r of report.redriven) send({ payload: r.result, topic: 'redriven' });
      const at = clockTime(new Date());
      if (report.failed.length > 0) this.status({ fill: 'red', shape: 'ring', text: shortText(RED._('terminal-redrive.status.failed', { redriven: report.redriven.length, failed: report.failed.length, at, error: report.failed[0]!.error })) });
      else this.status({ fill: report.redriven.length ? 'green' : 'grey', shape: 'dot', text: RED._('terminal-redrive.status.done', { redriven: report.redriven.length, at, waiting: report.waiting }) });
      return report;
    };

    // Right after deploy too: a Node-RED that restarted after a crash finishes what it had accepted.
    runRepeatedly(this, {
      intervalSeconds,
      idleStatus: intervalSeconds > 0 ? RED._('terminal-redrive.status.every', { seconds: intervalSeconds }) : RED._('terminal-redrive.status.onInput'),
      run: async (send) => {
        const report = await redrive(send);
        return report.failed.length ? new Error(report.failed.map((f) => `${f.eventId}: ${f.error}`).join('; ')) : undefined;
      },
    });
  });
};
