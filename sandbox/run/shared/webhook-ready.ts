import { waitUntil } from './wait-until';

/**
 * Waits until the trigger behind `url` answers: an unsigned POST gets the trigger's own 400 (no signature),
 * not the engine's 404 for a route it does not have yet. Nothing reaches the flow, so nothing is written.
 */
export async function waitForWebhook(url: string, timeoutMs = 30_000): Promise<void> {
  await waitUntil(`POST ${url} to reach the trigger (HTTP 400 for an unsigned request)`, timeoutMs, async () => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(5000) });
    await res.body?.cancel();
    if (res.status === 400) return true;
    throw new Error(`HTTP ${res.status}`);
  }, 100);
}
