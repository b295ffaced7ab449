import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import type { INodeProperties, INodeTypeDescription, TriggerPanelDefinition } from 'n8n-workflow';
import { STRIPE_HANDLED_EVENT_TYPES } from '../../nodes/core/sources/stripe-terminal';
import { crmSyncLimits, MAX_SYNC_DEADLINE_SECONDS } from '../../nodes/core/outbox/sync-run';
import { DECLINE_RULE_LIMITS } from '../../nodes/core/messages/decline-rate';
import { MAX_RECENT_PAYMENTS, messageSettingsFromForm } from '../../nodes/core/messages/settings';
import { loyaltyProgramFromSettings, type LoyaltySettings } from '../../nodes/core/loyalty/operator-settings';
import { flushDeadlineMs, MAX_FLUSH_SECONDS } from '../../nodes/core/outbox/field-updates';
import { HIGH_VALUE_TOP_PERCENT } from '../../nodes/core/segment/config';
import { DEFAULT_REDRIVE_LIMIT, MIN_REDRIVE_LIMIT } from '../../nodes/core/inbox/redrive';
import { redriveLimit } from '../../nodes/core/inbox/redrive-settings';
import { segmentConfigFromSettings } from '../../nodes/core/segment/operator-settings';
import { firstPollSince } from '../../nodes/core/pipeline/poll-source';

const REPO = resolve(__dirname, '../../..');
const nodeFiles = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { n8n: { nodes: string[] } }).n8n.nodes;

/** The pack's node descriptions as n8n loads them: the compiled classes the package.json registers. */
function descriptions(): Array<{ file: string; d: INodeTypeDescription }> {
  return nodeFiles.map((file) => {
    const mod = require(resolve(__dirname, '../..', file.replace(/^dist\//, ''))) as Record<string, new () => { description: INodeTypeDescription }>;
    const Cls = Object.values(mod).find((v) => typeof v === 'function')!;
    return { file, d: new Cls().description };
  });
}

function notices(props: readonly INodeProperties[]): string[] {
  const out: string[] = [];
  for (const p of props) {
    if (p.type === 'notice') out.push(p.displayName);
    for (const o of (p.options ?? []) as Array<INodeProperties | { values?: INodeProperties[] }>) {
      if ('type' in o) out.push(...notices([o]));
      if ('values' in o && o.values) out.push(...notices(o.values));
    }
  }
  return out;
}

/**
 * The parameters an operator sets that say nothing beyond their name, by dotted path. A choice is described when
 * each of its options is (n8n shows those in the list, as its own nodes do for Authentication); a collection's
 * "Add Option" box is described by its options, each checked here.
 */
function undescribed(props: readonly INodeProperties[], prefix = ''): string[] {
  const out: string[] = [];
  for (const p of props) {
    if (p.type === 'notice' || p.type === 'hidden') continue;
    const path = prefix + p.name;
    const choices = (p.options ?? []) as Array<{ description?: string }>;
    const described = !!p.description?.trim() || p.type === 'collection' || ((p.type === 'options' || p.type === 'multiOptions') && choices.every((o) => !!o.description?.trim()));
    if (!described) out.push(path);
    if (p.type === 'collection') out.push(...undescribed(p.options as INodeProperties[], `${path}.`));
    if (p.type === 'fixedCollection') for (const o of p.options as Array<{ name: string; values: INodeProperties[] }>) out.push(...undescribed(o.values, `${path}.${o.name}.`));
  }
  return out;
}

function panelTexts(panel: TriggerPanelDefinition | boolean | undefined): string[] {
  if (!panel || panel === true) return [];
  return [panel.header, panel.executionsHelp, panel.activationHint]
    .flatMap((t) => (typeof t === 'object' && t ? [t.active, t.inactive] : [t]))
    .filter((t): t is string => typeof t === 'string');
}

describe('n8n editor texts', () => {
  it('has a codex file per node whose aliases include "terminal", so the node picker finds every node by it', () => {
    const codex = readdirSync(join(REPO, 'nodes', 'n8n'))
      .flatMap((dir) => {
        try {
          return readdirSync(join(REPO, 'nodes', 'n8n', dir)).filter((f) => f.endsWith('.node.json')).map((f) => join(REPO, 'nodes', 'n8n', dir, f));
        } catch {
          return [];
        }
      });
    assert.equal(codex.length, nodeFiles.length, 'one .node.json per registered node');
    for (const file of codex) {
      const json = JSON.parse(readFileSync(file, 'utf8')) as { alias: string[] };
      // n8n's node picker matches a search inside an alias, so "terminal crm" is found by "terminal" too.
      assert.ok(json.alias.some((a) => a.toLowerCase().includes('terminal')), `${file}: no alias has "terminal"`);
      assert.ok(json.alias.length >= 5, `${file}: fewer than five aliases saying what the node does`);
    }
  });

  it('writes notices and trigger panels as HTML (n8n drops "\\n", running the sentences together)', () => {
    let count = 0;
    for (const { file, d } of descriptions()) {
      for (const text of [...notices(d.properties), ...panelTexts(d.triggerPanel)]) {
        count++;
        assert.ok(!text.includes('\n'), `${file}: a notice relies on "\\n": ${text.slice(0, 80)}`);
      }
    }
    assert.ok(count >= 15, `only ${count} notices found`);
  });

  it('breaks notice lines with lists only: n8n 2.x notices keep <a>, <ul> and <li> and drop <br>, <b> and <code>, running lines together', () => {
    for (const { file, d } of descriptions()) {
      for (const text of notices(d.properties)) {
        assert.doesNotMatch(text, /<(?!\/?(?:a|ul|li)\b)[a-z][^>]*>/i, `${file}: a notice uses a tag n8n drops: ${text.slice(0, 100)}`);
      }
    }
  });

  it('describes every parameter an operator sets: its description (or each choice\'s) says the effect, unit or default its name does not', () => {
    const all = descriptions();
    assert.equal(all.length, nodeFiles.length);
    const missing = all.flatMap(({ file, d }) => undescribed(d.properties).map((path) => `${file.replace(/^.*\//, '')}: ${path}`));
    assert.deepEqual(missing, [], 'give each a description (what it does, its unit and default, what empty means)');
  });

  it('names every event type the Stripe trigger subscribes to, in its setup notice and in the templates that list them', () => {
    const trigger = descriptions().find(({ d }) => d.name === 'terminalTrigger')!.d;
    const setup = trigger.properties.find((p) => p.name === 'setupNotice')!;
    for (const type of STRIPE_HANDLED_EVENT_TYPES) assert.ok(setup.displayName.includes(type), `setup notice lacks ${type}`);

    let listing = 0;
    for (const file of readdirSync(join(REPO, 'templates', 'n8n')).filter((f) => f.endsWith('.json'))) {
      const wf = JSON.parse(readFileSync(join(REPO, 'templates', 'n8n', file), 'utf8')) as { nodes: Array<{ name: string; type: string; parameters: { content?: string } }> };
      for (const note of wf.nodes.filter((n) => n.type === 'n8n-nodes-base.stickyNote')) {
        const named = STRIPE_HANDLED_EVENT_TYPES.filter((t) => note.parameters.content!.includes(`\`${t}\``));
        // A note telling the operator to keep one event is fine; one listing the events to pick must list them all.
        if (named.length < 2) continue;
        listing++;
        assert.deepEqual(named, [...STRIPE_HANDLED_EVENT_TYPES], `${file} "${note.name}" lists only some event types`);
      }
    }
    assert.ok(listing >= 1, 'payment-to-crm lists the events to pick in Stripe');
  });

  it("says in the trigger's test panel how to send a test event, and that the sandbox posts to the Production URL", () => {
    const trigger = descriptions().find(({ d }) => d.name === 'terminalTrigger')!.d;
    const texts = panelTexts(trigger.triggerPanel);
    assert.equal(texts.length, 4);
    const help = (trigger.triggerPanel as TriggerPanelDefinition).executionsHelp as { active: string; inactive: string };
    for (const text of [help.active, help.inactive]) {
      assert.match(text, /stripe listen --forward-to &lt;Test URL&gt;/);
      assert.match(text, /terminal-crm sandbox<\/b>: its simulator posts to the <b>Production URL<\/b>/);
      assert.match(text, /card-present payments only/);
    }
  });

  it("Terminal Payment Poll Trigger: First Poll Looks Back (Hours) stops where the run does, a year back", () => {
    const poll = descriptions().find(({ d }) => d.name === 'terminalPollTrigger')!.d;
    const options = poll.properties.find((p) => p.name === 'options')!.options as INodeProperties[];
    const back = options.find((p) => p.name === 'lookBackHours')!;
    assert.deepEqual([back.typeOptions?.minValue, back.typeOptions?.maxValue], [0, 8784]);
    const now = Date.parse('2026-12-05T12:00:00Z');
    assert.equal(firstPollSince('First Poll Looks Back (Hours)', back.typeOptions!.maxValue, now).toISOString(), '2025-12-04T12:00:00.000Z');
    assert.equal(firstPollSince('First Poll Looks Back (Hours)', undefined, now).toISOString(), '2026-12-04T12:00:00.000Z', 'left out: a day back');
    // An expression can give what the editor would not: refused by name, rather than a date no processor takes.
    for (const v of [back.typeOptions!.maxValue! + 1, -1, 1e16]) {
      assert.throws(() => firstPollSince('First Poll Looks Back (Hours)', v, now), /^InputError: First Poll Looks Back \(Hours\): ".*" is not a number of hours from 0 to 8784\. Fix: /, String(v));
    }
  });

  it("CRM Sync: the editor's bounds on Max Batches and Deadline (Seconds) are what the node takes", () => {
    const sync = descriptions().find(({ d }) => d.name === 'crmSync')!.d;
    const deadline = sync.properties.find((p) => p.name === 'deadlineSeconds')!;
    assert.equal(deadline.typeOptions?.minValue, 0);
    assert.equal(deadline.typeOptions?.maxValue, MAX_SYNC_DEADLINE_SECONDS, 'a deadline the editor lets through must not be refused by the run');
    assert.doesNotThrow(() => crmSyncLimits({ deadlineSeconds: deadline.typeOptions!.maxValue }));
    assert.throws(() => crmSyncLimits({ deadlineSeconds: deadline.typeOptions!.maxValue! + 1 }));
    const batches = sync.properties.find((p) => p.name === 'maxBatches')!;
    assert.deepEqual([batches.typeOptions?.minValue, batches.typeOptions?.numberPrecision], [0, 0]);
  });

  it("Terminal Message: the editor's bounds on Window (Minutes), Minimum Declines, Minimum Decline Rate and Recent Payments Listed are what the node takes", () => {
    const message = descriptions().find(({ d }) => d.name === 'terminalMessage')!.d;
    const limits = { ...DECLINE_RULE_LIMITS, recentPayments: { min: 0, max: MAX_RECENT_PAYMENTS, whole: true } };
    const runs = (field: string, v: number) => {
      try {
        messageSettingsFromForm({ kind: 'failed-payments', [field]: v });
        return true;
      } catch {
        return false;
      }
    };
    for (const [field, limit] of Object.entries(limits)) {
      const o = message.properties.find((p) => p.name === field)!.typeOptions ?? {};
      const max = 'max' in limit ? limit.max : undefined;
      assert.deepEqual([o.minValue, o.maxValue, o.numberPrecision === 0], [limit.min, max, limit.whole], `${field}: min, max, whole numbers only`);
      // A bound the editor lets through is taken; one step past it is refused.
      const step = o.numberPrecision === undefined ? 0.001 : 10 ** -o.numberPrecision;
      assert.ok(runs(field, o.minValue!) && !runs(field, o.minValue! - step), `${field} at ${o.minValue}`);
      if (o.maxValue !== undefined) assert.ok(runs(field, o.maxValue) && !runs(field, o.maxValue + step), `${field} at ${o.maxValue}`);
      if (limit.whole) assert.ok(!runs(field, o.minValue! + 0.5), `${field}: a fraction is refused, so the editor rounds`);
    }
  });

  it("Loyalty Enroll and Segment: visits and days are whole numbers and Wait for CRM (Seconds) stops where the run does, since it refuses 2.5 visits or days and a wait over MAX_FLUSH_SECONDS", () => {
    const all = descriptions();
    const loyalty = all.find(({ d }) => d.name === 'loyaltyEnroll')!.d;
    const takes = (s: LoyaltySettings) => {
      try {
        loyaltyProgramFromSettings({ currency: 'USD', enrollWhen: 'threshold', enrollLifetimeSpend: 100, ...s });
        return true;
      } catch {
        return false;
      }
    };
    for (const field of ['enrollVisits', 'enrollPeriodDays', 'pointsExpiryDays', 'tierWindowDays'] as const) {
      const o = loyalty.properties.find((p) => p.name === field)!.typeOptions ?? {};
      // Period (Days) is read once a spend within the period is set.
      const at = (v: number) => ({ enrollPeriodSpend: field === 'enrollPeriodDays' ? 100 : 0, [field]: v });
      assert.equal(o.numberPrecision, 0, `${field}: whole numbers only`);
      assert.ok(takes(at(o.minValue!)) && !takes(at(o.minValue! + 0.5)), `${field}: ${o.minValue} is taken, ${o.minValue! + 0.5} refused`);
    }
    for (const { d } of all.filter(({ d }) => d.name === 'loyaltyEnroll' || d.name === 'segment')) {
      const wait = d.properties.find((p) => p.name === 'waitForCrmSeconds')!.typeOptions ?? {};
      assert.deepEqual([wait.minValue, wait.maxValue], [0, MAX_FLUSH_SECONDS], d.name);
      assert.doesNotThrow(() => flushDeadlineMs(wait.maxValue));
      assert.throws(() => flushDeadlineMs(wait.maxValue! + 1));
    }
  });

  it("Segment: High-Value Payment from 0 and High-Value Top Percent from one hundredth above 0 to 100 are what the node takes (HIGH_VALUE_TOP_PERCENT), each bound taken and one step past it refused", () => {
    const segment = descriptions().find(({ d }) => d.name === 'segment')!.d;
    const runs = (field: string, v: number) => {
      try {
        segmentConfigFromSettings({ currency: 'USD', [field]: v });
        return true;
      } catch {
        return false;
      }
    };
    const payment = segment.properties.find((p) => p.name === 'highValuePayment')!.typeOptions ?? {};
    assert.deepEqual([payment.minValue, payment.maxValue, payment.numberPrecision], [0, undefined, 2], 'High-Value Payment: 0 (off) or more, in cents');
    assert.ok(runs('highValuePayment', payment.minValue!) && !runs('highValuePayment', payment.minValue! - 10 ** -payment.numberPrecision!));
    const top = segment.properties.find((p) => p.name === 'highValueTopPercent')!.typeOptions ?? {};
    // Steps of its own, so that the least it lets through is the run's least but one step: without a precision the
    // editor refuses 0.005 %, which the run takes.
    assert.equal(top.numberPrecision, 2, 'High-Value Top Percent in hundredths');
    const step = 10 ** -top.numberPrecision!;
    assert.equal(top.maxValue, HIGH_VALUE_TOP_PERCENT.max);
    assert.ok(top.minValue! > HIGH_VALUE_TOP_PERCENT.above, 'the run refuses the bound itself (0 %), so the editor starts a step above it');
    assert.ok(runs('highValueTopPercent', top.minValue!) && !runs('highValueTopPercent', Number((top.minValue! - step).toFixed(top.numberPrecision!))), `top percent at ${top.minValue}`);
    assert.ok(runs('highValueTopPercent', top.maxValue!) && !runs('highValueTopPercent', top.maxValue! + step), `top percent at ${top.maxValue}`);
  });

  it('Terminal Redrive: Limit takes whole numbers from MIN_REDRIVE_LIMIT, what the run takes (redriveLimit refuses 0 and 1.5 rather than raising or rounding them)', () => {
    const redrive = descriptions().find(({ d }) => d.name === 'terminalRedrive')!.d;
    const o = redrive.properties.find((p) => p.name === 'limit')!.typeOptions ?? {};
    assert.deepEqual([o.minValue, o.numberPrecision], [MIN_REDRIVE_LIMIT, 0]);
    assert.equal(redriveLimit('Limit', o.minValue), o.minValue);
    assert.throws(() => redriveLimit('Limit', o.minValue! - 1), /^InputError: Limit: "0" is not a whole number of payments from 1 up\. Fix:/);
    assert.throws(() => redriveLimit('Limit', o.minValue! + 0.5), /^InputError: Limit: "1\.5"/);
  });

  it("Terminal Redrive: Limit starts at the core's DEFAULT_REDRIVE_LIMIT, as Node-RED's At most and the CLI's --limit do", () => {
    const redrive = descriptions().find(({ d }) => d.name === 'terminalRedrive')!.d;
    // n8n saves a parameter left at its default as nothing and fills the default in when it runs: this is each run's size.
    assert.equal(redrive.properties.find((p) => p.name === 'limit')!.default, DEFAULT_REDRIVE_LIMIT);
    const html = readFileSync(join(REPO, 'nodes/node-red/terminal-redrive.html'), 'utf8');
    assert.equal(Number(/\blimit: \{\s*value: (\d+),/.exec(html)?.[1]), DEFAULT_REDRIVE_LIMIT);
  });
});
