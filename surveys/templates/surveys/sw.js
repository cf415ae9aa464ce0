{% autoescape off %}/* The survey's service worker: keeps the survey pages and their static files, so that a reload
 * without a connection still opens the form. The draft itself lives in IndexedDB (survey.js); the
 * API is never cached. Network first: online, the page is always fresh. */
const CACHE = {{ cache_name }};
const STATIC_FILES = {{ static_files_json }};
const PAGES = /^\/surveys\/(dwellings\/\d+\/|my-day\/)$/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(STATIC_FILES)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const isPage = request.mode === "navigate" && PAGES.test(url.pathname);
  const isStatic = STATIC_FILES.includes(url.pathname);
  if (!isPage && !isStatic) return; // everything else, the API above all, goes to the network as usual
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok && !response.redirected) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() =>
        caches.match(request, { ignoreSearch: isStatic, ignoreVary: true }).then((cached) => cached || Response.error())
      )
  );
});
{% endautoescape %}
