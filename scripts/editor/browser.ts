import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/** Debian's Chromium (apt-get install chromium): playwright-core drives it and never downloads a browser of its own. */
export const CHROMIUM = process.env.TERMINAL_CRM_CHROMIUM ?? '/usr/bin/chromium';

/** The size every picture and check uses, so pictures only change when a template does. */
export const VIEWPORT = { width: 1400, height: 800 } as const;

// Without the background-networking switches Chromium keeps calling Google's services, which on a closed network
// means a stream of failing connections beside every test.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not at ${CHROMIUM}. Fix: apt-get install -y chromium chromium-driver (Debian), or set TERMINAL_CRM_CHROMIUM to a Chromium binary`);
  }
  return await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
}

/** A fresh profile with the fixed viewport; nothing in it outlives the context. */
export async function newEditorContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, locale: 'en-US', timezoneId: 'UTC', colorScheme: 'light' });
  context.setDefaultTimeout(15_000);
  return context;
}
