/* ExportReady lesson video player. Progressive enhancement: without this file the lesson shows the
   poster, sizes and download links. Nothing of the video loads before the learner presses play:
   then native HLS where the browser has it, else hls.js (served from this site) is loaded.
   With the service worker (/sw.js) a learner can save the lowest quality for offline watching;
   what was watched offline is reported once the connection is back. */
(function () {
  'use strict';
  var box = document.querySelector('[data-player]');
  if (!box) return;
  var d = box.dataset;
  var strings = (box.querySelector('[data-strings]') || { dataset: {} }).dataset;
  var frame = box.querySelector('[data-frame]');
  var playButton = box.querySelector('[data-play]');
  var quality = box.querySelector('[data-quality]');
  var captions = box.querySelector('[data-captions]');
  var status = box.querySelector('[data-watch-status]');
  var offline = box.querySelector('[data-offline]');
  // The playlist saved on this phone, if any: played through hls.js, whose requests the service
  // worker answers (Chromium's native HLS does not take segments from a service worker).
  var savedPlaylist = null;
  var video = null;
  var hls = null;
  // Ranges not yet accepted by the server, kept on the phone for this session (the CSRF token names it).
  var stashKey = 'er-watch:' + d.watchUrl;
  var pending = stashed();
  var segmentStart = null;
  var last = 0;
  var reported = false;
  // Where the learner stopped, kept on the phone for this session (as the stash: phones are shared),
  // so a dropped connection or a closed tab costs no re-watching.
  var positionKey = 'er-position:' + d.videoId;
  var savedAt = 0;
  var resumeBox = box.querySelector('[data-resume]');

  box.querySelector('[data-controls]').hidden = false;
  playButton.hidden = false;

  function sourceUrl() {
    if (!quality || quality.value === 'auto') return d.master;
    return quality.options[quality.selectedIndex].dataset.url || d.master;
  }

  function loadHls() {
    return new Promise(function (resolve, reject) {
      if (window.Hls) return resolve(window.Hls);
      var script = document.createElement('script');
      script.src = d.hls;
      script.onload = function () { resolve(window.Hls); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function attach(url, at) {
    if (hls) { hls.destroy(); hls = null; }
    var resume = function () {
      if (at) video.currentTime = at;
      video.play().catch(function () { /* the learner presses play on the controls */ });
    };
    if (video.canPlayType('application/vnd.apple.mpegurl') && url !== savedPlaylist) {
      video.src = url;
      video.addEventListener('loadedmetadata', resume, { once: true });
      return;
    }
    loadHls().then(function (Hls) {
      if (!Hls || !Hls.isSupported()) { video.src = d.mp4; resume(); return; }
      hls = new Hls({ enableWorker: false, capLevelToPlayerSize: true });
      hls.loadSource(url);
      hls.attachMedia(video);
      hls.on(Hls.Events.MANIFEST_PARSED, resume);
    }, function () { video.src = d.mp4; resume(); });
  }

  function showCaptions() {
    if (!video) return;
    var lang = captions ? captions.value : '';
    for (var i = 0; i < video.textTracks.length; i++) {
      var track = video.textTracks[i];
      track.mode = track.language === lang ? 'showing' : 'disabled';
    }
  }

  function closeSegment() {
    if (segmentStart !== null && last > segmentStart) pending.push({ from: segmentStart, to: last });
    segmentStart = null;
  }

  function stashed() {
    try {
      var saved = JSON.parse(localStorage.getItem(stashKey) || 'null');
      return saved && saved.csrf === d.csrf && Array.isArray(saved.ranges) ? saved.ranges : [];
    } catch (e) { return []; }
  }

  function stash(ranges) {
    try {
      if (ranges.length) localStorage.setItem(stashKey, JSON.stringify({ csrf: d.csrf, ranges: ranges.slice(-100) }));
      else localStorage.removeItem(stashKey);
    } catch (e) { /* private mode: kept in memory only */ }
  }

  function send() {
    if (!d.watchUrl) return;
    closeSegment();
    if (video && !video.paused) segmentStart = video.currentTime;
    if (reported && pending.length === 0) return;
    var sent = pending;
    var body = JSON.stringify({ ranges: sent });
    pending = [];
    reported = true;
    stash(sent); // before sending: the page may be gone before the answer comes
    fetch(d.watchUrl, {
      method: 'POST',
      credentials: 'same-origin',
      keepalive: true,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'x-csrf-token': d.csrf },
      body: body,
    })
      .then(function (response) { stash(pending); return response.ok ? response.json() : null; })
      .then(function (result) {
        if (!result || !status || !(result.requiredPercent > 0)) return;
        status.textContent = result.lessonComplete ? strings.complete : String(strings.progress).replace('{percent}', result.watchedPercent);
      })
      .catch(function () {
        // No connection: sent again with the next report, or when the phone is back online.
        pending = sent.concat(pending);
        stash(pending);
      });
  }

  function clock(seconds) {
    var s = Math.floor(seconds);
    return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  }

  /** A saved position worth going back to: not the first or the last few seconds. */
  function resumePosition() {
    var at = 0;
    try {
      var saved = JSON.parse(localStorage.getItem(positionKey) || 'null');
      if (saved && saved.csrf === d.csrf) at = Number(saved.at) || 0;
    } catch (e) { /* private mode */ }
    return at >= 3 && at < Number(d.duration) - 3 ? at : 0;
  }

  function savePosition(force) {
    if (!video || (!force && Math.abs(video.currentTime - savedAt) < 2)) return;
    savedAt = video.currentTime;
    try {
      if (video.ended) localStorage.removeItem(positionKey);
      else localStorage.setItem(positionKey, JSON.stringify({ csrf: d.csrf, at: Math.round(savedAt * 10) / 10 }));
    } catch (e) { /* private mode: nothing to resume */ }
  }

  function build() {
    video = document.createElement('video');
    video.controls = true;
    video.playsInline = true;
    video.preload = 'auto';
    video.poster = frame.querySelector('img').src;
    video.setAttribute('aria-labelledby', 'video-heading');
    if (captions) {
      for (var i = 1; i < captions.options.length; i++) {
        var option = captions.options[i];
        var track = document.createElement('track');
        track.kind = 'captions';
        track.srclang = option.value;
        track.label = option.dataset.label;
        track.src = option.dataset.url;
        video.appendChild(track);
      }
    }
    frame.replaceChildren(video);
    video.addEventListener('timeupdate', function () {
      var now = video.currentTime;
      if (segmentStart === null || Math.abs(now - last) > 2) { closeSegment(); segmentStart = now; }
      last = now;
      savePosition(false);
    });
    video.addEventListener('pause', function () { savePosition(true); });
    video.addEventListener('ended', function () { savePosition(true); });
    video.addEventListener('seeking', closeSegment);
    video.addEventListener('pause', send);
    video.addEventListener('ended', send);
    video.addEventListener('loadedmetadata', showCaptions);
    setInterval(function () { if (!video.paused) send(); }, 15000);
    window.addEventListener('pagehide', function () { savePosition(true); send(); });
  }

  function start(at) {
    build();
    send(); // starts the server's clock for this video
    attach(sourceUrl(), at);
  }

  // A transcript line's time plays the video from there.
  Array.prototype.forEach.call(box.querySelectorAll('[data-at]'), function (span) {
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'link at';
    button.dir = 'ltr';
    button.textContent = span.textContent;
    button.addEventListener('click', function () {
      var at = Number(span.dataset.at);
      if (!video) start(at);
      else { video.currentTime = at; video.play().catch(function () { /* the learner presses play */ }); }
      frame.scrollIntoView({ block: 'nearest' });
    });
    span.replaceWith(button);
  });

  playButton.addEventListener('click', function () {
    var at = resumePosition();
    start(at);
    if (!at || !resumeBox) return;
    resumeBox.querySelector('[data-resume-text]').textContent = String(strings.resumed).replace('{time}', clock(at));
    resumeBox.hidden = false;
  });
  if (resumeBox) resumeBox.querySelector('[data-restart]').addEventListener('click', function () {
    resumeBox.hidden = true;
    if (video) video.currentTime = 0;
  });

  if (quality) quality.addEventListener('change', function () {
    if (video) attach(sourceUrl(), video.currentTime);
  });
  if (captions) captions.addEventListener('change', showCaptions);
  window.addEventListener('online', function () { if (pending.length) send(); });
  if (pending.length && navigator.onLine) send();

  // ---- Saving for offline: the service worker does the work; this only asks and shows. ----
  if (!offline || !('serviceWorker' in navigator) || !window.MessageChannel || !window.isSecureContext) return;
  var o = offline.dataset;
  var saveButton = offline.querySelector('[data-offline-save]');
  var removeButton = offline.querySelector('[data-offline-remove]');
  var offlineStatus = offline.querySelector('[data-offline-status]');

  function ask(command, onProgress) {
    return navigator.serviceWorker.ready.then(function (registration) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) {
          if (event.data.progress === undefined) resolve(event.data);
          else if (onProgress) onProgress(event.data.progress);
        };
        command.id = d.videoId;
        registration.active.postMessage({ video: command }, [channel.port2]);
      });
    });
  }

  function mb(bytes) { return String(Math.max(0.1, Math.round(bytes / 104857.6) / 10)); }

  function say(text, list) {
    offlineStatus.textContent = text;
    if (!list || !list.length) return;
    var ul = document.createElement('ul');
    list.forEach(function (entry) {
      var a = document.createElement('a');
      a.href = entry.lesson;
      a.textContent = entry.title;
      ul.appendChild(document.createElement('li')).appendChild(a);
    });
    offlineStatus.appendChild(ul);
  }

  function show(result) {
    var saved = !!result.saved;
    saveButton.hidden = saved;
    removeButton.hidden = !saved;
    saveButton.disabled = false;
    savedPlaylist = saved ? o.playlist : null;
    // The saved quality needs no connection, and costs no data online either.
    if (saved && quality && !video) quality.value = o.rendition;
    offline.hidden = false;
  }

  ask({ action: 'status' }).then(function (result) {
    show(result);
    if (result.saved) say(strings.offlineSaved);
  });

  saveButton.addEventListener('click', function () {
    saveButton.disabled = true;
    say(strings.offlineSaving.replace('{percent}', '0'));
    var captionUrls = captions ? [].slice.call(captions.options, 1).map(function (option) { return option.dataset.url; }) : [];
    ask({
      action: 'save',
      lesson: location.pathname,
      title: document.querySelector('h1') ? document.querySelector('h1').textContent.trim() : document.title,
      playlist: o.playlist,
      bytes: Number(o.bytes),
      budget: Number(o.budget),
      files: [frame.querySelector('img') ? frame.querySelector('img').src : video.poster].map(function (url) { return new URL(url).pathname; }).concat(captionUrls),
      scripts: [d.hls],
    }, function (percent) {
      say(strings.offlineSaving.replace('{percent}', percent));
    }).then(function (result) {
      show(result);
      if (result.saved) {
        say(strings.offlineSaved);
        send(); // starts the server's clock, so what is watched offline can count when reported
      } else if (result.error === 'full') {
        say(strings.offlineFull.replace('{need}', mb(result.needBytes)).replace('{used}', mb(result.usedBytes)).replace('{budget}', mb(result.budgetBytes)), result.savedVideos);
      } else {
        say(result.error === 'quota' ? strings.offlineQuota : strings.offlineFailed);
      }
    });
  });

  removeButton.addEventListener('click', function () {
    ask({ action: 'remove' }).then(function (result) {
      show(result);
      say(strings.offlineRemoved);
      saveButton.focus();
    });
  });
})();
