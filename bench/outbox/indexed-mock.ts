import type { HsRecord, HubSpotMock } from '../../test/core/crm/saas/mocks/hubspot-mock';

/**
 * The HubSpot contract mock finds a record by a property with a scan of every record, which is right for tests
 * and quadratic at the bench's tens of thousands of contacts: the bench would time the mock. This gives the
 * mock's lookups an index built as records are created. Exact for the bench, where each contact is created once
 * and its id and email never change; not a general replacement.
 */
/**
 * What the mock looks records up by when they are upserted: a contact by the pack's id and its email (uniqueness),
 * a deal by its payment key.
 */
const INDEXED = ['terminal_crm_id', 'email', 'terminal_crm_payment_key'];

export function indexLookups(mock: HubSpotMock): void {
  const index = new Map<string, HsRecord[]>();
  const key = (type: string, property: string, value: string) => `${type}\u0000${property}\u0000${property === 'email' ? value.toLowerCase() : value}`;
  const seed = mock.seed.bind(mock);
  mock.seed = (objectType, properties, at) => {
    const r = seed(objectType, properties, at);
    for (const property of INDEXED) {
      const value = r.properties[property];
      if (value === undefined) continue;
      const k = key(objectType, property, value);
      const list = index.get(k);
      if (list) list.push(r);
      else index.set(k, [r]);
    }
    return r;
  };
  const recordBy = mock.recordBy.bind(mock);
  mock.recordBy = (objectType, property, value) => (INDEXED.includes(property) ? (index.get(key(objectType, property, value)) ?? []) : recordBy(objectType, property, value));
}
