/// <reference lib="dom" />
// The callbacks given to page.evaluate() run in the browser.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { ARTIFACTS_DIR } from './chromium';

// Evaluated through DevTools rather than added as a <script>: the site's Content-Security-Policy
// (scripts from the site only, nothing inline) rightly refuses an injected script tag.
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const VNU_JAR = join(__dirname, '..', '..', '..', 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export interface AxeFinding {
  rule: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** axe-core in the page, WCAG 2.0/2.1 A and AA rules only; returns the violations, simplified. */
export async function axeViolations(page: Page): Promise<AxeFinding[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({ rule: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  }, WCAG_TAGS);
}

export interface VnuMessage {
  file: string;
  line?: number;
  message: string;
  extract?: string;
}

/**
 * The W3C Nu checker on the HTML as the server sent it (one JVM start for many pages).
 * `pages` maps a name to its HTML; the files are kept under test-artifacts for reading.
 */
export async function vnuErrors(pages: Record<string, string>): Promise<VnuMessage[]> {
  const dir = join(ARTIFACTS_DIR, 'html');
  mkdirSync(dir, { recursive: true });
  const files = Object.entries(pages).map(([name, html]) => {
    const file = join(dir, `${name}.html`);
    writeFileSync(file, html);
    return file;
  });
  const { stdout, stderr } = await promisify(execFile)('java', ['-jar', VNU_JAR, '--errors-only', '--format', 'json', '--exit-zero-always', ...files], { maxBuffer: 16 * 1024 * 1024 });
  const report = JSON.parse(stdout || stderr) as { messages: { type: string; url?: string; lastLine?: number; message: string; extract?: string }[] };
  return report.messages
    .filter((m) => m.type === 'error' || m.type === 'non-document-error')
    .map((m) => ({ file: (m.url ?? '').replace(/^.*\//, ''), line: m.lastLine, message: m.message, extract: m.extract }));
}

export interface Overflow {
  scrollWidth: number;
  innerWidth: number;
  /** The width the phone gives the page; a mobile browser widens innerWidth to fit wider content. */
  viewportWidth: number;
  outside: string[];
}

/** How far the page is wider than the phone's screen; nothing outside means no sideways scrolling. */
export async function horizontalOverflow(page: Page): Promise<Overflow> {
  return page.evaluate(() => {
    const viewportWidth = document.documentElement.clientWidth;
    const outside = [...document.querySelectorAll('body *')]
      .filter((el) => {
        const box = el.getBoundingClientRect();
        return box.width > 0 && (box.right > viewportWidth + 0.5 || box.left < -0.5) && !el.closest('.table-wrap');
      })
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className ? '.' + String(el.className).split(' ').join('.') : ''}`);
    return { scrollWidth: document.scrollingElement?.scrollWidth ?? 0, innerWidth: window.innerWidth, viewportWidth, outside };
  });
}

/**
 * Links and buttons in the navigation and in forms smaller than 44×44 CSS px (hidden ones excluded).
 * A checkbox or radio button counts together with its label, which takes the tap as well.
 */
export async function smallTapTargets(page: Page, min = 44): Promise<string[]> {
  return page.evaluate((minimum) => {
    const targets = document.querySelectorAll('header a, nav a, form button, form input:not([type=hidden]), form select, form textarea, main a.button');
    const small: string[] = [];
    for (const el of targets) {
      const boxes = [el.getBoundingClientRect()];
      if (el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio')) boxes.push(...[...(el.labels ?? [])].map((label) => label.getBoundingClientRect()));
      const shown = boxes.filter((box) => box.width > 0 || box.height > 0);
      if (shown.length === 0) continue;
      const width = Math.max(...shown.map((b) => b.right)) - Math.min(...shown.map((b) => b.left));
      const height = Math.max(...shown.map((b) => b.bottom)) - Math.min(...shown.map((b) => b.top));
      if (width < minimum - 0.5 || height < minimum - 0.5) {
        small.push(`${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().slice(0, 30) || el.getAttribute('name')}" ${Math.round(width)}×${Math.round(height)}`);
      }
    }
    return small;
  }, min);
}
