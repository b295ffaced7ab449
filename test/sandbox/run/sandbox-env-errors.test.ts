import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sandboxConfigFromEnv } from '../../../sandbox/run/sandbox-config';
import { sourceVariables } from '../../../sandbox/run/source-keys';
import { tempDir } from '../../support/temp-store';
import { assertNamesVariable } from '../../support/env-refusal';
import { NO_SANDBOX_CASE, SANDBOX_CASES, SANDBOX_SOURCE_CASES } from './sandbox-env-cases';

describe('a wrong value of any variable the sandbox reads stops it before it starts, naming the variable', { timeout: 15_000 }, () => {
  const work = tempDir('tcrm-sandbox-env-');
  after(() => work.remove());
  const refusal = (env: NodeJS.ProcessEnv): unknown => {
    try {
      sandboxConfigFromEnv({ TERMINAL_CRM_SANDBOX_DIR: join(work.path, 'state'), ...env }, work.path);
    } catch (e) {
      return e;
    }
    return undefined;
  };

  it('starts with none of them set', () => assert.equal(refusal({}), undefined));

  for (const [variable, bad] of Object.entries({ ...SANDBOX_CASES, ...SANDBOX_SOURCE_CASES, TERMINAL_CRM_CRM: ['sugarcrm', 'hub spot'] })) {
    it(variable, () => {
      for (const value of bad) assertNamesVariable(refusal({ [variable]: value }), variable, `${variable}=${JSON.stringify(value)}`);
    });
  }

  it('has a case, or a reason, for every source key it reads', () => {
    const missing = sourceVariables().filter((v) => !(v in SANDBOX_SOURCE_CASES) && !(v in NO_SANDBOX_CASE));
    assert.deepEqual(missing, []);
  });
});
