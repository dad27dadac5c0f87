#!/usr/bin/env node
/* global fetch, URL, URLSearchParams, setTimeout */
/**
 * Lighthouse 12 (mobile, simulated throttling) on the home, catalog, course, lesson and verify pages,
 * in English and Urdu: performance and accessibility scores and the bytes each page transfers.
 * A measuring script, not a test; plain JavaScript so it needs no compiler.
 *
 *   npm run build && node test/browser/lighthouse.js            # starts dist/main.js (or APP_MAIN) on a fresh data dir
 *   BASE_URL=http://127.0.0.1:3000 node test/browser/lighthouse.js   # or measures a running site
 *
 * Lighthouse comes from the npm registry through `npx -y lighthouse@12` (13 needs Node 22) and
 * drives Debian's Chromium (CHROME_PATH, default /usr/bin/chromium). The lesson page needs a
 * signed-in learner: the script registers one and hands Lighthouse the session cookie.
 * A real certificate's verification page: VERIFY_SERIAL=<serial>; more pages: EXTRA_PATHS=/a,/b.
 * Reports go to test-artifacts/browser/lighthouse/.
 */
'use strict';

const { execFile, spawn } = require('node:child_process');
const { mkdirSync, mkdtempSync, readFileSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { promisify } = require('node:util');

const ROOT = join(__dirname, '..', '..');
const OUT = join(ROOT, 'test-artifacts', 'browser', 'lighthouse');
const CHROME_PATH = process.env.CHROME_PATH || '/usr/bin/chromium';
const CHROME_FLAGS = '--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync';
const COURSES = { en: 'alibaba-first-30-days', ur: 'alibaba-first-30-days-ur' };

/** Starts the built app on a free port with a throwaway database, in production mode. */
async function startServer() {
  const dataDir = mkdtempSync(join(tmpdir(), 'exportready-lighthouse-'));
  const port = 4300 + Math.floor(Math.random() * 500);
  const child = spawn(process.execPath, [process.env.APP_MAIN || join(ROOT, 'dist', 'main.js'), 'web'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port), DATA_DIR: dataDir, DATABASE_URL: '', SESSION_SECRET: 'lighthouse-run-secret-0123456789abcdef', COOKIE_SECURE: 'false', LOG_LEVEL: 'warn', BASE_URL: `http://127.0.0.1:${port}` },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 60; i += 1) {
    try {
      if ((await fetch(`${baseUrl}/health`)).ok) return { baseUrl, stop: () => child.kill('SIGTERM') };
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  child.kill('SIGTERM');
  throw new Error('the app did not start; run `npm run build` first');
}

/** A tiny cookie-keeping client, enough to register, enrol and read a CSRF token. */
function client(baseUrl) {
  const jar = new Map();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  async function request(path, init = {}) {
    const response = await fetch(baseUrl + path, { ...init, redirect: 'manual', headers: { ...(init.headers || {}), cookie: cookieHeader() } });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1));
    }
    return response;
  }
  async function submit(formPage, action, fields) {
    const html = await (await request(formPage)).text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!token) throw new Error(`no form token on ${formPage}`);
    return request(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: token[1], ...fields }).toString() });
  }
  return { request, submit, cookieHeader };
}

async function learnerWithLesson(baseUrl, locale) {
  const learner = client(baseUrl);
  const email = `lighthouse.${locale}.${Date.now()}@example.pk`;
  const registered = await learner.submit('/register', '/register', { name: 'Lighthouse Learner', email, password: 'a long enough passphrase', locale });
  if (registered.status !== 303) throw new Error(`registration failed: ${registered.status}`);
  const course = COURSES[locale];
  const enrolled = await learner.submit(`/courses/${course}`, `/courses/${course}/enrol`, {});
  const lesson = enrolled.headers.get('location');
  if (!lesson || !lesson.includes('/modules/')) throw new Error(`enrolment did not lead to a lesson: ${lesson}`);
  return { cookie: learner.cookieHeader(), lesson };
}

async function lighthouse(url, name, headers) {
  const reportPath = join(OUT, `${name}.json`);
  const args = ['-y', 'lighthouse@12', url, '--quiet', '--output=json', `--output-path=${reportPath}`, '--only-categories=performance,accessibility', '--form-factor=mobile', '--throttling-method=simulate', `--chrome-flags=${CHROME_FLAGS}`];
  if (headers) {
    const headersPath = join(OUT, `${name}.headers.json`);
    writeFileSync(headersPath, JSON.stringify(headers));
    args.push(`--extra-headers=${headersPath}`);
  }
  await promisify(execFile)('npx', args, { env: { ...process.env, CHROME_PATH }, maxBuffer: 64 * 1024 * 1024 });
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  const audit = (id) => report.audits[id] && report.audits[id].numericValue;
  return {
    page: name,
    url: new URL(url).pathname,
    performance: report.categories.performance.score,
    accessibility: report.categories.accessibility.score,
    transferredBytes: audit('total-byte-weight'),
    requests: (report.audits['network-requests'].details.items || []).length,
    fcpMs: Math.round(audit('first-contentful-paint')),
    lcpMs: Math.round(audit('largest-contentful-paint')),
    tbtMs: Math.round(audit('total-blocking-time')),
    cls: audit('cumulative-layout-shift'),
  };
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const server = process.env.BASE_URL ? { baseUrl: process.env.BASE_URL.replace(/\/$/, ''), stop: () => undefined } : await startServer();
  const results = [];
  try {
    for (const locale of ['en', 'ur']) {
      const language = { Cookie: `er_lang=${locale}` };
      const { cookie, lesson } = await learnerWithLesson(server.baseUrl, locale);
      const pages = [
        ['home', '/', language],
        ['catalog', '/courses', language],
        ['course', `/courses/${COURSES[locale]}`, language],
        ['lesson', lesson, { Cookie: cookie }],
        // The public verification page: a real certificate when VERIFY_SERIAL names one, else the lookup form.
        ['verify', process.env.VERIFY_SERIAL ? `/verify/${process.env.VERIFY_SERIAL}` : '/verify', language],
        ...(process.env.EXTRA_PATHS || '').split(',').filter(Boolean).map((path, i) => [`extra-${i + 1}`, path, language]),
      ];
      for (const [name, path, headers] of pages) {
        const result = await lighthouse(server.baseUrl + path, `${locale}-${name}`, headers);
        results.push(result);
        console.log(`${locale}-${name}`.padEnd(14), `performance ${result.performance}`, `accessibility ${result.accessibility}`, `${result.transferredBytes} bytes`, `${result.requests} requests`, `LCP ${result.lcpMs} ms`);
      }
    }
  } finally {
    server.stop();
  }
  writeFileSync(join(OUT, 'summary.json'), JSON.stringify(results, null, 2));
  const below = results.filter((r) => r.performance < 0.95 || r.accessibility < 0.95);
  if (below.length) {
    console.log(`Below the 0.95 goal: ${below.map((r) => r.page).join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
