import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adyenTerminalSource } from '../../../nodes/core/sources/adyen-terminal';
import { parseSourceCredentials, type CredentialPlace } from '../../../nodes/core/sources/source-credentials';
import { squareSource } from '../../../nodes/core/sources/square';
import { refusalOf as refusal } from './credential-refusals';

const SQUARE_PLACE: CredentialPlace = {
  name: 'Square account',
  labels: { signatureKey: 'Signature key', notificationUrl: 'Notification URL' },
  fix: (label) => `open the Square account configuration, fill in ${label} and deploy`,
};

describe('parseSourceCredentials: an unusable credential named where the operator fills it in', () => {
  it('without a place, names the schema field and its environment variable (the worker, the sandbox)', () => {
    const e = refusal(() => parseSourceCredentials(squareSource, {}));
    assert.equal(e.field, 'signatureKey');
    assert.match(e.message, /^signatureKey: the Square credential is not usable: no Square webhook signature key is configured.*Fix: fill in "signatureKey" in the Square credential \(or set SQUARE_WEBHOOK_SIGNATURE_KEY for the sandbox and the worker\)$/);
  });

  it("with a place, names the credential and the field by the editor's labels, and the fix in its words", () => {
    const e = refusal(() => parseSourceCredentials(squareSource, { signatureKey: 'k', notificationUrl: 'hooks.example.com/square' }, SQUARE_PLACE));
    assert.equal(e.field, 'Square account → Notification URL');
    assert.match(e.message, /^Square account → Notification URL: "[^"]*" is not a usable URL: it has no scheme; .*\. Fix: open the Square account configuration, fill in Notification URL and deploy$/);
    assert.doesNotMatch(e.message, /notificationUrl|SQUARE_WEBHOOK_URL/);
  });

  it('keeps the schema name of a field the place has no label for', () => {
    const e = refusal(() => parseSourceCredentials(squareSource, { signatureKey: 'k', apiVersion: 'latest' }, SQUARE_PLACE));
    assert.equal(e.field, 'Square account → apiVersion');
  });

  it('a place without a name (a credential\'s own Test) names the field alone', () => {
    const place: CredentialPlace = { name: '', labels: { keyIdentifier: 'Key identifier', passphrase: 'Key passphrase', keyVersion: 'Key version' }, fix: (l) => `fill in ${l} in this credential` };
    const e = refusal(() => parseSourceCredentials(adyenTerminalSource, { keyIdentifier: 'k1', passphrase: 'p' }, place));
    assert.equal(e.message, 'Key version: the terminal key is only partly configured: its key identifier, passphrase and version are needed together. Fix: fill in Key version in this credential');
  });
});
