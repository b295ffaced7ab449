import type { Page } from 'playwright-core';
import { waitForSettled } from './settle';

/** The editor's globals, as page.evaluate sees them (this code is compiled without the DOM library). */
export type EditorWindow = { RED: any; document: any; fetch: typeof fetch };

/** Opens the Node-RED editor and waits until it has loaded the node types, the flows and the palette. */
export async function openNodeRed(page: Page, baseUrl: string): Promise<void> {
  await page.goto(baseUrl, { waitUntil: 'domcontentloaded', timeout: 30_000 });
  await page.waitForFunction(
    () => {
      const w = globalThis as unknown as EditorWindow;
      return !!w.RED?.nodes?.getWorkspaceOrder && w.RED.nodes.getWorkspaceOrder().length > 0 && !!w.document.querySelector('#red-ui-palette-container .red-ui-palette-node');
    },
    null,
    { timeout: 30_000 },
  );
  // Trays and notifications slide in with jQuery animations: off, they open and close at once (same result).
  await page.evaluate(() => {
    (globalThis as unknown as { $: { fx: { off: boolean } } }).$.fx.off = true;
  });
  await waitForSettled(page, '#red-ui-workspace-chart .red-ui-flow-node-group', { allowEmpty: true });
}

/** Shows the flow tab with this id and waits for its canvas. */
export async function showFlow(page: Page, id: string): Promise<void> {
  await page.evaluate((tab) => (globalThis as unknown as EditorWindow).RED.workspaces.show(tab), id);
  await page.waitForFunction((tab) => (globalThis as unknown as EditorWindow).RED.workspaces.active() === tab, id, { timeout: 5_000 });
  await waitForSettled(page, '#red-ui-workspace-chart .red-ui-flow-node-group', { allowEmpty: true });
}

/** Canvas only: palette, explorer and sidebar closed, node statuses (runtime noise, not the flow) hidden. */
export async function canvasOnly(page: Page): Promise<void> {
  await page.evaluate(() => {
    const RED = (globalThis as unknown as EditorWindow).RED;
    for (const action of ['core:toggle-left-sidebar', 'core:toggle-right-sidebar', 'core:toggle-status']) RED.actions.invoke(action, false);
  });
}

/** The flow zoomed so all of it shows (the editor's own "zoom to fit"), once the canvas has stopped moving. */
export async function zoomToFit(page: Page): Promise<void> {
  await page.evaluate(() => (globalThis as unknown as EditorWindow).RED.actions.invoke('core:zoom-fit'));
  await waitForSettled(page, '#red-ui-workspace-chart .red-ui-flow-node-group');
}
