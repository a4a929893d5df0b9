/*
 * amtsweg: small progressive enhancements. Every page works without this file.
 * Loaded as a static file (CSP: no inline scripts).
 *
 * CSRF for htmx 4: attributes are not inherited by default in htmx 4 (implicitInheritance: false),
 * so the classic <body hx-headers='{"X-CSRFToken": ...}'> no longer reaches the requests. Instead we add
 * the token from <meta name="csrf-token"> on htmx's "htmx:config:request" event (fired for every request
 * before it is sent, with detail.ctx.request.headers), and only for requests to our own origin.
 */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function sameOrigin(action) {
    try {
      return new URL(action || "", document.baseURI).origin === window.location.origin;
    } catch (e) {
      return false;
    }
  }

  document.addEventListener("htmx:config:request", function (event) {
    var ctx = event.detail && event.detail.ctx;
    if (!ctx || !ctx.request || !ctx.request.headers) {
      return;
    }
    var token = csrfToken();
    if (token && sameOrigin(ctx.request.action)) {
      ctx.request.headers["X-CSRFToken"] = token;
    }
  });
})();
