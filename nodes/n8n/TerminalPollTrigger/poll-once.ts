import type { INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import type { PaymentEvent } from '../../core/contracts/payment-event';
import { InputError, renamedField } from '../../core/errors';
import { firstPollSince, pollableSource, pollMaxPages, pollPageSize, pollSource, previewPoll } from '../../core/pipeline/poll-source';
import { openDatabase } from '../../core/store/open-database';
import { keyProviderFromSpec } from '../../core/tokenize/key-provider';
import { readCrmStoreCredential } from '../shared/crm-store-credential';
import { toItemJson } from '../shared/item-json';
import { n8nHttpTransport } from '../shared/n8n-http-transport';
import { toNodeError } from '../shared/node-error';
import { credentialTypeOf, sourceCredentialPlace } from '../TerminalTrigger/source-credentials';

export interface PollSettings {
  /** As n8n gives it; empty: the core's "poll:<source>". */
  cursorName: unknown;
  /** As n8n gives it (an expression may give anything): read by firstPollSince, which names the field. */
  lookBackHours: unknown;
  /** As n8n gives them, read by the core's pollMaxPages and pollPageSize (the Node-RED node's readers too). */
  maxPages: unknown;
  pageSize: unknown;
}

/** The options' labels in the node's Options, which the errors name. */
const LABELS = { cursorName: 'Cursor Name', lookBackHours: 'First Poll Looks Back (Hours)', maxPages: 'Max Pages per Poll', pageSize: 'Page Size' } as const;

/** An expression's object or list is refused by name: read as empty, it would move another cursor than the one meant. */
function cursorNameOf(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw new InputError(LABELS.cursorName, `is ${Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`}, not a name`, 'type a name such as poll:square, or leave it empty');
}

const items = (events: PaymentEvent[]): INodeExecutionData[][] | null => (events.length ? [events.map((e) => ({ json: toItemJson(e) }))] : null);

/**
 * One n8n poll. Active: the core polls page by page, keeping each page's events in the store's inbox and moving the
 * cursor with them, and the events new to the inbox start one execution. A manual "Fetch Test Event" reads one page
 * from where the cursor stands and keeps nothing, so testing in the editor takes no payment away from the flow.
 */
export async function pollOnce(ctx: IPollFunctions, sourceName: string, settings: PollSettings): Promise<INodeExecutionData[][] | null> {
  try {
    const credentialType = credentialTypeOf(sourceName);
    const source = pollableSource(sourceName);
    const cursorName = cursorNameOf(settings.cursorName);
    // Read before anything is asked of the store or the processor, on a test fetch too, so a number the poll cannot
    // use is the error the editor shows, by the option's name.
    const since = firstPollSince(LABELS.lookBackHours, settings.lookBackHours);
    const limit = pollPageSize(LABELS.pageSize, settings.pageSize);
    const maxPages = pollMaxPages(LABELS.maxPages, settings.maxPages);
    const store = readCrmStoreCredential(await ctx.getCredentials('terminalCrmStore'));
    const common = {
      source,
      credentials: { ...(await ctx.getCredentials(credentialType)) },
      credentialPlace: sourceCredentialPlace(sourceName),
      store: await openDatabase(store.storeUrl),
      cursorName: cursorName || undefined,
      since,
      limit,
      http: n8nHttpTransport(ctx, credentialType),
    };
    if (ctx.getMode() === 'manual') return items(await previewPoll(common));

    // n8n abandons a poll that overruns its budget: no page is started after half of it.
    const budgetMs = typeof ctx.getPollBudgetMs === 'function' ? ctx.getPollBudgetMs() : undefined;
    const outcome = await pollSource({
      ...common,
      keys: store.tokenKeys.trim() ? keyProviderFromSpec(store.tokenKeys, 'Token Keys') : undefined,
      maxPages,
      deadline: budgetMs ? new Date(Date.now() + budgetMs / 2) : undefined,
    });
    // Pages kept before a failure are passed on now; the failing page is read again at the next poll.
    if (outcome.failure) ctx.logger.warn(`Terminal Payment Poll Trigger: stopped after ${outcome.pages} page(s): ${outcome.failure.message}`);
    // What the poll read less than it was asked (a Square token that may not list the seller's locations).
    for (const note of outcome.notes ?? []) ctx.logger.warn(`Terminal Payment Poll Trigger: ${note}`);
    if (outcome.raced) ctx.logger.info('Terminal Payment Poll Trigger: another poller of the same cursor moved it first; this poll stopped and kept nothing twice');
    return items(outcome.events);
  } catch (error) {
    throw toNodeError(ctx.getNode(), renamedField(error, 'source', 'Source'));
  }
}
