import { flushResultsFields } from '../core/outbox/field-updates';
import { membershipEventMessages } from '../core/loyalty/event-messages';
import type { LoyaltyResult } from '../core/loyalty/loyalty-step';
import { loyaltyStep } from '../core/loyalty/loyalty-step';
import { reviewLoyalty } from '../core/loyalty/review';
import { summarizeReview } from '../core/segment/scheduled-run';
import { STORE_TYPE, type StoreNode } from './shared/config-types';
import { configNode } from './shared/config-node';
import type { NodeDef, NodeRedApi, NodeStatus, RuntimeNode } from './shared/red-api';
import { crmStatusOf, fieldCrmOf } from './shared/field-crm';
import { handleInput } from './shared/step-node';
import { loyaltyModeOf, loyaltyProgramOfNode } from './shared/step-settings';
import { nodeRedConsumer } from './shared/consumer-name';

function statusOf(l: LoyaltyResult): { status: string; fill: NodeStatus['fill'] } {
  if (l.outcome === 'skipped') return { status: `skipped: ${l.reason ?? ''}`, fill: 'yellow' };
  const event = l.events.map((e) => (e.type === 'enrolled' ? 'enrolled' : `tier ${e.to ?? 'none'}`)).join(', ');
  const m = l.member;
  const state = !m ? l.outcome : m.enrolled ? `${m.pointsBalance} points${m.tier ? ` · ${m.tier}` : ''}` : 'not a member yet';
  const fill = l.crmSync?.status === 'rejected' || l.crmSync?.status === 'dead' ? 'yellow' : 'green';
  return { status: `${l.outcome === 'duplicate' ? 'duplicate: ' : ''}${event ? `${event} · ` : ''}${state}${crmStatusOf(l.crmSync)}`, fill };
}

/**
 * The Loyalty step with two outputs: every payment (msg.payload.loyalty added) on the first, and one message
 * per enrollment or tier change (msg.payload.loyaltyEvent) on the second, for the welcome message. Set to
 * "review" (driven by an Inject node on a schedule) it expires points and re-tiers members instead.
 */
export = function register(RED: NodeRedApi): void {
  RED.nodes.registerType('terminal-loyalty-enroll', function TerminalLoyaltyEnroll(this: RuntimeNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    handleInput(this, async (payload) => {
      const store = configNode<StoreNode>(RED, def.store, STORE_TYPE, 'Store');
      const review = loyaltyModeOf(RED, def) === 'review';
      const program = loyaltyProgramOfNode(def, RED);
      const crm = fieldCrmOf(RED, def, !review);
      const db = await store.db();
      if (review) {
        const reviewed = await reviewLoyalty(db, program, { crm: crm?.target });
        const status = `reviewed: ${reviewed.pointsExpired} points expired, ${reviewed.events.length} tier change(s)`;
        return { payload: summarizeReview(program.id, reviewed), derived: reviewed.events.map((loyaltyEvent) => ({ loyaltyEvent })), status };
      }
      const out = await loyaltyStep(payload, { db, program, crm: crm?.target, consumer: nodeRedConsumer(def) });
      if (crm) await flushResultsFields({ db, adapter: crm.adapter }, [out.loyalty], crm.deadlineMs);
      return { payload: out, derived: membershipEventMessages(out), ...statusOf(out.loyalty) };
    }, 2);
  });
};
