/* Authoring enhancement, loaded only on the lesson editor: the preview follows the text as it is
   typed. Without this file nothing is missing: the Preview button renders the same on the server. */
(function () {
  'use strict';
  var area = document.getElementById('f-body');
  var panel = document.getElementById('preview-panel');
  var target = document.getElementById('preview');
  var stats = document.getElementById('f-body-stats');
  var form = area && area.form;
  var token = form && form.querySelector('input[name="_csrf"]');
  if (!area || !panel || !target || !token || !window.fetch || !window.URLSearchParams) return;
  var url = panel.getAttribute('data-live-url');
  var timer = null;
  var latest = 0;

  function refresh() {
    var request = ++latest;
    fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'x-csrf-token': token.value, accept: 'application/json' },
      body: new URLSearchParams({ bodyMarkdown: area.value })
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        // Answers can arrive out of order on a slow line: only the last keystroke's counts.
        if (!data || request !== latest) return;
        // Rendered and sanitized by the server, exactly as the learner page will be.
        target.innerHTML = data.html;
        if (stats) stats.textContent = data.stats;
        panel.hidden = false;
      })
      .catch(function () {
        /* Offline or the server is away: the typed text is untouched and the Preview button still works. */
      });
  }

  area.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
})();
