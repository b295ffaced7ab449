import { Context } from '@temporalio/activity';
import { ENV } from '../../nodes/core/config/settings';
import { InputError } from '../../nodes/core/errors';
import { axiosTransport } from '../../nodes/core/http/axios-transport';
import { pollableSource, pollSource } from '../../nodes/core/pipeline/poll-source';
import { sourceCredentialsFromEnv } from '../../nodes/core/sources/source-credentials';
import { openDatabase } from '../../nodes/core/store/open-database';
import { keyProviderFromSpec } from '../../nodes/core/tokenize/key-provider';
import { paymentWorkflowKindFromEnv, startPaymentWorkflowOfKind } from '../start-payment/payment-workflow-setting';
import { failFastOnInputError } from './fail-fast';
import { heartbeatWhileRunning } from './heartbeat-while-running';
import type { PollActivities } from '../../workflows/activity-contracts/poll-activities';

const MAX_IDS_IN_SUMMARY = 100;

/**
 * The poll activity: the core's pollSource over the store, with the source's credentials from the worker's
 * environment (the variables the webhook entry reads), and one payment workflow per listed event started before
 * the page is committed. The workflow id is `payment-<event id>`, so an event whose webhook already started its
 * workflow joins that run instead of starting another, and a page read again after a crash starts nothing twice;
 * committing after the starts means no committed event is left without its workflow.
 *
 * Why the activity starts them, not the workflow as children: a page holds up to 100 events with their cards'
 * details, which would all go into the poll workflow's history (and its payload limit) as the activity's result;
 * and payment workflows started here are the same top-level `payment-<id>` runs the webhook starts, so the two
 * paths recognise each other by id.
 */
export function createPollActivities(settings: { storeUrl: string; tokenKeys: string; env?: NodeJS.ProcessEnv }): PollActivities {
  return {
    pollSourceActivity: (input) =>
      failFastOnInputError(() => heartbeatWhileRunning(async () => {
        const env = settings.env ?? process.env;
        const source = pollableSource(input.source);
        const since = input.since === undefined ? undefined : new Date(input.since);
        if (since && Number.isNaN(since.getTime())) throw new InputError('since', `"${input.since}" is not a time`, 'give an ISO time such as 2026-11-20T00:00:00Z, or leave it out for a day back');
        const context = Context.current();
        // The same workflow as the worker's webhook entry (TERMINAL_CRM_PAYMENT_WORKFLOW).
        const kind = paymentWorkflowKindFromEnv(env);
        const workflowIds: string[] = [];
        const outcome = await pollSource({
          source,
          credentials: sourceCredentialsFromEnv(source, env),
          store: await openDatabase(settings.storeUrl),
          keys: settings.tokenKeys.trim() ? keyProviderFromSpec(settings.tokenKeys, ENV.tokenKeys) : undefined,
          since,
          limit: input.limit,
          maxPages: input.maxPages,
          http: axiosTransport(),
          handOff: async (events) => {
            for (const event of events) {
              const workflowId = await startPaymentWorkflowOfKind(context.client, event, kind, { taskQueue: context.info.taskQueue });
              if (workflowIds.length < MAX_IDS_IN_SUMMARY) workflowIds.push(workflowId);
            }
          },
        });
        // The pages before it are committed and their workflows started: the retry carries on after them.
        if (outcome.failure) throw outcome.failure;
        for (const note of outcome.notes ?? []) context.log.warn(`poll ${source.name}: ${note}`);
        return {
          source: source.name,
          fresh: outcome.events.length,
          duplicates: outcome.duplicates.length,
          pages: outcome.pages,
          more: outcome.more,
          raced: outcome.raced,
          workflowIds,
          ...(outcome.notes ? { notes: outcome.notes } : {}),
        };
      })),
  };
}
