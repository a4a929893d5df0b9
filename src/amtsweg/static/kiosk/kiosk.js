/*
 * Kiosk mode (Bürgerterminal): inactivity wipe with a countdown warning, no navigation outside the platform.
 * Loaded only on kiosk requests (base.html). Settings come from <meta name="aw-kiosk-*">.
 *
 * After `timeout` seconds without a touch, key press or input the session ends: sessionStorage, localStorage,
 * IndexedDB, Cache Storage and readable cookies are cleared, and the browser goes to the reset endpoint, which
 * ends the server session, deletes the session cookies and sends Clear-Site-Data. `warning` seconds before,
 * a dialog counts down and offers "Weiter arbeiten".
 */
(function () {
  "use strict";

  function meta(name) {
    var el = document.querySelector('meta[name="' + name + '"]');
    return el ? el.getAttribute("content") : "";
  }

  var timeout = parseInt(meta("aw-kiosk-timeout"), 10) || 120;
  var warning = Math.min(parseInt(meta("aw-kiosk-warning"), 10) || 30, timeout);
  var resetUrl = meta("aw-kiosk-reset") || "/kiosk/neu/";
  var lastActivity = Date.now();
  var wiping = false;

  function clearCookies() {
    document.cookie.split(";").forEach(function (part) {
      var name = part.split("=")[0].trim();
      if (name) {
        document.cookie = name + "=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/";
      }
    });
  }

  function clearStorage() {
    var jobs = [];
    try { window.sessionStorage.clear(); } catch (e) { /* storage may be disabled */ }
    try { window.localStorage.clear(); } catch (e) { /* storage may be disabled */ }
    clearCookies();
    if (window.caches && window.caches.keys) {
      jobs.push(window.caches.keys().then(function (keys) {
        return Promise.all(keys.map(function (key) { return window.caches.delete(key); }));
      }));
    }
    if (window.indexedDB && window.indexedDB.databases) {
      jobs.push(window.indexedDB.databases().then(function (dbs) {
        dbs.forEach(function (db) { if (db.name) { window.indexedDB.deleteDatabase(db.name); } });
      }));
    }
    return Promise.all(jobs).catch(function () { return null; });
  }

  function wipe() {
    if (wiping) { return; }
    wiping = true;
    clearStorage().then(function () { window.location.replace(resetUrl); });
  }

  var dialog = null;
  var count = null;

  function showWarning(secondsLeft) {
    if (!dialog) { return; }
    if (dialog.hidden) {
      dialog.hidden = false;
      var button = document.getElementById("kiosk-wipe-continue");
      if (button) { button.focus(); }
    }
    count.textContent = "Noch " + secondsLeft + (secondsLeft === 1 ? " Sekunde." : " Sekunden.");
  }

  function hideWarning() {
    if (dialog && !dialog.hidden) { dialog.hidden = true; }
  }

  function activity() {
    if (wiping) { return; }
    lastActivity = Date.now();
    hideWarning();
  }

  function tick() {
    var idle = (Date.now() - lastActivity) / 1000;
    if (idle >= timeout) {
      wipe();
    } else if (idle >= timeout - warning) {
      showWarning(Math.ceil(timeout - idle));
    }
  }

  function sameOrigin(href) {
    try {
      return new URL(href, document.baseURI).origin === window.location.origin;
    } catch (e) {
      return false;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    dialog = document.getElementById("kiosk-wipe");
    count = document.getElementById("kiosk-wipe-count");
    var cont = document.getElementById("kiosk-wipe-continue");
    if (cont) { cont.addEventListener("click", activity); }
    var now = document.getElementById("kiosk-wipe-now");
    if (now) {
      now.addEventListener("click", function (event) { event.preventDefault(); wipe(); });
    }
    if (meta("aw-kiosk-wiped") === "1") {
      clearStorage();
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", meta("aw-kiosk-start") || window.location.pathname);
      }
    }
    // No navigation outside the platform: links to other origins and new windows are refused.
    document.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[href]") : null;
      if (link && (!sameOrigin(link.getAttribute("href")) || link.target === "_blank")) {
        event.preventDefault();
      }
    }, true);
    document.querySelectorAll("[data-kiosk-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    ["pointerdown", "keydown", "input", "wheel", "touchstart", "aw-kiosk-activity"].forEach(function (name) {
      document.addEventListener(name, activity, {passive: true, capture: true});
    });
    window.setInterval(tick, 500);
  });
  window.open = function () { return null; };
})();
