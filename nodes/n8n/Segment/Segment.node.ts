import type { INodeProperties, IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { HIGH_VALUE_TOP_PERCENT, type SegmentConfig } from '../../core/segment/config';
import { runSegmentBatch } from '../../core/segment/batch';
import { segmentConfigFromSettings } from '../../core/segment/operator-settings';
import { summarizeBatch } from '../../core/segment/scheduled-run';
import { segmentStep } from '../../core/segment/segment-step';
import { openDatabase } from '../../core/store/open-database';
import type { SqlDatabase } from '../../core/store/sql-database';
import { readCrmStoreCredential } from '../shared/crm-store-credential';
import { choiceOf } from '../shared/choice';
import { toItemJson } from '../shared/item-json';
import { mapItems } from '../shared/map-items';
import { toNodeError } from '../shared/node-error';
import { terminalCrmStoreTest } from '../shared/test-crm-store';
import { CRM_VALUE_OPTIONS, crmFieldsFromRows, DEFAULT_CRM_FIELD_ROWS } from './crm-field-options';
import { defaultSegmentRulesText } from './default-rules-text';
import type { FieldsTarget } from '../../core/outbox/field-updates';
import { FIELD_CRM_CREDENTIALS, fieldCrmCredentialTests, fieldCrmOf, fieldCrmProperties, flushItemFields, type FieldCrm } from './crm-choice';

const onPayment = { show: { operation: ['onPayment'] } };
/**
 * The run takes a top percent above HIGH_VALUE_TOP_PERCENT.above, which a minValue cannot say: in hundredths
 * (numberPrecision 2) the least the editor lets through is one hundredth above it, and one step less is refused.
 */
const TOP_PERCENT_STEP = 0.01;

const OPERATION: INodeProperties = {
  displayName: 'Operation',
  name: 'operation',
  type: 'options',
  noDataExpression: true,
  options: [
    {
      name: 'On Payment',
      value: 'onPayment',
      action: 'Segment the customer of each payment',
      description: 'After CRM Upsert: updates the customer of each payment and adds "segment" to the item',
    },
    {
      name: 'Recompute All',
      value: 'recomputeAll',
      action: 'Recompute every customer',
      description: 'After a Schedule Trigger (e.g. every night): scores all customers against each other and refits the lifetime-value model',
    },
  ],
  default: 'onPayment',
};

export class Segment implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Segment Customer',
    name: 'segment',
    icon: { light: 'file:../icons/segment.svg', dark: 'file:../icons/segment.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle: '={{ $parameter["operation"] === "recomputeAll" ? "Recompute all customers" : "Segment the customer of each payment" }}',
    description: "Updates each customer's spend statistics, segment and flags (high value, at risk, unusual payment) and writes them to the CRM",
    defaults: { name: 'Segment Customer' },
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    usableAsTool: true,
    credentials: [{ name: 'terminalCrmStore', required: true, testedBy: 'terminalCrmStoreTest' }, ...FIELD_CRM_CREDENTIALS],
    properties: [
      OPERATION,
      ...fieldCrmProperties(onPayment.show),
      {
        displayName:
          'Put this node after CRM Upsert. Each item gets "segment": the segment name (Champions, Loyal, At risk…), the customer\'s spend statistics and flags: segment.flags.highValue, segment.flags.atRisk and segment.flags.anomaly, with the reasons. Branch on them with an If node. The values chosen under CRM Fields are written to the customer. Scores are exact after each "Recompute All" and estimated in between. A payment delivered twice is counted once.',
        name: 'onPaymentNotice',
        type: 'notice',
        default: '',
        displayOptions: onPayment,
      },
      {
        displayName:
          'Run this from a Schedule Trigger, e.g. every night. It ranks all customers by recency, frequency and spend, fits the lifetime-value model once there are enough customers (50 by default), and writes every customer\'s segment and flags to the CRM. The output is one item with the counts per segment.',
        name: 'recomputeNotice',
        type: 'notice',
        default: '',
        displayOptions: { show: { operation: ['recomputeAll'] } },
      },
      {
        displayName: 'Currency',
        name: 'currency',
        type: 'string',
        default: 'USD',
        placeholder: 'USD',
        description: 'The currency of the High-Value Payment amount: your shop\'s currency, as a three-letter code',
        displayOptions: onPayment,
      },
      {
        displayName: 'High-Value Payment',
        name: 'highValuePayment',
        type: 'number',
        default: 0,
        typeOptions: { minValue: 0, numberPrecision: 2 },
        description: 'A single payment of at least this amount (e.g. 500 for 500.00) marks the customer high value. 0 turns this off.',
        displayOptions: onPayment,
      },
      {
        displayName: 'High-Value Top Percent',
        name: 'highValueTopPercent',
        type: 'number',
        default: 5,
        typeOptions: { minValue: HIGH_VALUE_TOP_PERCENT.above + TOP_PERCENT_STEP, maxValue: HIGH_VALUE_TOP_PERCENT.max, numberPrecision: 2 },
        description: 'Customers whose net spend is in this top percentage are marked high value (needs one Recompute All run first)',
      },
      {
        displayName: 'CRM Fields',
        name: 'crmFields',
        type: 'fixedCollection',
        typeOptions: { multipleValues: true, sortable: true },
        placeholder: 'Add CRM Field',
        default: { fields: DEFAULT_CRM_FIELD_ROWS },
        description: 'Which values are written to the customer in the CRM, and under which field name. Remove a row to stop writing that value.',
        options: [
          {
            name: 'fields',
            displayName: 'Field',
            values: [
              {
                displayName: 'Value',
                name: 'value',
                type: 'options',
                options: CRM_VALUE_OPTIONS,
                default: 'segment',
                description: 'What to write',
              },
              {
                displayName: 'CRM Field Name',
                name: 'crmField',
                type: 'string',
                default: '',
                placeholder: 'terminal_crm_segment',
                description: 'The field (custom property) of the customer in your CRM',
              },
            ],
          },
        ],
      },
      {
        displayName: 'Segment Rules',
        name: 'segmentRules',
        type: 'json',
        default: defaultSegmentRulesText(),
        description:
          'The first rule whose ranges all hold names the customer. Ranges are [min, max] over r, f, m (scores 1–5), fm (average of f and m), payments, daysSinceFirst, daysSinceLast. Edit the names or ranges, or empty the field for these defaults.',
      },
      {
        displayName: 'Options',
        name: 'options',
        type: 'collection',
        placeholder: 'Add Option',
        default: {},
        options: [
          {
            displayName: 'Advanced Settings (JSON)',
            name: 'advanced',
            type: 'json',
            default: '{\n  "flags": {\n    "anomaly": { "minHistory": 8, "threshold": 3.5, "newLocation": true },\n    "atRisk": { "segments": ["At risk", "Can\'t lose them"], "pAliveBelow": 0.3 }\n  },\n  "clv": { "horizonsDays": [90, 365], "minCustomers": 50 }\n}',
            description: 'Any other Segment setting; see the README for the full list',
          },
          {
            displayName: 'Time Zone',
            name: 'timeZone',
            type: 'string',
            default: 'UTC',
            placeholder: 'Europe/Berlin',
            description: "The shop's time zone, for preferred day and time of day",
          },
        ],
      },
    ],
  };

  methods = { credentialTest: { terminalCrmStoreTest, ...fieldCrmCredentialTests } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const settings = readCrmStoreCredential(await this.getCredentials('terminalCrmStore'));
    let operation: string;
    let setup: { db: SqlDatabase; config: SegmentConfig; crm?: FieldsTarget };
    let crm: FieldCrm | undefined;
    try {
      operation = choiceOf(OPERATION, this.getNodeParameter('operation', 0, 'onPayment'));
      crm = await fieldCrmOf(this, operation === 'onPayment');
      setup = { config: segmentConfigFromSettings(readSettings(this, operation)), db: await openDatabase(settings.storeUrl), crm: crm?.target };
    } catch (error) {
      throw toNodeError(this.getNode(), error);
    }
    if (operation === 'recomputeAll') {
      try {
        const result = await runSegmentBatch(setup.db, setup.config, { crm: crm?.target });
        return [[{ json: toItemJson(summarizeBatch(result)), pairedItem: { item: 0 } }]];
      } catch (error) {
        throw toNodeError(this.getNode(), error);
      }
    }
    const out = await mapItems(this, (json) => segmentStep(json, setup));
    if (crm) await flushItemFields({ db: setup.db, ...crm }, out.map((item) => item.json.segment as IDataObject | undefined));
    return [out];
  }
}

function readSettings(ctx: IExecuteFunctions, operation: string) {
  const options = ctx.getNodeParameter('options', 0, {}) as { advanced?: unknown; timeZone?: string };
  return {
    ...(operation === 'onPayment'
      ? { currency: ctx.getNodeParameter('currency', 0, 'USD') as string, highValuePayment: ctx.getNodeParameter('highValuePayment', 0, 0) as number }
      : {}),
    highValueTopPercent: ctx.getNodeParameter('highValueTopPercent', 0, 5) as number,
    // All rows removed is {} (write nothing), not a reason to fall back to the defaults.
    crmFields: crmFieldsFromRows((ctx.getNodeParameter('crmFields', 0, { fields: DEFAULT_CRM_FIELD_ROWS }) as { fields?: unknown }).fields),
    segmentRules: ctx.getNodeParameter('segmentRules', 0, '') as unknown,
    advanced: options.advanced,
    timeZone: options.timeZone,
  };
}
