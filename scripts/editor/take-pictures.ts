import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { repoRoot } from '../../sandbox/run/shared/repo-root';
import { launchChromium, newEditorContext } from './browser';
import { installN8nTemplates, installNodeRedTemplates, type InstalledTemplate } from './install-templates';
import { openWorkflow, signIn, zoomToFit as zoomN8n } from './n8n-page';
import { canvasOnly, openNodeRed, showFlow, zoomToFit as zoomNodeRed } from './node-red-page';
import { startEditors } from './start-editors';

export type PictureEngine = 'n8n' | 'node-red';

/** Where the README takes a template's picture from: `docs/pictures/<engine>-<template>.png`. */
export function pictureFile(engine: PictureEngine, template: string, dir = join(repoRoot(), 'docs', 'pictures')): string {
  return join(dir, `${engine}-${template}.png`);
}

/** One picture per installed n8n template, on a signed-in editor page: the workflow opened, zoomed to fit. Returns the files. */
export async function takeN8nPictures(page: Page, baseUrl: string, templates: readonly InstalledTemplate[], dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const t of templates) {
    await openWorkflow(page, baseUrl, t);
    await zoomN8n(page);
    const file = pictureFile('n8n', t.name, dir);
    await page.screenshot({ path: file, timeout: 15_000 });
    files.push(file);
  }
  return files;
}

/** One picture per installed Node-RED example: its tab, canvas only, zoomed to fit. Returns the files. */
export async function takeNodeRedPictures(browser: Browser, baseUrl: string, templates: readonly InstalledTemplate[], dir: string): Promise<string[]> {
  const context = await newEditorContext(browser);
  try {
    const page = await context.newPage();
    await openNodeRed(page, baseUrl);
    await canvasOnly(page);
    const files: string[] = [];
    for (const t of templates) {
      await showFlow(page, t.id);
      await zoomNodeRed(page);
      const file = pictureFile('node-red', t.name, dir);
      await page.screenshot({ path: file, timeout: 15_000 });
      files.push(file);
    }
    return files;
  } finally {
    await context.close();
  }
}

/**
 * `npm run editor:pictures`: starts n8n and Node-RED with the pack (as the e2e tests do), installs every template
 * with the code behind `terminal-crm templates install`, and writes docs/pictures/<engine>-<template>.png from
 * the real editors, so the README's pictures change when the templates do.
 */
export async function main(outDir = join(repoRoot(), 'docs', 'pictures')): Promise<string[]> {
  const work = mkdtempSync(join(tmpdir(), 'tcrm-editor-pictures-'));
  mkdirSync(outDir, { recursive: true });
  const editors = await startEditors(work, { n8n: true, nodeRed: true });
  let browser: Browser | undefined;
  try {
    const n8nTemplates = await installN8nTemplates(editors.n8n!, `sqlite:${join(work, 'store.db')}`);
    const nodeRedTemplates = await installNodeRedTemplates(editors.nodeRed!.baseUrl);
    browser = await launchChromium();
    const n8nPage = await (await newEditorContext(browser)).newPage();
    await signIn(n8nPage, editors.n8n!.baseUrl, editors.n8n!.owner);
    return [
      ...(await takeN8nPictures(n8nPage, editors.n8n!.baseUrl, n8nTemplates, outDir)),
      ...(await takeNodeRedPictures(browser, editors.nodeRed!.baseUrl, nodeRedTemplates, outDir)),
    ];
  } finally {
    await browser?.close();
    await editors.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().then(
    (files) => {
      for (const f of files) process.stdout.write(`${f}\n`);
    },
    (e: unknown) => {
      process.stderr.write(`editor pictures failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
