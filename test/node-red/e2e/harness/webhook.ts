const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface WebhookAnswer {
  status: number;
  text: string;
}

export async function postWebhook(url: string, body: string, headers: Record<string, string>): Promise<WebhookAnswer> {
  const res = await fetch(url, { method: 'POST', body, headers });
  return { status: res.status, text: await res.text() };
}

/**
 * Waits until a just-deployed route answers something other than 404 (routes appear a moment after the deploy
 * call returns). The probe is unsigned, so the trigger rejects it and nothing reaches the flow.
 */
export async function waitForRoute(url: string, timeoutMs = 15_000): Promise<WebhookAnswer> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const answer = await postWebhook(url, '{}', { 'content-type': 'application/json' }).catch(() => ({ status: 0, text: '' }));
    if (answer.status !== 404 && answer.status !== 0) return answer;
    if (Date.now() > deadline) throw new Error(`POST ${url} still answers ${answer.status || 'nothing'} ${timeoutMs} ms after the deploy`);
    await sleep(100);
  }
}
