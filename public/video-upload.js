// Progressive enhancement of the lesson video form: sends the file in resumable chunks and
// shows progress. Without this script the form posts the whole file in one request.
(function () {
  'use strict';
  var form = document.getElementById('video-upload-form');
  if (!form || !window.fetch || !window.Blob || !Blob.prototype.slice) return;
  var CHUNK = 4 * 1024 * 1024;
  var input = form.querySelector('input[type=file]');
  var status = document.getElementById('video-upload-progress');
  var token = form.querySelector('input[name=_csrf]').value;
  var headers = { 'x-csrf-token': token, accept: 'application/json' };

  function say(text) { status.textContent = text; }

  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  // The connection dropped: ask what arrived and go on from there, trying less often while it stays down.
  function resume(file, upload, delay) {
    say(form.getAttribute('data-retrying'));
    return wait(delay).then(function () {
      return fetch(upload.uploadUrl, { credentials: 'same-origin', headers: headers })
        .then(function (res) { return res.json(); })
        .then(function (body) { return send(file, upload, body.received); }, function () { return resume(file, upload, Math.min(delay * 2, 30000)); });
    });
  }

  function send(file, upload, offset) {
    if (offset >= file.size) { window.location.reload(); return Promise.resolve(); }
    say(Math.floor((offset / file.size) * 100) + ' %');
    return fetch(upload.uploadUrl + '?offset=' + offset, {
      method: 'PUT', credentials: 'same-origin', headers: Object.assign({ 'content-type': 'application/octet-stream' }, headers),
      body: file.slice(offset, Math.min(file.size, offset + CHUNK))
    }).then(function (res) {
      return res.json().then(function (body) {
        if (res.ok) return send(file, upload, body.received);
        if (res.status === 409 && typeof body.received === 'number') return send(file, upload, body.received);
        throw new Error(body.message || res.statusText);
      });
    }, function () { return resume(file, upload, 3000); });
  }

  form.addEventListener('submit', function (event) {
    var file = input.files && input.files[0];
    if (!file) return;
    event.preventDefault();
    fetch(form.getAttribute('data-start-url'), {
      method: 'POST', credentials: 'same-origin', headers: Object.assign({ 'content-type': 'application/json' }, headers),
      body: JSON.stringify({ name: file.name, size: file.size })
    }).then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok) throw new Error(body.message || res.statusText);
        return send(file, body, 0);
      });
    }).catch(function (error) { say(error.message); });
  });
})();
