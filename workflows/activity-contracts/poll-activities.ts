/**
 * What the poll workflow asks of its activity. Types only: workflow code names them with `import type`, so the
 * workflow bundle never loads the activities (temporal/activities/poll-activities.ts implements them).
 */

/** What one poll of a source asks for (the scheduled workflow's input); times are ISO strings. */
export interface PollSourceInput {
  source: string;
  /** Where the first poll starts when no cursor is stored yet (default: a day back). */
  since?: string;
  limit?: number;
  maxPages?: number;
}

/** Counts and ids only: the events themselves stay out of the poll workflow's history. */
export interface PollSummary {
  source: string;
  /** Events new to the inbox. */
  fresh: number;
  /** Events the inbox held already (a webhook brought them, or the page was read before). */
  duplicates: number;
  pages: number;
  /** A backlog is left for another round. */
  more: boolean;
  /** Another poller of the same cursor moved it first; this one stopped. */
  raced: boolean;
  /** The payment workflows for this poll's events (started, or joined where they existed), the first 100. */
  workflowIds: string[];
  /** What the operator must hear though nothing failed (Square listing only the main location, and why). */
  notes?: string[];
}

export interface PollActivities {
  pollSourceActivity(input: PollSourceInput): Promise<PollSummary>;
}
