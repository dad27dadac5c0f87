/* ExportReady service worker: keeps the lessons (and course pages, and My learning) a learner has
   opened, so they can be read again without a connection. Progressive enhancement only: every page
   works the same without it. Served as /sw.js so its scope is the whole site. */
'use strict';

const PAGES = 'er-pages-v1';
const ASSETS = 'er-assets-v1';
const MAX_PAGES = 80;
const OFFLINE_PAGE = '/offline';
/** Pages worth keeping: a lesson, a course page, the dashboard. Never forms, quizzes or accounts. */
const KEEP = /^\/(courses\/[^/]+(\/modules\/[^/]+)?|dashboard)\/?$/;
/** After these, the pages on this phone belong to nobody (shared phones are common). */
const FORGET_AFTER = /^\/(logout|login|register)$/;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(PAGES).then((cache) => cache.add(OFFLINE_PAGE)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== PAGES && name !== ASSETS).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

// A page opened before this worker took control asks to be kept (public/app.js).
self.addEventListener('message', (event) => {
  const path = event.data && event.data.keep;
  if (typeof path === 'string' && KEEP.test(path)) event.waitUntil(keep(new Request(path, { credentials: 'same-origin' })));
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === 'POST') {
    // A form page sends; uploads go straight to the network, untouched.
    const upload = /^multipart\//.test(request.headers.get('content-type') || '');
    if (request.mode === 'navigate' && !upload) event.respondWith(send(request, url));
    return;
  }
  if (request.method !== 'GET') return;
  if (url.pathname.startsWith('/static/')) event.respondWith(asset(request));
  else if (request.mode === 'navigate') event.respondWith(page(request, url));
});

/** Network first, so a learner online always sees the current page; the saved copy only offline. */
async function page(request, url) {
  try {
    const response = await fetch(request);
    if (KEEP.test(url.pathname) && response.ok && response.type === 'basic') await store(url.pathname, response.clone());
    return response;
  } catch (error) {
    const saved = (await caches.match(url.pathname, { cacheName: PAGES })) || (await caches.match(OFFLINE_PAGE, { cacheName: PAGES }));
    if (saved) return saved;
    throw error;
  }
}

async function keep(request) {
  const response = await fetch(request);
  if (response.ok && !response.redirected) await store(new URL(request.url).pathname, response);
}

async function store(path, response) {
  const cache = await caches.open(PAGES);
  await cache.put(path, response);
  const keys = await cache.keys();
  // Oldest first: drop the ones beyond the limit, but never the offline page.
  const extra = keys.filter((key) => new URL(key.url).pathname !== OFFLINE_PAGE).slice(0, Math.max(0, keys.length - MAX_PAGES));
  await Promise.all(extra.map((key) => cache.delete(key)));
}

async function forget() {
  await caches.delete(PAGES);
  await caches
    .open(PAGES)
    .then((cache) => cache.add(OFFLINE_PAGE))
    .catch(() => undefined);
}

/** Hashed, immutable files: the saved copy is always right. */
async function asset(request) {
  const saved = await caches.match(request, { cacheName: ASSETS });
  if (saved) return saved;
  const response = await fetch(request);
  if (response.ok && new URL(request.url).searchParams.has('v')) await (await caches.open(ASSETS)).put(request, response.clone());
  return response;
}

/**
 * A form sent while the connection is gone (when app.js could not tell: a "connected" phone with
 * no data) is refused out loud: back to the page it came from, which says it was not saved.
 */
async function send(request, url) {
  const referrer = request.referrer;
  try {
    const response = await fetch(request);
    if (FORGET_AFTER.test(url.pathname)) await forget();
    return response;
  } catch (error) {
    const back = referrer && new URL(referrer).origin === self.location.origin ? new URL(referrer) : new URL(OFFLINE_PAGE, self.location.origin);
    back.hash = 'offline-not-saved';
    return Response.redirect(back.href, 303);
  }
}
