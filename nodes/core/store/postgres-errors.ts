import { InputError } from '../errors';
import { STORE_FIELD } from './store-field';

const WHERE = 'the store URL (TERMINAL_CRM_STORE_URL, or the Store URL of the Terminal CRM store settings)';

const TLS_TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

interface DriverError {
  code?: string;
  message?: string;
}

/**
 * Turns the driver's connection failures into messages an operator can act on. `connecting`: the error came
 * while opening a connection (after the connect timeout, if `timedOutAfterMs`), so whatever it is, the store
 * could not be reached. Errors of a statement that ran (constraint violations, bugs) are left as they are.
 */
export function connectionErrorToInputError(error: unknown, location: string, connecting: false | { timedOutAfterMs?: number }): unknown {
  if (!(error instanceof Error)) return error;
  const e = error as DriverError;
  const u = new URL(location);
  const user = decodeURIComponent(u.username) || 'the default user';
  const server = `${u.hostname || 'the local socket'}${u.port ? `:${u.port}` : ''}`;
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  const fail = (problem: string, fix: string) => new InputError(STORE_FIELD, `cannot open the Postgres store ${location}: ${problem}`, fix);
  const message = e.message ?? '';
  switch (e.code) {
    case 'ECONNREFUSED':
      return fail(`nothing accepts connections at ${server}`, `start the Postgres server, or correct the host and port in ${WHERE}`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return fail(`the host "${u.hostname}" is not known`, `correct the host name in ${WHERE}`);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return fail(`the server at ${server} cannot be reached (${e.code})`, `check the host and port in ${WHERE}, and that a firewall lets this machine through`);
    case '28P01':
      return fail(`the server refused the password of user "${user}"`, `correct the user name and password in ${WHERE}`);
    case '28000':
      return fail(`the server does not let user "${user}" connect to database "${database}" from this machine`, `allow it in the server's pg_hba.conf, or use a user that is allowed, in ${WHERE}`);
    case '3D000':
      return fail(`there is no database "${database}" on ${server}`, `create it (CREATE DATABASE "${database}"; or createdb ${database}), or correct the database name in ${WHERE}`);
    case '53300':
      return fail('the server has no connection left (too many clients)', "raise the server's max_connections, or run fewer instances against it");
    case '57P03':
      return fail('the server is starting up or shutting down', 'wait until it is up, then try again');
    default:
      break;
  }
  if (e.code && TLS_TRUST_CODES.has(e.code)) {
    return fail(`the server's TLS certificate is not trusted (${message})`, `add the certificate of the authority that signed it, as sslrootcert=/path/to/ca.pem, to ${WHERE}`);
  }
  if (/does not support SSL/i.test(message)) {
    return fail('the server does not accept TLS connections', `enable TLS (ssl = on) on the server, or remove sslmode from ${WHERE} on a network you trust`);
  }
  if (!connecting) return error;
  if (connecting.timedOutAfterMs !== undefined || /timeout/i.test(message)) {
    const within = connecting.timedOutAfterMs ? ` within ${Number((connecting.timedOutAfterMs / 1000).toFixed(1))} s` : ' in time';
    return fail(`the server at ${server} did not answer${within}`, `check the host and port in ${WHERE}, and that the server is up and reachable from this machine`);
  }
  if (/Connection terminated unexpectedly/i.test(message)) {
    return fail(`${server} closed the connection without answering as a Postgres server`, `check the host and port in ${WHERE}: they must be those of the Postgres server`);
  }
  return fail(message || String(error), `check ${WHERE} and that the server is up`);
}
