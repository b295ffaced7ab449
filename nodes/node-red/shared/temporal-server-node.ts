import type { Client } from '@temporalio/client';
import type { TemporalConfig } from '../../../temporal/connection-config';
import type { RuntimeNode } from './red-api';

export const TEMPORAL_SERVER_TYPE = 'terminal-temporal-server';

/** The Temporal server config node as the flow nodes see it. */
export interface TemporalServerNode extends RuntimeNode {
  target(): TemporalConfig;
  /** One connection per config node, opened on first use and closed on redeploy. */
  client(): Promise<Client>;
}
