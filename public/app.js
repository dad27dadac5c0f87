/* ExportReady progressive enhancement. Every task works without this file; it only adds offline
   reading (the service worker in /sw.js) and refuses, out loud, to send a form while offline. */
(function () {
  'use strict';
  var doc = document;
  var main = doc.getElementById('main');
  var banner = doc.getElementById('offline-banner');
  var notSaved = doc.getElementById('offline-not-saved');

  function refusal() {
    var old = doc.querySelector('.offline-refusal');
    if (old) old.remove();
    var alert = notSaved.content.firstElementChild.cloneNode(true);
    alert.classList.add('offline-refusal');
    alert.tabIndex = -1;
    return alert;
  }

  function refuse(form) {
    var alert = refusal();
    // Next to the button that was pressed; for the header's forms, at the top of the page.
    if (form && main && main.contains(form)) form.before(alert);
    else if (main) main.prepend(alert);
    alert.focus();
  }

  if (banner) {
    var showBanner = function () {
      banner.hidden = navigator.onLine;
    };
    window.addEventListener('online', showBanner);
    window.addEventListener('offline', showBanner);
    showBanner();
  }

  if (notSaved && 'content' in notSaved) {
    // Nothing typed is lost: the form stays as it is, and the learner sends it again once connected.
    doc.addEventListener('submit', function (event) {
      var form = event.target;
      if (navigator.onLine || String(form.method).toLowerCase() !== 'post') return;
      event.preventDefault();
      refuse(form);
    });
    // The service worker sent us back here because a form could not be sent.
    if (location.hash === '#offline-not-saved') {
      history.replaceState(null, '', location.pathname + location.search);
      refuse(null);
    }
  }

  if ('serviceWorker' in navigator && window.isSecureContext) {
    var controlled = !!navigator.serviceWorker.controller;
    navigator.serviceWorker
      .register('/sw.js')
      .then(function () {
        return navigator.serviceWorker.ready;
      })
      .then(function (registration) {
        // This page came from the network before the worker was in charge: ask it to keep a copy.
        if (!controlled && registration.active) registration.active.postMessage({ keep: location.pathname });
      })
      .catch(function () {
        /* No offline reading on this browser; nothing else changes. */
      });
  }
})();
