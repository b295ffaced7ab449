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

/**
 * Waits until the dialog the editor is opening is built: its tray has slid in. Its buttons exist (off-screen)
 * before that, while the editor still fetches the node's credentials; a Done or Cancel clicked then closes the
 * tray under the build, which leaves the editor's shades over the page and refuses the next dialog.
 */
export async function waitForDialogBuilt(page: Page, timeoutMs = 15_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const trays = (globalThis as unknown as EditorWindow).document.querySelectorAll('#red-ui-editor-stack .red-ui-tray');
      // finishBuild moves the tray to right: 0 once the form is complete; the CSS parks it at -1000px until then.
      return trays.length > 0 && trays[trays.length - 1].style.right === '0px';
    },
    null,
    { timeout: timeoutMs },
  );
}
