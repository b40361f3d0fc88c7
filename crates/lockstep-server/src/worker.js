// The pages' service worker (scope `/`): it keeps Plotly.js (PLOTLY, the versioned path of
// the embedded script) in CacheStorage, put there at install, and serves it from there. A
// script put in CacheStorage at a service worker's install gets its compiled code cached by
// Chromium at once, so the next page that loads Plotly.js skips its compilation (without the
// worker that takes a third visit). Every other request goes to the network without waking
// the worker (static routes, where the browser has them); an old version's cache is
// deleted when this one activates.
const PLOTLY = "__PLOTLY__";
const CACHE = "lockstep-plotly-" + PLOTLY.split("/")[3];
self.addEventListener("install", (e) => {
  const routes = e.addRoutes
    ? e
        .addRoutes([
          { condition: { urlPattern: new URLPattern({ pathname: PLOTLY }) }, source: "cache" },
          { condition: { urlPattern: new URLPattern({ pathname: "/*" }) }, source: "network" },
        ])
        .catch(() => {})
    : Promise.resolve();
  e.waitUntil(
    Promise.all([routes, caches.open(CACHE).then((c) => c.add(PLOTLY))]).then(() =>
      self.skipWaiting()
    )
  );
});
self.addEventListener("activate", (e) => {
  e.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((k) => k.startsWith("lockstep-plotly-") && k !== CACHE)
            .map((k) => caches.delete(k))
        )
      )
      .then(() => self.clients.claim())
  );
});
// Browsers without static routes: Plotly.js from the cache, the rest untouched.
self.addEventListener("fetch", (e) => {
  if (new URL(e.request.url).pathname !== PLOTLY) return;
  e.respondWith(caches.match(PLOTLY).then((r) => r || fetch(e.request)));
});
