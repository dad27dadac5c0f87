import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, BrowserContextOptions, chromium, devices } from 'playwright-core';

/** Debian's Chromium; never a downloaded browser. `.ci/run` installs it when missing. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const ARTIFACTS_DIR = join(__dirname, '..', '..', '..', 'test-artifacts', 'browser');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: apt-get install -y chromium fonts-noto-core`);
  }
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** A Pixel 7-like phone narrowed to the 390 px our learners' mid-range Androids show (or any width). */
export function phone(width = 390, extra: BrowserContextOptions = {}): BrowserContextOptions {
  return { ...devices['Pixel 7'], viewport: { width, height: 844 }, screen: { width, height: 844 }, ...extra };
}

export async function phoneContext(browser: Browser, width = 390, extra: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext(phone(width, extra));
}

export function artifact(name: string): string {
  return join(ARTIFACTS_DIR, name);
}
