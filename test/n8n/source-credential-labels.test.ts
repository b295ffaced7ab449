import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ICredentialType } from 'n8n-workflow';
import { parseSourceCredentials } from '../../nodes/core/sources/source-credentials';
import { credentialTypeOf, SOURCE_CREDENTIAL_TYPES, sourceCredentialPlace } from '../../nodes/n8n/TerminalTrigger/source-credentials';
import { StripeTerminalApi } from '../../credentials/StripeTerminalApi.credentials';
import { TerminalAdyenTerminalApi } from '../../credentials/TerminalAdyenTerminalApi.credentials';
import { TerminalAdyenWebhookApi } from '../../credentials/TerminalAdyenWebhookApi.credentials';
import { TerminalCloverApi } from '../../credentials/TerminalCloverApi.credentials';
import { TerminalGenericWebhookApi } from '../../credentials/TerminalGenericWebhookApi.credentials';
import { TerminalSquareApi } from '../../credentials/TerminalSquareApi.credentials';
import { TerminalSumUpApi } from '../../credentials/TerminalSumUpApi.credentials';
import { TerminalZettleApi } from '../../credentials/TerminalZettleApi.credentials';
import { credentialRefusals, refusalOf as refusedBy, schemaOf, sourceNamed } from '../core/sources/credential-refusals';

const CLASSES: ICredentialType[] = [
  new StripeTerminalApi(), new TerminalSquareApi(), new TerminalAdyenWebhookApi(), new TerminalAdyenTerminalApi(),
  new TerminalZettleApi(), new TerminalCloverApi(), new TerminalSumUpApi(), new TerminalGenericWebhookApi(),
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('n8n: an unusable source credential is named as n8n lists it', () => {
  it("names, for every source and every field its schema refuses, the credential class's displayName and the field's", () => {
    const refusals = credentialRefusals();
    assert.ok(refusals.length >= 20, `only ${refusals.length} refusals found`);
    for (const r of refusals) {
      const cls = CLASSES.find((c) => c.name === credentialTypeOf(r.source))!;
      assert.equal(cls.name, SOURCE_CREDENTIAL_TYPES[r.source], r.source);
      const label = cls.properties.find((p) => p.name === r.field)?.displayName;
      assert.ok(label, `${cls.displayName} has a field ${r.field}`);
      const source = sourceNamed(r.source);
      const e = refusedBy(() => parseSourceCredentials(schemaOf(source, r.schema), r.record, sourceCredentialPlace(r.source)));
      const what = `${r.source} (${r.schema}) ${r.field}=${JSON.stringify(r.record[r.field])}`;
      assert.equal(e.field, `${cls.displayName} → ${label}`, what);
      // A rule a poll's schema words as the source's own error (credentialFieldIssue) says what is needed first.
      assert.match(e.message, new RegExp(`^${escape(cls.displayName)} → ${escape(label)}: .+\\. Fix: (?:[^;]+; )?open the ${escape(cls.displayName)} credential and fill in ${escape(label)}$`), what);
      // A camelCase name is the schema's; "secret" or "passphrase" in a problem is English.
      const schemaName = /[a-z][A-Z]/.test(r.field) ? `\\b${r.field}\\b|` : '';
      assert.doesNotMatch(e.message, new RegExp(`${schemaName}${Object.values(source.env).join('|')}`), `${what}: no schema name, no environment variable`);
    }
  });
});
