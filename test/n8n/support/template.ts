import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowJson } from './run-workflow';

/** The importable workflow the pack ships (templates/n8n/payment-to-crm.json), found from build/ or the sources. */
export function paymentToCrmTemplate(): WorkflowJson & { nodes: Array<WorkflowJson['nodes'][number] & { webhookId?: string }> } {
  let dir = __dirname;
  for (;;) {
    try {
      return JSON.parse(readFileSync(join(dir, 'templates', 'n8n', 'payment-to-crm.json'), 'utf8'));
    } catch (e) {
      const parent = join(dir, '..');
      if (parent === dir || (e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      dir = parent;
    }
  }
}
