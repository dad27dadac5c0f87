/* ExportReady service worker: keeps the lessons (and course pages, and My learning) a learner has
   opened, so they can be read again without a connection, and the lesson videos a learner chose to
   save (lowest quality, poster, captions) within the site's budget. Progressive enhancement only:
   every page works the same without it. Served as /sw.js so its scope is the whole site. */
'use strict';

const PAGES = 'er-pages-v1';
const ASSETS = 'er-assets-v1';
const VIDEOS = 'er-videos-v1';
/** The list of saved videos, kept in their cache under a path the site never serves. */
const VIDEO_INDEX = '/offline/saved-videos.json';
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
      .then((names) => Promise.all(names.filter((name) => ![PAGES, ASSETS, VIDEOS].includes(name)).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

// One video save or removal at a time, so two lessons saved at once cannot both fit the budget.
let videoWork = Promise.resolve();

self.addEventListener('message', (event) => {
  const data = event.data || {};
  const port = event.ports && event.ports[0];
  // A page opened before this worker took control asks to be kept (public/app.js).
  if (typeof data.keep === 'string' && KEEP.test(data.keep)) event.waitUntil(keep(new Request(data.keep, { credentials: 'same-origin' })));
  // The lesson video player (public/video-player.js) saves, removes or asks about a video.
  if (data.video && port) {
    videoWork = videoWork.then(() => videoCommand(data.video, port)).catch(() => port.postMessage({ error: 'failed' }));
    event.waitUntil(videoWork);
  }
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
  else if (url.pathname.startsWith('/media/videos/')) event.respondWith(media(request, url));
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
  // Oldest first: drop the ones beyond the limit, but never the offline page nor a lesson whose video is saved.
  const lessons = new Set((await readVideoIndex()).map((entry) => entry.lesson));
  const extra = keys
    .filter((key) => new URL(key.url).pathname !== OFFLINE_PAGE && !lessons.has(new URL(key.url).pathname))
    .slice(0, Math.max(0, keys.length - MAX_PAGES));
  await Promise.all(extra.map((key) => cache.delete(key)));
}

async function forget() {
  await Promise.all([caches.delete(PAGES), caches.delete(VIDEOS)]);
  await caches
    .open(PAGES)
    .then((cache) => cache.add(OFFLINE_PAGE))
    .catch(() => undefined);
}

/** Hashed (?v=) or versioned (/static/vendor/) immutable files: the saved copy is always right. */
async function asset(request) {
  const saved = await caches.match(request, { cacheName: ASSETS });
  if (saved) return saved;
  const response = await fetch(request);
  const url = new URL(request.url);
  if (response.ok && (url.searchParams.has('v') || url.pathname.startsWith('/static/vendor/'))) await (await caches.open(ASSETS)).put(request, response.clone());
  return response;
}

// ---- Lesson videos saved for offline watching -------------------------------------------------

/**
 * Video files never change under one URL (random prefix per transcode), so a saved copy is served
 * first, with range requests answered from it; anything not saved goes to the network untouched.
 */
async function media(request, url) {
  const saved = await caches.match(url.pathname, { cacheName: VIDEOS });
  if (!saved) return fetch(request);
  const blob = await saved.blob();
  const size = blob.size;
  const headers = { 'Content-Type': saved.headers.get('Content-Type') || 'application/octet-stream', 'Accept-Ranges': 'bytes' };
  const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.get('range') || '');
  if (!range || (range[1] === '' && range[2] === '')) return new Response(blob, { headers: { ...headers, 'Content-Length': String(size) } });
  const start = range[1] === '' ? Math.max(0, size - Number(range[2])) : Number(range[1]);
  const end = range[1] === '' || range[2] === '' ? size - 1 : Math.min(Number(range[2]), size - 1);
  if (start > end) return new Response(null, { status: 416, headers: { 'Content-Range': `bytes */${size}` } });
  return new Response(blob.slice(start, end + 1), {
    status: 206,
    headers: { ...headers, 'Content-Length': String(end - start + 1), 'Content-Range': `bytes ${start}-${end}/${size}` },
  });
}

async function videoCommand(command, port) {
  const id = Number(command.id);
  if (command.action === 'status') port.postMessage(await videoStatus(id));
  else if (command.action === 'remove') port.postMessage(await removeVideo(id));
  else if (command.action === 'save') port.postMessage(await saveVideo(command, id, (percent) => port.postMessage({ progress: percent })));
}

async function readVideoIndex() {
  const saved = await caches.match(VIDEO_INDEX, { cacheName: VIDEOS });
  return saved ? saved.json() : [];
}

function writeVideoIndex(cache, entries) {
  return cache.put(VIDEO_INDEX, new Response(JSON.stringify(entries), { headers: { 'Content-Type': 'application/json' } }));
}

function bytesUsed(entries) {
  return entries.reduce((sum, entry) => sum + entry.bytes, 0);
}

async function videoStatus(id) {
  const entries = await readVideoIndex();
  const entry = entries.find((e) => e.id === id);
  return { saved: !!entry, bytes: entry ? entry.bytes : 0, usedBytes: bytesUsed(entries) };
}

async function removeVideo(id) {
  const cache = await caches.open(VIDEOS);
  const entries = await readVideoIndex();
  const entry = entries.find((e) => e.id === id);
  if (entry) {
    // The list first: a removal cut short leaves files nobody lists, which the next save clears.
    await writeVideoIndex(cache, entries.filter((e) => e !== entry));
    await Promise.all(entry.files.map((file) => cache.delete(file)));
  }
  return { removed: !!entry, ...(await videoStatus(id)) };
}

/** Files in the cache that no saved video lists: what a save or removal cut short left behind. */
async function clearUnlisted(cache, entries) {
  const listed = new Set([VIDEO_INDEX]);
  for (const entry of entries) for (const file of entry.files) listed.add(file);
  const keys = await cache.keys();
  await Promise.all(keys.filter((key) => !listed.has(new URL(key.url).pathname)).map((key) => cache.delete(key)));
}

/** The init segment and media segments a (rendition) playlist names, as same-origin paths. */
function playlistFiles(text, playlistPath) {
  const base = new URL(playlistPath, self.location.origin);
  const files = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const map = /^#EXT-X-MAP:.*URI="([^"]+)"/.exec(line);
    const uri = map ? map[1] : line && !line.startsWith('#') ? line : null;
    if (!uri) continue;
    const url = new URL(uri, base);
    if (url.origin !== self.location.origin) throw new Error('playlist names another site');
    files.push(url.pathname);
  }
  return files;
}

async function fetchOk(path) {
  const response = await fetch(path, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response;
}

/**
 * Saves the lesson page, the playlist with its segments, the poster and captions, all or nothing.
 * The budget is checked before anything is fetched (with the size measured at transcode) and again
 * with what was really stored; the list of saved videos is written last, so a save cut short
 * leaves only unlisted files, cleared by the next save.
 */
async function saveVideo(command, id, progress) {
  const cache = await caches.open(VIDEOS);
  const entries = await readVideoIndex();
  await clearUnlisted(cache, entries);
  if (entries.some((e) => e.id === id)) return videoStatus(id);
  const used = bytesUsed(entries);
  const budget = Number(command.budget);
  const full = (need) => ({
    error: 'full',
    usedBytes: used,
    budgetBytes: budget,
    needBytes: need,
    savedVideos: entries.map((e) => ({ lesson: e.lesson, title: e.title })),
  });
  if (used + Number(command.bytes) > budget) return full(Number(command.bytes));
  if (navigator.storage && navigator.storage.estimate) {
    const estimate = await navigator.storage.estimate();
    if (estimate.quota - estimate.usage < Number(command.bytes) * 1.2) return { error: 'quota' };
  }
  const stored = [];
  try {
    await keep(new Request(command.lesson, { credentials: 'same-origin' }));
    for (const script of command.scripts || []) await asset(new Request(script, { credentials: 'same-origin' }));
    const playlist = await fetchOk(command.playlist);
    const text = await playlist.clone().text();
    const files = [command.playlist, ...playlistFiles(text, command.playlist), ...(command.files || [])];
    let bytes = 0;
    for (const [index, file] of files.entries()) {
      const response = index === 0 ? playlist : await fetchOk(file);
      const body = await response.blob();
      await cache.put(file, new Response(body, { headers: { 'Content-Type': response.headers.get('Content-Type') || 'application/octet-stream' } }));
      stored.push(file);
      bytes += body.size;
      progress(Math.floor(((index + 1) * 100) / files.length));
    }
    if (used + bytes > budget) throw full(bytes);
    await writeVideoIndex(cache, [...entries, { id, lesson: command.lesson, title: String(command.title || command.lesson), bytes, files, savedAt: Date.now() }]);
    return { saved: true, bytes, usedBytes: used + bytes };
  } catch (error) {
    await Promise.all(stored.map((file) => cache.delete(file)));
    return error && error.error ? error : { error: 'failed' };
  }
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
