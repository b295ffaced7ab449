import { axiosTransport } from '../core/http/axios-transport';
import { firstPollSince, pollMaxPages, pollPageSize, pollSource, type PollOutcome } from '../core/pipeline/poll-source';
import { STORE_TYPE, type SourceAccountNode, type StoreNode } from './shared/config-types';
import { configNode } from './shared/config-node';
import type { NodeDef, NodeMessage, NodeRedApi, RuntimeNode } from './shared/red-api';
import { clockTime, repeatSeconds, runRepeatedly, startingRepeatSeconds } from './shared/repeating-run';
import { shortText } from './shared/short-text';
import { sourceAccountField } from './shared/trigger-accounts';

/** The store's token keys, so the inbox keeps tokenized events; without keys it keeps them as listed. */
function keysOf(store: StoreNode) {
  try {
    return store.tokenKeys();
  } catch {
    return undefined;
  }
}

/**
 * Terminal payment poll: for a Node-RED the processor cannot reach with a webhook. Every interval (and whenever a
 * message arrives) the core reads the payments made since the last poll through the processor's API, keeps them
 * in the store's inbox with the cursor, and this node sends one message per payment new to the inbox. Polls never
 * overlap: a tick while one runs is skipped, a message waits for it.
 */
export = function register(RED: NodeRedApi): void {
  RED.nodes.registerType('terminal-poll', function TerminalPoll(this: RuntimeNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const sourceName = typeof def.source === 'string' && def.source ? def.source : 'square';
    const settingsOf = () => ({
      cursorName: typeof def.cursorName === 'string' && def.cursorName.trim() ? def.cursorName.trim() : undefined,
      since: firstPollSince('First poll (h back)', def.lookBackHours),
      limit: pollPageSize('Page size', def.pageSize),
      maxPages: pollMaxPages('Pages per poll', def.maxPages),
    });
    const intervalSeconds = startingRepeatSeconds(def.interval);

    const poll = async (send: (msg: NodeMessage) => void): Promise<PollOutcome> => {
      repeatSeconds(def.interval);
      const settings = settingsOf();
      const field = sourceAccountField(sourceName);
      const account = configNode<SourceAccountNode>(RED, def[field.property], field.type, field.label);
      const store = configNode<StoreNode>(RED, def.store, STORE_TYPE, 'Store');
      this.status({ fill: 'blue', shape: 'ring', text: RED._('terminal-poll.status.polling') });
      const outcome = await pollSource({
        source: account.source(),
        credentials: account.sourceCredentials(),
        credentialPlace: account.credentialPlace(),
        store: await store.db(),
        keys: keysOf(store),
        cursorName: settings.cursorName,
        since: settings.since,
        limit: settings.limit,
        maxPages: settings.maxPages,
        http: axiosTransport(),
      });
      for (const event of outcome.events) send({ payload: event, topic: event.type });
      // What the poll read less than it was asked (a Square token that may not list the seller's locations).
      for (const note of outcome.notes ?? []) this.warn(RED._('terminal-poll.warn.note', { source: sourceName, note }));
      const at = clockTime(new Date());
      if (outcome.failure) {
        this.status({ fill: 'red', shape: 'ring', text: shortText(RED._('terminal-poll.status.failed', { count: outcome.events.length, error: outcome.failure.message })) });
      } else {
        const more = outcome.more ? RED._('terminal-poll.status.more') : '';
        this.status(
          outcome.events.length
            ? { fill: 'green', shape: 'dot', text: RED._('terminal-poll.status.found', { count: outcome.events.length, at, more }) }
            : { fill: 'grey', shape: 'dot', text: RED._('terminal-poll.status.nothingNew', { at, more }) },
        );
      }
      return outcome;
    };

    // Like n8n on activation: the first poll right after deploy, not one interval later.
    runRepeatedly(this, {
      intervalSeconds,
      idleStatus: intervalSeconds > 0 ? RED._('terminal-poll.status.every', { seconds: intervalSeconds }) : RED._('terminal-poll.status.onInput'),
      run: async (send) => (await poll(send)).failure,
    });
  });
};
