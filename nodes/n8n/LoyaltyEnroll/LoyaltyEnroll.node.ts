import type { INodeProperties, IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { membershipEventMessages } from '../../core/loyalty/event-messages';
import { loyaltyStep } from '../../core/loyalty/loyalty-step';
import { DEFAULT_LOYALTY_PROGRAM_JSON, loyaltyProgramFromJson, loyaltyProgramFromSettings, type LoyaltySettings } from '../../core/loyalty/operator-settings';
import type { LoyaltyProgram } from '../../core/loyalty/program';
import { reviewLoyalty } from '../../core/loyalty/review';
import { summarizeReview } from '../../core/segment/scheduled-run';
import { openDatabase } from '../../core/store/open-database';
import type { SqlDatabase } from '../../core/store/sql-database';
import { readCrmStoreCredential } from '../shared/crm-store-credential';
import { choiceOf } from '../shared/choice';
import { toItemJson } from '../shared/item-json';
import { errorMessage, toNodeError } from '../shared/node-error';
import { terminalCrmStoreTest } from '../shared/test-crm-store';
import type { FieldsTarget } from '../../core/outbox/field-updates';
import { FIELD_CRM_CREDENTIALS, fieldCrmCredentialTests, fieldCrmOf, fieldCrmProperties, flushItemFields, type FieldCrm } from '../Segment/crm-choice';
import { n8nConsumer } from '../shared/consumer-name';

const fields = { show: { define: ['fields'] } };
const thresholds = { show: { define: ['fields'], enrollWhen: ['threshold'] } };

const OPERATION: INodeProperties = {
  displayName: 'Operation',
  name: 'operation',
  type: 'options',
  noDataExpression: true,
  options: [
    {
      name: 'On Payment',
      value: 'onPayment',
      action: 'Apply each payment to the loyalty program',
      description: 'After CRM Upsert: earns or takes back points and enrolls or re-tiers the customer',
    },
    {
      name: 'Review Program',
      value: 'review',
      action: 'Expire points and update tiers',
      description: 'After a Schedule Trigger (e.g. every night): expires old points and moves members down when their spend leaves the tier window',
    },
  ],
  default: 'onPayment',
};

const DEFINE: INodeProperties = {
  displayName: 'Define Program',
  name: 'define',
  type: 'options',
  noDataExpression: true,
  options: [
    { name: 'With the Fields Below', value: 'fields', description: 'Program ID, currency, enrollment, points, tiers and CRM fields, one field each' },
    { name: 'As JSON', value: 'json', description: 'Paste or edit the whole program as JSON' },
  ],
  default: 'fields',
};

export class LoyaltyEnroll implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Loyalty Enroll',
    name: 'loyaltyEnroll',
    icon: { light: 'file:../icons/loyaltyEnroll.svg', dark: 'file:../icons/loyaltyEnroll.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle: 'Points, enrollment and tiers',
    description: 'Enrolls paying customers in a loyalty program, keeps their points and tier, and writes the membership to the CRM',
    defaults: { name: 'Loyalty Enroll' },
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
    outputNames: ['Payment', 'Enrolled / Tier Changed'],
    usableAsTool: true,
    credentials: [{ name: 'terminalCrmStore', required: true, testedBy: 'terminalCrmStoreTest' }, ...FIELD_CRM_CREDENTIALS],
    properties: [
      OPERATION,
      ...fieldCrmProperties({ operation: ['onPayment'] }),
      {
        displayName:
          'Run this from a Schedule Trigger, e.g. every night, with the same program as the On Payment node. The "Payment" output gets one summary item (points expired, upgrades, downgrades); "Enrolled / Tier Changed" gets one item per member whose tier changed, with "loyaltyEvent".',
        name: 'reviewNotice',
        type: 'notice',
        default: '',
        displayOptions: { show: { operation: ['review'] } },
      },
      {
        displayName:
          'Put this node after CRM Upsert. The "Payment" output passes on every item with "loyalty" added (points earned, balance, tier). The "Enrolled / Tier Changed" output gets one item when a customer joins the program or moves to another tier, with "loyaltyEvent" (type "enrolled" or "tier-changed"): connect your welcome or thank-you message there. Refunds take points back (a refund the processor reverses gives them back); a payment delivered twice earns once and sends no second welcome.',
        name: 'notice',
        type: 'notice',
        default: '',
        displayOptions: { show: { operation: ['onPayment'] } },
      },
      DEFINE,
      {
        displayName: 'Program ID',
        name: 'programId',
        type: 'string',
        default: 'default',
        description: 'Names the program in the store. Keep it once customers are enrolled: points and members belong to the program ID.',
        displayOptions: fields,
      },
      {
        displayName: 'Currency',
        name: 'currency',
        type: 'string',
        default: 'USD',
        placeholder: 'USD',
        description: 'The program counts payments in this currency only (a three-letter code); the amounts below are in it too',
        displayOptions: fields,
      },
      {
        displayName: 'Enroll Customers',
        name: 'enrollWhen',
        type: 'options',
        options: [
          { name: 'At Their First Payment', value: 'firstPayment', description: 'Every customer becomes a member with their first payment' },
          { name: 'When They Reach a Threshold', value: 'threshold', description: 'Spend, number of visits, or spend within a period' },
        ],
        default: 'firstPayment',
        displayOptions: fields,
      },
      {
        displayName: 'Enroll After Lifetime Spend',
        name: 'enrollLifetimeSpend',
        type: 'number',
        default: 0,
        typeOptions: { minValue: 0, numberPrecision: 2 },
        description: 'Total spend (refunds deducted) that makes a customer a member, e.g. 100 for 100.00. 0: not used.',
        displayOptions: thresholds,
      },
      {
        displayName: 'Enroll After Visits',
        name: 'enrollVisits',
        type: 'number',
        default: 0,
        typeOptions: { minValue: 0, numberPrecision: 0 },
        description: 'Number of payments that makes a customer a member. 0: not used.',
        displayOptions: thresholds,
      },
      {
        displayName: 'Enroll After Spend Within Period',
        name: 'enrollPeriodSpend',
        type: 'number',
        default: 0,
        typeOptions: { minValue: 0, numberPrecision: 2 },
        description: 'Spend within the last Period (Days) that makes a customer a member. 0: not used.',
        displayOptions: thresholds,
      },
      {
        displayName: 'Period (Days)',
        name: 'enrollPeriodDays',
        type: 'number',
        default: 30,
        typeOptions: { minValue: 1, numberPrecision: 0 },
        description: 'The period of Enroll After Spend Within Period: spend over this many past days counts',
        displayOptions: thresholds,
      },
      {
        displayName: 'Thresholds Needed',
        name: 'enrollRule',
        type: 'options',
        options: [
          { name: 'Any One of Them', value: 'any' },
          { name: 'All of Them', value: 'all' },
        ],
        default: 'any',
        description: 'When more than one threshold is set',
        displayOptions: thresholds,
      },
      {
        displayName: 'Points per Currency Unit',
        name: 'pointsPerUnit',
        type: 'number',
        default: 1,
        typeOptions: { minValue: 0 },
        description: 'Points per whole dollar, euro… spent; fractions of a point are dropped. 0: no points, membership and tiers only.',
        displayOptions: fields,
      },
      {
        displayName: 'Points Expire After (Days)',
        name: 'pointsExpiryDays',
        type: 'number',
        default: 0,
        typeOptions: { minValue: 0, numberPrecision: 0 },
        description: 'Days after which earned points expire (a Review Program run on a schedule takes them off). 0: never.',
        displayOptions: fields,
      },
      {
        displayName: 'Tiers',
        name: 'tiers',
        type: 'fixedCollection',
        typeOptions: { multipleValues: true },
        placeholder: 'Add Tier',
        default: {
          tier: [
            { name: 'Silver', minSpend: 500, multiplier: 1 },
            { name: 'Gold', minSpend: 2000, multiplier: 1.5 },
          ],
        },
        description: 'A member reaches a tier by their spend over the Tier Window; each tier can multiply the points earned. Remove all rows for no tiers.',
        displayOptions: fields,
        options: [
          {
            name: 'tier',
            displayName: 'Tier',
            values: [
              { displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'Gold', description: 'The tier as written to the Tier Field in CRM and named in loyaltyEvent; every row needs one' },
              {
                displayName: 'Minimum Spend',
                name: 'minSpend',
                type: 'number',
                default: 0,
                typeOptions: { minValue: 0, numberPrecision: 2 },
                description: 'Spend within the Tier Window needed for this tier',
              },
              {
                displayName: 'Points Multiplier',
                name: 'multiplier',
                type: 'number',
                default: 1,
                typeOptions: { minValue: 0.01 },
                description: 'Points earned in this tier are multiplied by this, e.g. 2 for double points',
              },
            ],
          },
        ],
      },
      {
        displayName: 'Tier Window (Days)',
        name: 'tierWindowDays',
        type: 'number',
        default: 365,
        typeOptions: { minValue: 1, numberPrecision: 0 },
        description: 'Spend over this many past days decides the tier',
        displayOptions: fields,
      },
      {
        displayName: 'Tier Field in CRM',
        name: 'tierField',
        type: 'string',
        default: 'loyalty_tier',
        description: 'Customer field the tier is written to; empty: not written',
        displayOptions: fields,
      },
      {
        displayName: 'Points Field in CRM',
        name: 'pointsField',
        type: 'string',
        default: 'loyalty_points',
        description: 'Customer field the points balance is written to; empty: not written',
        displayOptions: fields,
      },
      {
        displayName: 'Member Since Field in CRM',
        name: 'memberSinceField',
        type: 'string',
        default: 'loyalty_member_since',
        description: 'Customer field the enrollment date is written to; empty: not written',
        displayOptions: fields,
      },
      {
        displayName: 'Program (JSON)',
        name: 'programJson',
        type: 'json',
        default: JSON.stringify(DEFAULT_LOYALTY_PROGRAM_JSON, null, 2),
        description:
          'Amounts are in minor units (cents): 50000 is 500.00. Enrollment: lifetimeSpendMinor, visits, periodSpend {minor, days}, rule "any"/"all"; empty {} enrolls at the first payment. See the README for every setting.',
        displayOptions: { show: { define: ['json'] } },
      },
    ],
  };

  methods = { credentialTest: { terminalCrmStoreTest, ...fieldCrmCredentialTests } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const settings = readCrmStoreCredential(await this.getCredentials('terminalCrmStore'));
    let operation: string;
    let setup: { db: SqlDatabase; program: LoyaltyProgram; crm?: FieldsTarget; consumer: string };
    let crm: FieldCrm | undefined;
    try {
      operation = choiceOf(OPERATION, this.getNodeParameter('operation', 0, 'onPayment'));
      crm = await fieldCrmOf(this, operation === 'onPayment');
      // Each workflow's node gets an event's enrollment once, even when another workflow on the store applied it.
      setup = { program: programOf(this), db: await openDatabase(settings.storeUrl), crm: crm?.target, consumer: n8nConsumer(this) };
    } catch (error) {
      throw toNodeError(this.getNode(), error);
    }
    if (operation === 'review') {
      try {
        const review = await reviewLoyalty(setup.db, setup.program, { crm: crm?.target });
        const pairedItem = { item: 0 };
        return [[{ json: toItemJson(summarizeReview(setup.program.id, review)), pairedItem }], review.events.map((loyaltyEvent) => ({ json: toItemJson({ loyaltyEvent }), pairedItem }))];
      } catch (error) {
        throw toNodeError(this.getNode(), error);
      }
    }
    const payments: INodeExecutionData[] = [];
    const events: INodeExecutionData[] = [];
    const items = this.getInputData();
    for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
      const pairedItem = { item: itemIndex };
      try {
        const out = await loyaltyStep(items[itemIndex]!.json, setup);
        payments.push({ json: toItemJson(out), pairedItem });
        for (const message of membershipEventMessages(out)) events.push({ json: toItemJson(message), pairedItem });
      } catch (error) {
        if (!this.continueOnFail()) throw toNodeError(this.getNode(), error, itemIndex);
        payments.push({ json: { error: errorMessage(error) }, pairedItem });
      }
    }
    if (crm) {
      await flushItemFields({ db: setup.db, ...crm }, payments.map((p) => p.json.loyalty as IDataObject | undefined));
      // An enrollment's item carries the same membership: it says what the CRM answered too.
      for (const e of events) {
        const paid = payments[(e.pairedItem as { item: number }).item]?.json.loyalty as IDataObject | undefined;
        if (paid?.crmSync && e.json.loyalty) (e.json.loyalty as IDataObject).crmSync = paid.crmSync;
      }
    }
    return [payments, events];
  }
}

function programOf(ctx: IExecuteFunctions): LoyaltyProgram {
  if (choiceOf(DEFINE, ctx.getNodeParameter('define', 0, 'fields')) === 'json') return loyaltyProgramFromJson(ctx.getNodeParameter('programJson', 0, ''));
  const get = <T>(name: string, fallback: T) => ctx.getNodeParameter(name, 0, fallback) as T;
  const s: LoyaltySettings = {
    programId: get('programId', 'default'),
    currency: get('currency', 'USD'),
    enrollWhen: get('enrollWhen', 'firstPayment'),
    pointsPerUnit: get('pointsPerUnit', 1),
    pointsExpiryDays: get('pointsExpiryDays', 0),
    tiers: (get<IDataObject>('tiers', {}).tier ?? []) as LoyaltySettings['tiers'],
    tierWindowDays: get('tierWindowDays', 365),
    tierField: get('tierField', 'loyalty_tier'),
    pointsField: get('pointsField', 'loyalty_points'),
    memberSinceField: get('memberSinceField', 'loyalty_member_since'),
  };
  if (s.enrollWhen === 'threshold') {
    Object.assign(s, {
      enrollLifetimeSpend: get('enrollLifetimeSpend', 0),
      enrollVisits: get('enrollVisits', 0),
      enrollPeriodSpend: get('enrollPeriodSpend', 0),
      enrollPeriodDays: get('enrollPeriodDays', 30),
      enrollRule: get('enrollRule', 'any'),
    });
  }
  return loyaltyProgramFromSettings(s);
}
