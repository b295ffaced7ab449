import type { InputError } from '../errors';
import type { HttpResponse, HttpTransport } from '../http/http-transport';

/** A token that can be exchanged for a fresh one (a credential that issues tokens, such as Zettle's API key). */
export interface RenewableToken {
  token(): Promise<string>;
  /** A new token after one was refused; undefined when there is no other to get. */
  renew(): Promise<string> | undefined;
}

/**
 * A GET to a processor's REST API with a bearer token. A token refused with 401 that can be renewed is renewed once
 * and the request sent again; refused still (401, 403), it is the operator's to fix, so it becomes the InputError
 * `refused` builds (naming the setting and the scope it needs), never a retry.
 */
export async function bearerGet(
  http: HttpTransport,
  url: string,
  token: string | RenewableToken,
  qs: Record<string, string | number | boolean | undefined> | undefined,
  refused: (status: number) => InputError,
): Promise<HttpResponse> {
  const send = (t: string) => http.request({ method: 'GET', url, qs, headers: { authorization: `Bearer ${t}`, accept: 'application/json' } });
  let res = await send(typeof token === 'string' ? token : await token.token());
  const renewed = res.status === 401 && typeof token !== 'string' ? token.renew() : undefined;
  if (renewed) res = await send(await renewed);
  if (res.status === 401 || res.status === 403) throw refused(res.status);
  return res;
}
