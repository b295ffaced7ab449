import { DEFAULT_REVIEW_WAIT_MS, ENV } from '../../nodes/core/config/settings';
import type { Settings } from '../../nodes/core/pipeline/settings';
import type { MatchConfig } from '../../nodes/core/match/match-config';
import { applyReviewResolution, parseReviewResolution, type ReviewResolution } from '../../nodes/core/match/review-resolution';
import { keyProviderFromSpec, matchStep, openCrm, tokenizeStep, upsertStep } from '../../nodes/core/steps/steps';
import { openDatabase } from '../../nodes/core/store/open-database';
import { pushedSaleOf } from '../../nodes/core/terminal-push/push-metadata';
import { failFastOnInputError } from './fail-fast';
import { heartbeatingEach } from './heartbeat-while-running';
import { rememberedInRun } from './remembered-in-run';
import { createSegmentLoyaltyActivities } from './segment-loyalty-activities';
import type { MatchedMessage, PaymentActivities, RecordedMessage } from '../../workflows/activity-contracts/payment-activities';

export type ActivitySettings = Pick<Settings, 'storeUrl' | 'tokenKeys' | 'defaultRegion'> & {
  /** Matching options beyond the region (thresholds, weights…); the core's defaults when absent. */
  match?: Omit<MatchConfig, 'defaultRegion'>;
  /** How long a review-band payment waits for an operator (ms); 72 hours when absent, 0 for no wait. */
  reviewWaitMs?: number;
  /** The Segment step's configuration: the defaults when absent, off when null (as TERMINAL_CRM_SEGMENT_CONFIG). */
  segment?: Settings['segment'];
  /** The loyalty program: none when absent or null (as TERMINAL_CRM_LOYALTY_PROGRAM). */
  loyalty?: Settings['loyalty'];
};

/**
 * The payment workflows' activities over the core steps, configured explicitly (the worker passes
 * settingsFromEnv(), tests pass their own). The token keys are parsed here, so a worker with a bad key setting
 * stops at start-up instead of failing every payment.
 */
export function createPaymentActivities(settings: ActivitySettings): PaymentActivities {
  const keys = keyProviderFromSpec(settings.tokenKeys, ENV.tokenKeys);
  const crm = () => openCrm({ storeUrl: settings.storeUrl });
  const store = () => openDatabase(settings.storeUrl);
  const matchConfig: MatchConfig = { ...settings.match, defaultRegion: settings.defaultRegion };
  // Each step heartbeats while it runs, so a payment workflow's heartbeat timeout notices an attempt whose worker died.
  const steps: Omit<PaymentActivities, 'reviewWait'> = {
    tokenize: (event) => failFastOnInputError(() => tokenizeStep(event, keys)),
    match: (message) =>
      failFastOnInputError(async () => (await matchStep(message, await crm(), matchConfig)) as MatchedMessage),
    upsert: rememberedInRun(store, (message: MatchedMessage, resolution?: ReviewResolution) =>
      failFastOnInputError(async () => {
        const decided = resolution ? { ...message, match: applyReviewResolution(message.match, parseReviewResolution(resolution)) } : message;
        const recorded = (await upsertStep([decided], await crm()))[0] as RecordedMessage;
        // A retry after a crash meets the payment already recorded ("duplicate"): the waiting sale must still be
        // told; it keeps the first report it gets, so telling it twice changes nothing.
        const sale = pushedSaleOf(recorded);
        return sale ? { ...recorded, pushedSale: sale } : recorded;
      })),
    ...createSegmentLoyaltyActivities(settings),
  };
  return {
    ...heartbeatingEach(steps),
    // Answers the setting at once: the operator is waited for by the workflow (a durable timer), not by an activity.
    reviewWait: async () => settings.reviewWaitMs ?? DEFAULT_REVIEW_WAIT_MS,
  };
}
