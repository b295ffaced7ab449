import type { MatchResult } from '../core/contracts/customer';
import type { MatchConfig } from '../core/match/match-config';
import { matchConfigFromSettings, matchOutputOf, type MatchLabels, type MatchSettings } from '../core/match/operator-settings';
import { warmMatchIndexOnce } from '../core/match/warm-once';
import { matchStep } from '../core/steps/steps';
import { STORE_TYPE, type StoreNode } from './shared/config-types';
import { configNode } from './shared/config-node';
import type { NodeDef, NodeRedApi, RuntimeNode } from './shared/red-api';
import { handleInput } from './shared/step-node';

/** The settings as the dialog labels them (locales/en-US/terminal-match-customer.json). */
const FORM_LABELS: MatchLabels = { linkThreshold: 'Link threshold', reviewThreshold: 'Review threshold', autoMerge: 'Auto-merge', fieldByField: 'Field by field' };

function statusOf(RED: NodeRedApi, m: MatchResult): { status: string; fill: 'green' | 'yellow' } {
  const pct = `${Math.round(m.confidence * 100)}%`;
  if (m.decision === 'link') return { status: RED._('terminal-match-customer.status.link', { id: m.customerId ?? '', why: m.matchedOn.join(', ') || pct }), fill: 'green' };
  if (m.decision === 'review') return { status: RED._('terminal-match-customer.status.review', { id: m.candidateId ?? RED._('terminal-match-customer.status.someone'), pct }), fill: 'yellow' };
  return { status: RED._('terminal-match-customer.status.create'), fill: 'green' };
}

/**
 * Finds the customer a payment belongs to; the decision and its reasons travel on as msg.payload.match.
 * Link and create leave on the first output, review on the second. A node saved before the second output
 * existed has no `outputs` in its flow JSON: it keeps sending everything on its one output until it is
 * opened and deployed from the editor, so a payment never goes to an output nobody wired.
 */
export = function register(RED: NodeRedApi): void {
  RED.nodes.registerType('terminal-match-customer', function TerminalMatchCustomer(this: RuntimeNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const outputs = def.outputs === undefined ? 1 : Number(def.outputs);
    const settings = def as NodeDef & MatchSettings;
    let config: MatchConfig | undefined;
    const setup = async () => {
      const store = configNode<StoreNode>(RED, def.store, STORE_TYPE, 'Store');
      config ??= matchConfigFromSettings({
        linkThreshold: settings.linkThreshold,
        reviewThreshold: settings.reviewThreshold,
        autoMerge: settings.autoMerge,
        fieldByField: settings.fieldByField,
        defaultRegion: store.defaultRegion(),
      }, FORM_LABELS);
      return { crm: await store.crm('local'), config };
    };
    // Load the customers at deploy, so the first payment does not wait for them. A mistake in the settings
    // is reported on the first message, where a Catch node can see it.
    setup()
      .then(({ crm, config }) => warmMatchIndexOnce(crm, config))
      .then((n) => this.log(`${n} customers ready for matching`))
      .catch(() => undefined);
    handleInput(this, async (payload) => {
      const { crm, config } = await setup();
      const out = await matchStep(payload, crm, config);
      return { payload: out, output: matchOutputOf(out), ...statusOf(RED, out.match!) };
    }, outputs);
  });
};
