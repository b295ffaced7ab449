import type { CustomerProfile } from '../contracts/customer';

/** Profile fields and their columns in the customers table. */
export const PROFILE_COLUMNS: readonly (readonly [keyof CustomerProfile, string])[] = [
  ['name', 'name'], ['givenName', 'given_name'], ['familyName', 'family_name'], ['email', 'email'], ['phone', 'phone'],
  ['street', 'street'], ['city', 'city'], ['postalCode', 'postal_code'], ['region', 'region'], ['country', 'country'],
  ['dateOfBirth', 'date_of_birth'],
];

export const PROFILE_COLUMN_NAMES: readonly string[] = PROFILE_COLUMNS.map(([, column]) => column);
