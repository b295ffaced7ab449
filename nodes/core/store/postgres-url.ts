import { InputError } from '../errors';
import { STORE_FIELD } from './store-field';

/** Query parameters that may carry a secret (libpq accepts `?password=`), never shown in a location. */
const SECRET_PARAM = /pass|secret|key|cert|token/i;

/** "postgres://user:pass@host:5432/db?sslmode=require" → "postgres://user@host:5432/db?sslmode=require". */
export function postgresLocation(url: string): string {
  const u = parsePostgresUrl(url);
  u.password = '';
  for (const name of [...u.searchParams.keys()]) if (SECRET_PARAM.test(name)) u.searchParams.delete(name);
  return u.toString();
}

export function parsePostgresUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InputError(STORE_FIELD, 'the Postgres store URL is not a valid URL', 'write it as postgres://user:password@host:5432/database (percent-encode special characters in the password, e.g. @ as %40)');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new InputError(STORE_FIELD, `"${u.protocol}" is not a Postgres URL`, 'write it as postgres://user:password@host:5432/database');
  }
  if (u.pathname.replace(/^\//, '') === '') {
    throw new InputError(STORE_FIELD, `the Postgres store URL ${postgresLocationUnchecked(u)} names no database`, 'add the database name: postgres://user:password@host:5432/database');
  }
  return u;
}

function postgresLocationUnchecked(u: URL): string {
  const copy = new URL(u.toString());
  copy.password = '';
  copy.search = '';
  return copy.toString();
}
