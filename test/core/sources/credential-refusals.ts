import { InputError } from '../../../nodes/core/errors';
import { createSource } from '../../../nodes/core/sources/registry';
import type { Source } from '../../../nodes/core/sources/source';
import { parseSourceCredentials } from '../../../nodes/core/sources/source-credentials';
import { DODO_TEST_SECRET, fixture } from './generic-support';

/**
 * A usable credential of each source, every field an editor offers filled in, by the source's field names. Taking
 * one field away, emptying it or filling in something unusable shows which fields the source's schema can refuse.
 */
export const USABLE_CREDENTIALS: Record<string, Record<string, string>> = {
  stripe: { signingSecret: 'whsec_test', secretKey: 'sk_test_x' },
  square: { signatureKey: 'sig-key', notificationUrl: 'https://hooks.example.com/square', accessToken: 'EAAA-token', baseUrl: 'https://connect.squareup.com' },
  adyen: { hmacKey: '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056', basicUsername: 'ws@Company', basicPassword: 'pw' },
  'adyen-terminal': { keyIdentifier: 'key-1', passphrase: 'pass', keyVersion: '1', basicUsername: 'ws@Company', basicPassword: 'pw' },
  zettle: { signingKey: 'zettle-key', accessToken: 'zettle-token', apiKey: 'eyJraWQiOiIwIn0.e30.c2ln', clientId: '6adde977-c34d-4de1-99b2-f6ed3e65431a' },
  clover: { authCode: 'auth', apiToken: 'token', merchantId: 'MID1', currency: 'CAD', baseUrl: 'https://api.clover.com' },
  sumup: { accessToken: 'sup_sk_1', signingSecret: 'whsec_sumup', merchantCode: 'MC0X8Y2Z', baseUrl: 'https://api.sumup.com' },
  generic: { secret: DODO_TEST_SECRET },
};

/**
 * Fields a source reads that no editor offers, each with the reason: every other field of a source (its `env` map
 * names them all) must be in its n8n credential and its Node-RED account, or an operator of that editor cannot set
 * it, and an error naming it points at a box that is not there.
 */
export const ENV_ONLY_FIELDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  square: { apiVersion: "the Square-Version the pack was built and tested against; a variable lets the worker try a newer one, an editor's box would invite pinning an old one" },
  zettle: {
    purchaseBaseUrl: 'Zettle has one API host and no sandbox; the variable points the worker or the sandbox at a mock or proxy',
    oauthBaseUrl: 'the same, for its token host',
  },
};

/** What an editor can hand over for a field: nothing, an empty box, or text that is not what the field takes. */
const UNUSABLE: ReadonlyArray<string | undefined> = [undefined, '', 'not usable ✗'];

export interface Refusal {
  source: string;
  /** The webhook's schema, or the polling one where the source has its own. */
  schema: 'webhook' | 'polling';
  field: string;
  record: Record<string, unknown>;
}

/** The built-in source of a name, the generic one configured as the Dodo Payments fixture. */
export function sourceNamed(name: string): Source<unknown> {
  return name === 'generic' ? createSource('generic', fixture('dodo-config.json')) : createSource(name);
}

export function schemaOf(source: Source<unknown>, schema: Refusal['schema']): Source<unknown> {
  return schema === 'polling' ? { ...source, credentials: source.listCredentials ?? source.credentials } : source;
}

/** Every field of every source that its webhook or polling schema refuses for some value an editor can hand over. */
export function credentialRefusals(): Refusal[] {
  const out: Refusal[] = [];
  for (const [name, usable] of Object.entries(USABLE_CREDENTIALS)) {
    const source = sourceNamed(name);
    const schemas: Refusal['schema'][] = source.listCredentials ? ['webhook', 'polling'] : ['webhook'];
    for (const schema of schemas) {
      for (const field of Object.keys(usable)) {
        for (const value of UNUSABLE) {
          const record: Record<string, unknown> = { ...usable, [field]: value };
          if (value === undefined) delete record[field];
          try {
            parseSourceCredentials(schemaOf(source, schema), record);
          } catch (e) {
            if (!(e instanceof InputError)) throw e;
            if (e.field.split('.')[0] !== field) throw new Error(`${name}: emptying ${field} was refused for ${e.field}`);
            out.push({ source: name, schema, field, record });
          }
        }
      }
    }
  }
  return out;
}

/** The InputError a credential parse throws; any other outcome fails the test. */
export function refusalOf(parse: () => unknown): InputError {
  try {
    parse();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('the credential was accepted');
}
