import type { InputError } from '../errors';
import type { HttpResponse, HttpTransport } from '../http/http-transport';

/**
 * A GET to a processor's REST API with a bearer token. A refused token (401, 403) is the operator's to fix, so it
 * becomes the InputError `refused` builds (naming the setting and the scope it needs), never a retry.
 */
export async function bearerGet(
  http: HttpTransport,
  url: string,
  token: string,
  qs: Record<string, string | number | boolean | undefined> | undefined,
  refused: (status: number) => InputError,
): Promise<HttpResponse> {
  const res = await http.request({ method: 'GET', url, qs, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  if (res.status === 401 || res.status === 403) throw refused(res.status);
  return res;
}
