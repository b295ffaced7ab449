import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowJson } from './run-workflow';

export type TemplateJson = WorkflowJson & { nodes: Array<WorkflowJson['nodes'][number] & { webhookId?: string }> };

/** An importable workflow the pack ships under templates/n8n/, found from build/ or the sources. */
export function n8nTemplate(fileName: string): TemplateJson {
  let dir = __dirname;
  for (;;) {
    try {
      return JSON.parse(readFileSync(join(dir, 'templates', 'n8n', fileName), 'utf8'));
    } catch (e) {
      const parent = join(dir, '..');
      if (parent === dir || (e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      dir = parent;
    }
  }
}

/** templates/n8n/payment-to-crm.json */
export function paymentToCrmTemplate(): TemplateJson {
  return n8nTemplate('payment-to-crm.json');
}
