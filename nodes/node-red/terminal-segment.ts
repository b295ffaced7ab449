import { flushResultsFields } from '../core/outbox/field-updates';
import { runSegmentBatch, type BatchResult } from '../core/segment/batch';
import { summarizeBatch } from '../core/segment/scheduled-run';
import type { SegmentResult } from '../core/segment/segment-step';
import { segmentStep } from '../core/segment/segment-step';
import { STORE_TYPE, type StoreNode } from './shared/config-types';
import { configNode } from './shared/config-node';
import type { NodeDef, NodeRedApi, NodeStatus, RuntimeNode } from './shared/red-api';
import { crmStatusOf, fieldCrmOf } from './shared/field-crm';
import { handleInput } from './shared/step-node';
import { segmentConfigOfNode, segmentModeOf } from './shared/step-settings';

function statusOf(s: SegmentResult): { status: string; fill: NodeStatus['fill'] } {
  if (s.outcome === 'skipped') return { status: `skipped: ${s.reason ?? ''}`, fill: 'yellow' };
  const flags = s.flags ? (['highValue', 'atRisk', 'anomaly'] as const).filter((f) => s.flags![f]) : [];
  const shown = [s.name ?? 'no segment yet', ...flags.map((f) => ({ highValue: 'high value', atRisk: 'at risk', anomaly: 'unusual' })[f])];
  const fill = s.crmSync?.status === 'rejected' || s.crmSync?.status === 'dead' ? 'yellow' : 'green';
  return { status: `${s.outcome === 'duplicate' ? 'duplicate: ' : ''}${shown.join(' · ')}${crmStatusOf(s.crmSync)}`, fill };
}

function batchStatus(r: BatchResult): string {
  const customers = r.currencies.reduce((n, c) => n + c.customers, 0);
  const queued = r.currencies.reduce((n, c) => n + c.fieldsQueued, 0);
  return `recomputed ${customers} customer(s) in ${r.currencies.length} currenc${r.currencies.length === 1 ? 'y' : 'ies'}${queued ? `, ${queued} queued for the CRM` : ''}`;
}

/**
 * The Segment step. "On payment" (after CRM upsert): updates the customer and adds msg.payload.segment, so a
 * Switch node can branch on segment.flags.highValue. "Recompute all" (from an Inject node on a schedule):
 * scores every customer against the others and writes their fields; msg.payload becomes the run's summary.
 */
export = function register(RED: NodeRedApi): void {
  RED.nodes.registerType('terminal-segment', function TerminalSegment(this: RuntimeNode, def: NodeDef) {
    RED.nodes.createNode(this, def);
    handleInput(this, async (payload) => {
      const store = configNode<StoreNode>(RED, def.store, STORE_TYPE, 'Store');
      const recompute = segmentModeOf(RED, def) === 'recompute';
      const config = segmentConfigOfNode(def);
      const crm = fieldCrmOf(RED, def, !recompute);
      const db = await store.db();
      if (recompute) {
        const result = await runSegmentBatch(db, config, { crm: crm?.target });
        return { payload: summarizeBatch(result), status: batchStatus(result) };
      }
      const out = await segmentStep(payload, { db, config, crm: crm?.target });
      if (crm) await flushResultsFields({ db, adapter: crm.adapter }, [out.segment], crm.deadlineMs);
      return { payload: out, ...statusOf(out.segment) };
    });
  });
};
