import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../../nodes/core/errors';
import { addressed, CredentialFieldError } from '../../../nodes/core/sources/credential-error';
import { squareSource } from '../../../nodes/core/sources/square';

const place = {
  name: 'Terminal CRM Square API',
  labels: { accessToken: 'Access Token', baseUrl: 'Base URL', apiVersion: 'API Version', locationId: 'Location ID' },
  fix: (label: string) => `open the Terminal CRM Square API credential and fill in ${label}`,
};

describe('a credential the processor refused, named where the operator fills it in', () => {
  const refused = new CredentialFieldError('accessToken', 'Square refused the access token (401)', 'use a token that may read payments (PAYMENTS_READ)');

  it('names the field as the face labels it, the fix in its words after what the processor needs', () => {
    const e = addressed(refused, squareSource, place);
    assert.ok(e instanceof InputError);
    assert.equal(e.message, 'Terminal CRM Square API → Access Token: Square refused the access token (401). Fix: use a token that may read payments (PAYMENTS_READ); open the Terminal CRM Square API credential and fill in Access Token');
  });

  it('names several fields together, and a place without a name (a credential\'s own Test) by its labels alone', () => {
    const answer = new CredentialFieldError(['baseUrl', 'apiVersion', 'locationId'], 'Square answered 404 to ListPayments', 'check the seller\'s API address, version and location');
    assert.equal(
      addressed(answer, squareSource, { ...place, name: '', fix: (l) => `fill in ${l} in this credential` }).message,
      'Base URL, API Version and Location ID: Square answered 404 to ListPayments. Fix: check the seller\'s API address, version and location; fill in Base URL, API Version and Location ID in this credential',
    );
  });

  it('without a place (worker, sandbox, CLI) names the schema field and its environment variable', () => {
    assert.equal(
      addressed(refused, squareSource).message,
      'accessToken: Square refused the access token (401). Fix: use a token that may read payments (PAYMENTS_READ); fill in "accessToken" in the Square credential (or set SQUARE_ACCESS_TOKEN for the sandbox and the worker)',
    );
  });

  it('leaves any other error as it is', () => {
    const other = new InputError('body', 'not JSON', 'send JSON');
    assert.equal(addressed(other, squareSource, place), other);
  });
});
