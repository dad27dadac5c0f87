/* ExportReady lesson video player. Progressive enhancement: without this file the lesson shows the
   poster, sizes and download links. Nothing of the video loads before the learner presses play:
   then native HLS where the browser has it, else hls.js (served from this site) is loaded. */
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
  var video = null;
  var hls = null;
  var pending = [];
  var segmentStart = null;
  var last = 0;
  var reported = false;

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
    if (video.canPlayType('application/vnd.apple.mpegurl')) {
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

  function send() {
    if (!d.watchUrl) return;
    closeSegment();
    if (video && !video.paused) segmentStart = video.currentTime;
    if (reported && pending.length === 0) return;
    var body = JSON.stringify({ ranges: pending });
    pending = [];
    reported = true;
    fetch(d.watchUrl, {
      method: 'POST',
      credentials: 'same-origin',
      keepalive: true,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'x-csrf-token': d.csrf },
      body: body,
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (result) {
        if (!result || !status || !(result.requiredPercent > 0)) return;
        status.textContent = result.lessonComplete ? strings.complete : String(strings.progress).replace('{percent}', result.watchedPercent);
      })
      .catch(function () { /* offline: the next report carries on */ });
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
    });
    video.addEventListener('seeking', closeSegment);
    video.addEventListener('pause', send);
    video.addEventListener('ended', send);
    video.addEventListener('loadedmetadata', showCaptions);
    setInterval(function () { if (!video.paused) send(); }, 15000);
    window.addEventListener('pagehide', send);
  }

  playButton.addEventListener('click', function () {
    build();
    send(); // starts the server's clock for this video
    attach(sourceUrl(), 0);
  });

  if (quality) quality.addEventListener('change', function () {
    if (video) attach(sourceUrl(), video.currentTime);
  });
  if (captions) captions.addEventListener('change', showCaptions);
})();
