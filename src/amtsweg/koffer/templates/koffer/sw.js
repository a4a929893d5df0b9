{% autoescape off %}/* amtsweg Bürgerkoffer service worker (scope: the app under /koffer/).
 * App shell and static files (CSS, fonts, scripts): from the network when online (and stored), else from the cache.
 * Offline forms: cached by the app (cache "<version>-forms") for the procedures of the device's tours.
 * The device API is never cached. No personal data ever passes through this cache. */
"use strict";
const VERSION = {{ version }};
const PRECACHE = {{ precache }};
const SCOPE = {{ scope }};
const API = {{ api }};
const STATIC = {{ static }};
const SHELL = VERSION + "-shell";
const FORMS = VERSION + "-forms";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => !k.startsWith(VERSION)).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

async function fromCache(request) {
  const url = new URL(request.url);
  const match = await caches.match(url.pathname, {ignoreSearch: true});
  return match || Response.error();
}

async function networkFirst(request) {
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic") {
      const url = new URL(request.url);
      const target = url.pathname.startsWith(SCOPE + "formular/") ? FORMS : SHELL;
      const cache = await caches.open(target);
      await cache.put(url.pathname, response.clone());
    }
    return response;
  } catch (error) {
    return fromCache(request);
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(API)) return;  // always the network: the device API is never cached
  if (url.pathname.startsWith(SCOPE) || url.pathname.startsWith(STATIC)) {
    event.respondWith(networkFirst(request));
  }
});
{% endautoescape %}
