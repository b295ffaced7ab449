import type { Page } from 'playwright-core';
import { waitForSettled } from './settle';

const CANVAS_NODE = '[data-test-id="canvas-node"]';

/** Signs in on n8n's own sign-in page, as a person would (n8n ties the session to the browser that signed in). */
export async function signIn(page: Page, baseUrl: string, owner: { email: string; password: string }): Promise<void> {
  await page.goto(`${baseUrl}/signin`, { waitUntil: 'domcontentloaded', timeout: 30_000 });
  await page.locator('[data-test-id="emailOrLdapLoginId"] input, input[type=email]').first().fill(owner.email, { timeout: 30_000 });
  await page.locator('[data-test-id="password"] input, input[type=password]').first().fill(owner.password);
  await page.click('[data-test-id="form-submit-button"]');
  await page.waitForURL((url) => !url.pathname.includes('signin'), { timeout: 30_000 });
}

/**
 * Goes to an editor route. Once the editor is loaded this is its own router (what a click in the app does): a full
 * page load parses several megabytes of editor code again, many seconds on a busy machine.
 */
export async function goTo(page: Page, baseUrl: string, path: string): Promise<void> {
  const arrived = (timeout: number) =>
    page
      .waitForFunction((to) => (globalThis as unknown as { location: { pathname: string } }).location.pathname === to, path, { timeout })
      .then(() => true, () => false);
  const pushed = page.url().startsWith(baseUrl) && (await page.evaluate((to) => {
    const app = (globalThis as unknown as { document: { querySelector(s: string): { __vue_app__?: { config: { globalProperties: { $router?: { push(p: string): unknown } } } } } | null } }).document.querySelector('#app')?.__vue_app__;
    const router = app?.config.globalProperties.$router;
    if (!router) return false;
    void router.push(to);
    return true;
  }, path));
  // A push right after sign-in can be overtaken by the editor's own redirect; then load the page the long way.
  // A router push is no page load, so wait for the address rather than for a load event.
  if (pushed && (await arrived(5_000))) return;
  await page.goto(`${baseUrl}${path}`, { waitUntil: 'domcontentloaded', timeout: 30_000 });
  if (!(await arrived(15_000))) throw new Error(`the n8n editor did not go to ${path} (it shows ${page.url()})`);
}

/**
 * Opens a saved workflow in the editor and waits until it shows its name (not the last workflow's canvas) and its
 * canvas has drawn every node and stopped moving.
 */
export async function openWorkflow(page: Page, baseUrl: string, workflow: { id: string; title: string }): Promise<void> {
  await goTo(page, baseUrl, `/workflow/${workflow.id}`);
  await page.locator('[data-test-id="workflow-name-input"]', { hasText: workflow.title }).first().waitFor({ state: 'visible', timeout: 30_000 });
  await page.waitForSelector(CANVAS_NODE, { timeout: 30_000 });
  await waitForSettled(page, CANVAS_NODE);
}

/** The canvas's own "Zoom to fit" button, then a wait until the zoom animation has ended. */
export async function zoomToFit(page: Page): Promise<void> {
  await page.click('[data-test-id="zoom-to-fit"]');
  await waitForSettled(page, `${CANVAS_NODE}, [data-test-id="sticky"]`);
}
