import type { IDataObject, INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { DEFAULT_POLL_LOOKBACK_HOURS, DEFAULT_POLL_MAX_PAGES, DEFAULT_POLL_PAGE_SIZE, FIRST_POLL_LOOKBACK, POLL_MAX_PAGES, POLL_PAGE_SIZE, pollableSourceNames } from '../../core/pipeline/poll-source';
import { TERMINAL_SOURCES } from '../TerminalTrigger/source-options';
import { SOURCE_CREDENTIAL_TYPES } from '../TerminalTrigger/source-credentials';
import { terminalCrmStoreTest } from '../shared/test-crm-store';
import { webhookOrTokenCredentialTest } from '../TerminalTrigger/test-source-credential';
import { pollOnce } from './poll-once';

/** The sources with a list API: the others can only be reached by their webhook (Terminal Payment Trigger). */
const POLLABLE = new Set(pollableSourceNames());
/** Credentials whose Access Token is optional: their Test checks it when set (test-source-credential.ts). */
const TOKEN_TESTED = new Set(['terminalSquareApi', 'terminalZettleApi']);

export class TerminalPollTrigger implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Terminal Payment Poll Trigger',
    name: 'terminalPollTrigger',
    icon: { light: 'file:../icons/terminalTrigger.svg', dark: 'file:../icons/terminalTrigger.dark.svg' },
    group: ['trigger'],
    version: 1,
    subtitle: '={{ $parameter["source"] }}',
    description:
      'Starts the workflow with the card-terminal payments, refunds and disputes made since the last poll, read through the processor\'s API: for n8n instances the processor cannot reach with a webhook',
    defaults: { name: 'Terminal Payment Poll Trigger' },
    // n8n adds its "Poll Times" parameter to nodes that poll.
    polling: true,
    inputs: [],
    outputs: [NodeConnectionTypes.Main],
    credentials: [
      ...Object.entries(SOURCE_CREDENTIAL_TYPES)
        .filter(([source]) => POLLABLE.has(source))
        .map(([source, name]) => ({ name, required: true, displayOptions: { show: { source: [source] } }, ...(TOKEN_TESTED.has(name) ? { testedBy: 'webhookOrTokenCredentialTest' } : {}) })),
      // The cursor and the inbox: where polling stands, and the events already seen (by a webhook or an earlier poll).
      { name: 'terminalCrmStore', required: true, testedBy: 'terminalCrmStoreTest' },
    ],
    properties: [
      {
        displayName:
          "Each poll reads the payments made since the last one through the processor's API and keeps its place in the store, so a restart or another n8n instance carries on where it left off. A payment that also arrives through a Terminal Payment Trigger on the same store is passed on once. Stripe needs a secret (or restricted) key that may read events; Square and SumUp their Access Token, Zettle its API Key (or an Access Token), Clover its API Token.",
        name: 'pollNotice',
        type: 'notice',
        default: '',
      },
      {
        displayName: 'Source',
        name: 'source',
        type: 'options',
        noDataExpression: true,
        options: TERMINAL_SOURCES.filter((o) => POLLABLE.has(o.value)),
        default: 'stripe',
        description: 'The payment processor your card terminals report to',
      },
      {
        displayName: 'Options',
        name: 'options',
        type: 'collection',
        placeholder: 'Add Option',
        default: {},
        options: [
          {
            displayName: 'Cursor Name',
            name: 'cursorName',
            type: 'string',
            default: '',
            placeholder: 'poll:square',
            description:
              'Where this poll keeps its place in the store. Leave empty for "poll:&lt;source&gt;"; give each account its own name when several accounts of one processor are polled into one store.',
          },
          {
            displayName: 'First Poll Looks Back (Hours)',
            name: 'lookBackHours',
            type: 'number',
            typeOptions: { minValue: FIRST_POLL_LOOKBACK.min, maxValue: FIRST_POLL_LOOKBACK.max },
            default: DEFAULT_POLL_LOOKBACK_HOURS,
            description: 'How far back the very first poll reads, up to a year (8784 hours); later polls carry on from where the last one stopped. Stripe keeps events for 30 days; for older history use Terminal Backfill.',
          },
          {
            displayName: 'Max Pages per Poll',
            name: 'maxPages',
            type: 'number',
            typeOptions: { minValue: POLL_MAX_PAGES.min, numberPrecision: 0 },
            default: DEFAULT_POLL_MAX_PAGES,
            description: 'A backlog larger than this is read over the next polls',
          },
          {
            displayName: 'Page Size',
            name: 'pageSize',
            type: 'number',
            typeOptions: { minValue: POLL_PAGE_SIZE.min, maxValue: 1000, numberPrecision: 0 },
            default: DEFAULT_POLL_PAGE_SIZE,
            description: "Payments asked for per request (capped at the processor's own maximum)",
          },
        ],
      },
    ],
  };

  methods = { credentialTest: { terminalCrmStoreTest, webhookOrTokenCredentialTest } };

  async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
    const options = this.getNodeParameter('options', {}) as IDataObject;
    return await pollOnce(this, this.getNodeParameter('source', 'stripe') as string, {
      cursorName: options.cursorName,
      lookBackHours: options.lookBackHours as number | undefined,
      // An option left out is the default; what an expression gives is read by the core, which names a wrong one.
      maxPages: options.maxPages,
      pageSize: options.pageSize,
    });
  }
}
