// What the engine faces call for the Segment step and its scheduled batch (see segment-step.ts, batch.ts).
export { runSegmentBatch, type BatchOptions, type BatchProgress, type BatchResult, type BatchCurrencyResult } from './batch';
export { runScheduledBatch, summarizeBatch, summarizeReview, type LoyaltyReviewSummary, type SegmentBatchSummary } from './scheduled-run';
export { parseSegmentConfig, SegmentConfigSchema, CRM_FIELD_NAMES, type SegmentConfig } from './config';
export { segmentStep, type SegmentDeps, type SegmentResult } from './segment-step';
export { DEFAULT_SEGMENT_RULES } from './segments';
export { clvReport, type ClvReport } from './clv-report';
