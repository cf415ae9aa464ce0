{% autoescape off %}/* The tablet forms' service worker (the survey's under /surveys/, the installer's checklist under
 * /installations/): keeps the pages and their static files, so that a reload without a connection
 * still opens the form. The draft itself lives in IndexedDB (survey-sync.js);
 * the API is never cached. Network first: online, the page is fresh; without a connection, or when
 * the network takes longer than PAGE_WAIT_MS, the kept page. */
const CACHE = {{ cache_name }};
const STATIC_FILES = {{ static_files_json }};
const PAGES = new RegExp({{ pages_json }});

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

// On a weak signal (a cellar, a meter cupboard) a page that is kept is shown after this long; the
// network's answer, when it comes, still refreshes the kept copy.
const PAGE_WAIT_MS = 4000;

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const isPage = request.mode === "navigate" && PAGES.test(url.pathname);
  const isStatic = STATIC_FILES.includes(url.pathname);
  if (!isPage && !isStatic) return; // everything else, the API above all, goes to the network as usual
  const network = fetch(request);
  // Keep a fresh copy; registered first, so the copy is taken before the page reads the answer.
  event.waitUntil(
    network
      .then((response) => {
        if (!response.ok || response.redirected) return undefined;
        const copy = response.clone();
        return caches.open(CACHE).then((cache) => cache.put(request, copy));
      })
      .catch(() => undefined)
  );
  event.respondWith(
    (async () => {
      const kept = await caches.match(request, { ignoreSearch: isStatic, ignoreVary: true });
      if (!kept) return network.catch(() => Response.error());
      if (!isPage) return network.catch(() => kept);
      const slow = new Promise((resolve) => setTimeout(() => resolve(null), PAGE_WAIT_MS));
      return (await Promise.race([network.catch(() => null), slow])) || kept;
    })()
  );
});
{% endautoescape %}
