import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../temporal/payment-worker';
import { bundledModules, forbiddenBundledModules, forbiddenSourceImports, workflowRuntimePackages } from './support/determinism-guard';

// Compiled to build/test/workflows/; the sources are three folders up.
const sourceDir = join(__dirname, '..', '..', '..', 'workflows');

describe('workflow code stays deterministic', () => {
  it('imports nothing at run time but @temporalio/workflow and other workflow files (type imports are fine)', () => {
    const files = readdirSync(sourceDir).filter((f) => f.endsWith('.ts'));
    assert.ok(files.includes('payment-to-crm.ts'), `workflow sources not found in ${sourceDir}`);
    const offending = files.flatMap((f) => forbiddenSourceImports(readFileSync(join(sourceDir, f), 'utf8')).map((spec) => `${f} imports ${spec}`));
    assert.deepEqual(offending, []);
  });

  it('bundles to the workflows folder plus @temporalio/workflow’s own runtime, nothing else', async () => {
    const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
    const modules = bundledModules(code);
    assert.ok(modules.some((m) => m.endsWith('/workflows/payment-to-crm.js')), 'the payment workflow is in the bundle');
    assert.deepEqual(forbiddenBundledModules(modules, process.cwd(), dirname(WORKFLOWS_PATH), workflowRuntimePackages()), []);
  });

  it('the guard itself catches what it is meant to catch', () => {
    const src = [
      "import { proxyActivities } from '@temporalio/workflow';",
      "import type { PaymentEvent } from '../nodes/core/contracts/payment-event';",
      "import { type MatchResult } from '../nodes/core/contracts/customer';",
      "import { tokenize } from '../nodes/core/tokenize/tokenize';",
      "import { randomUUID } from 'node:crypto';",
      "export { paymentToCrm } from './payment-to-crm';",
      "const fs = require('fs');",
    ].join('\n');
    assert.deepEqual(forbiddenSourceImports(src), ['../nodes/core/tokenize/tokenize', 'node:crypto', 'fs']);
    const allowed = new Set(['@temporalio/workflow', '@temporalio/common']);
    const modules = ['./build/workflows/index.js', './node_modules/@temporalio/common/lib/index.js', './build/nodes/core/tokenize/tokenize.js', './node_modules/zod/v4/index.js'];
    assert.deepEqual(forbiddenBundledModules(modules, '/repo', '/repo/build/workflows', allowed), ['./build/nodes/core/tokenize/tokenize.js', './node_modules/zod/v4/index.js']);
  });
});
