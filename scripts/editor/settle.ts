import type { Page } from 'playwright-core';

/**
 * Waits until the boxes of everything `selector` matches stop moving (two samples `everyMs` apart agree): editors
 * animate zooming, fonts and icons arrive late, and a picture or a geometry check taken mid-way is wrong.
 * `allowEmpty`: nothing matching counts as settled (an empty flow).
 */
export async function waitForSettled(page: Page, selector: string, o: { timeoutMs?: number; everyMs?: number; allowEmpty?: boolean } = {}): Promise<void> {
  const { timeoutMs = 10_000, everyMs = 300, allowEmpty = false } = o;
  const sample = () =>
    page.evaluate((sel) => {
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ getBoundingClientRect(): { x: number; y: number; width: number; height: number } }> } }).document;
      return Array.from(doc.querySelectorAll(sel), (e) => {
        const r = e.getBoundingClientRect();
        return [r.x, r.y, r.width, r.height].map((v) => Math.round(v)).join(',');
      }).join(' ');
    }, selector);
  const deadline = Date.now() + timeoutMs;
  let last = await sample();
  for (;;) {
    await page.waitForTimeout(everyMs);
    const now = await sample();
    if (now === last && (allowEmpty || now !== '')) return;
    if (Date.now() > deadline) throw new Error(`the editor's ${selector} did not settle within ${Math.round(timeoutMs / 1000)} s`);
    last = now;
  }
}
