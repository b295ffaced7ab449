import type { INodeProperties, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { HISTORY_SOURCES, historyLister, MAX_OFFLINE_GRACE_HOURS, OFFLINE_GRACE_SOURCES } from '../../core/sources/history';
import { backfillRequestOf, controlBackfill } from '../../../temporal/backfill-control';
import { connectTemporalTarget } from '../../../temporal/temporal-target';
import { choiceOf } from '../shared/choice';
import { mapItems } from '../shared/map-items';
import { TEMPORAL_CREDENTIAL, temporalTargetOfCredential, terminalTemporalApiTest } from '../shared/temporal-credential';

const WINDOW = { show: { operation: ['start', 'progress', 'pause', 'resume', 'cancel'] } };

const OPERATION: INodeProperties = {
  displayName: 'Operation',
  name: 'operation',
  type: 'options',
  noDataExpression: true,
  default: 'start',
  options: [
    { name: 'Cancel', value: 'cancel', action: 'Cancel a backfill', description: 'Stop it after the current page; start it again to carry on' },
    { name: 'Get Progress', value: 'progress', action: 'Get the progress of a backfill', description: 'Pages, payments read and recorded, paused or not' },
    { name: 'Pause', value: 'pause', action: 'Pause a backfill', description: 'Stop after the current page until resumed' },
    { name: 'Resume', value: 'resume', action: 'Resume a backfill', description: 'Carry on a paused backfill from where it stopped' },
    { name: 'Start', value: 'start', action: 'Start a backfill', description: 'Start the backfill of this window, or join the one running' },
  ],
};

export class TerminalBackfill implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Terminal Backfill',
    name: 'terminalBackfill',
    icon: { light: 'file:terminalBackfill.svg', dark: 'file:terminalBackfill.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle: '={{ $parameter["operation"] + ": " + $parameter["source"] }}',
    description: "Starts, follows, pauses, resumes or cancels the backfill of a processor's payment history on Temporal",
    defaults: { name: 'Terminal Backfill' },
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    usableAsTool: true,
    credentials: [{ name: 'terminalTemporalApi', required: true, testedBy: 'terminalTemporalApiTest' }],
    properties: [
      {
        displayName:
          'A terminal-crm worker on the credential\'s task queue reads the history with its own processor credentials and records each payment once; this node starts the backfill of a window (Source, Since and Until name it) or controls it. Each item gets the workflow ID of the backfill and, where the workflow answers, its state and progress. Needs @temporalio/client and @temporalio/workflow installed beside this pack.',
        name: 'notice',
        type: 'notice',
        default: '',
      },
      OPERATION,
      {
        displayName: 'Source',
        name: 'source',
        type: 'options',
        default: 'stripe',
        options: HISTORY_SOURCES.map((s) => ({ name: historyLister(s).credentialsOf.label, value: s })),
        description: "The processor whose history is read (the worker uses its own credentials for it)",
        displayOptions: WINDOW,
      },
      {
        displayName: 'Since',
        name: 'since',
        type: 'string',
        default: '',
        required: true,
        placeholder: '2026-01-01',
        description: 'Payments made on or after this day (or ISO time). With Until it names the backfill, so use the same for every operation.',
        displayOptions: WINDOW,
      },
      {
        displayName: 'Until',
        name: 'until',
        type: 'string',
        default: '',
        placeholder: '2026-02-01',
        description: 'Payments made before this day; empty: up to when the backfill starts',
        displayOptions: WINDOW,
      },
      {
        displayName: 'CRM',
        name: 'crm',
        type: 'string',
        default: '',
        placeholder: 'hubspot',
        description: "Also queue what is recorded for this SaaS CRM's outbox (hubspot, salesforce, dynamics, pipedrive, zoho); empty: the ledger only",
        displayOptions: { show: { operation: ['start'] } },
      },
      {
        displayName: 'Page Size',
        name: 'pageSize',
        type: 'number',
        typeOptions: { minValue: 0, numberPrecision: 0 },
        default: 0,
        description: 'Payments per page asked of the processor; 0 for 100',
        displayOptions: { show: { operation: ['start'] } },
      },
      {
        displayName: 'Offline Grace (Hours)',
        name: 'offlineGraceHours',
        type: 'number',
        typeOptions: { minValue: 0, maxValue: MAX_OFFLINE_GRACE_HOURS, numberPrecision: 0 },
        default: 0,
        description: "Stripe and Square: how many hours after Until the processor's list is read for sales a reader stored offline before it and forwarded later; 0 for the source's own (Stripe 72, Square 24). A window already started keeps the grace it began with; Restart reads it with a new one.",
        displayOptions: { show: { operation: ['start'], source: [...OFFLINE_GRACE_SOURCES] } },
      },
      {
        displayName: 'Restart',
        name: 'restart',
        type: 'boolean',
        default: false,
        description: 'Whether to forget the stored position and read the window again (what the ledger has counts as duplicates)',
        displayOptions: { show: { operation: ['start'] } },
      },
    ],
  };

  methods = { credentialTest: { terminalTemporalApiTest } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const target = temporalTargetOfCredential(await this.getCredentials(TEMPORAL_CREDENTIAL));
    let client: Awaited<ReturnType<typeof connectTemporalTarget>> | undefined;
    try {
      return [
        await mapItems(this, async (_json, i) => {
          const request = backfillRequestOf({
            // Checked first: an operation that is none of these shows no Source, which n8n would fail on unnamed.
            operation: choiceOf(OPERATION, this.getNodeParameter('operation', i)),
            source: this.getNodeParameter('source', i),
            since: this.getNodeParameter('since', i),
            until: this.getNodeParameter('until', i, ''),
            crm: this.getNodeParameter('crm', i, ''),
            limit: this.getNodeParameter('pageSize', i, 0),
            offlineGrace: this.getNodeParameter('offlineGraceHours', i, 0),
            restart: this.getNodeParameter('restart', i, false),
          });
          client ??= await connectTemporalTarget(target);
          return controlBackfill(client, target.taskQueue, request);
        }),
      ];
    } finally {
      await client?.connection.close();
    }
  }
}
