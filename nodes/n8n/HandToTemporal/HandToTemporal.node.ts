import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { connectTemporalTarget } from '../../../temporal/temporal-target';
import { handToTemporal, paymentEventOfItem } from '../../../temporal/hand-to-temporal';
import { mapItems } from '../shared/map-items';
import { TEMPORAL_CREDENTIAL, temporalTargetOfCredential, terminalTemporalApiTest } from '../shared/temporal-credential';

export class HandToTemporal implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Hand to Temporal',
    name: 'handToTemporal',
    icon: { light: 'file:handToTemporal.svg', dark: 'file:handToTemporal.dark.svg' },
    group: ['transform'],
    version: 1,
    subtitle: 'paymentSaga, signal-with-start',
    description: "Hands each payment event to its payment saga on a Temporal server and returns at once with the saga's workflow ID",
    defaults: { name: 'Hand to Temporal' },
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    usableAsTool: true,
    credentials: [{ name: 'terminalTemporalApi', required: true, testedBy: 'terminalTemporalApiTest' }],
    properties: [
      {
        displayName:
          'Connect a Terminal Payment Trigger, Terminal Payment Poll Trigger or Tokenize. Each event goes to the paymentSaga workflow of its payment (signal-with-start): the sale, its refunds and disputes reach one run, in order, and the terminal-crm worker does the CRM work with retries and compensations. The output is one item per event with the workflow ID, not the CRM outcome. Needs @temporalio/client and @temporalio/workflow installed beside this pack.',
        name: 'notice',
        type: 'notice',
        default: '',
      },
    ],
  };

  methods = { credentialTest: { terminalTemporalApiTest } };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const target = temporalTargetOfCredential(await this.getCredentials(TEMPORAL_CREDENTIAL));
    let client: Awaited<ReturnType<typeof connectTemporalTarget>> | undefined;
    try {
      return [
        await mapItems(this, async (json, itemIndex) => {
          const event = paymentEventOfItem(json, `item ${itemIndex}`); // a bad item fails before any connection
          client ??= await connectTemporalTarget(target);
          return handToTemporal(client, target.taskQueue, event, `item ${itemIndex}`);
        }),
      ];
    } finally {
      await client?.connection.close();
    }
  }
}
