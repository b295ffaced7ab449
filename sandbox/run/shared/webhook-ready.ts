import { waitUntil } from './wait-until';

/**
 * Waits until the trigger behind `url` answers an unsigned POST itself, not the engine's 404 for a route it does
 * not have yet. Most triggers answer 4xx (no signature); a source whose notifications are only hints checked
 * against the processor's API (SumUp without a signing secret) may answer 200 and ignore it. Nothing reaches the
 * flow either way, so nothing is written. A 5xx is waited out (an engine still activating), and named if it stays.
 */
export async function waitForWebhook(url: string, timeoutMs = 30_000): Promise<void> {
  await waitUntil(`POST ${url} to reach the trigger (an answer other than the engine's 404 for an unknown route)`, timeoutMs, async () => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    if (res.status !== 404 && res.status < 500) return true;
    throw new Error(`HTTP ${res.status} ${text.slice(0, 300)}`);
  }, 100);
}
