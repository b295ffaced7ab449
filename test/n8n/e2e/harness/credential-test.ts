import type { RestSession } from '../../../../sandbox/run/n8n/rest-session';

/** Runs a saved credential's test as the credential dialog's "Test" does (the data may differ from the saved one). */
export async function testCredential(
  rest: RestSession,
  credential: { id: string; name: string; type: string; data: Record<string, string> },
): Promise<{ status: string; message: string }> {
  return await rest.request('POST', '/credentials/test', { credentials: credential });
}
