/* My day's outbox: what the surveyor did without a connection goes up from here too.
 *
 * A survey finished in a cellar waits on the tablet (survey-sync.js). The surveyor walks on to the
 * next home and opens My day; this page finds every draft on the device, shows on each visit what
 * still waits, and sends it all as soon as there is a connection: answers, photos and then the
 * visit. When a visit has been recorded the page reloads, so the day shows what the server knows.
 *
 * Online, My day also keeps the survey pages of the day for the service worker, so that a home
 * whose survey was never opened online still opens in a cellar.
 */
(() => {
  "use strict";

  const configNode = document.getElementById("outbox-config");
  const drafts = window.LastMetreDrafts;
  if (!configNode || !drafts || !("indexedDB" in window)) return;

  const config = JSON.parse(configNode.textContent);
  const text = config.text;
  const banner = document.getElementById("outbox");
  let recorded = false;
  let all = [];

  const fmt = (template, values) => template.replace(/%\((\w+)\)s/g, (_match, name) => String(values[name]));

  /** The line on a visit's card (or in the list of other homes) that tells what waits. */
  function describe(draft) {
    const pending = draft.pendingCount();
    if (draft.visit && draft.visit.error) {
      return { state: "error", label: fmt(text.visitRefused, { message: draft.visit.error }) };
    }
    if (draft.blocked) return { state: "error", label: draft.blocked };
    const refused = draft.surveyRefusals();
    if (!pending && refused.length) return { state: "error", label: fmt(text.refused, { message: refused[0] }) };
    if (!pending) return { state: "sent", label: text.sent };
    const waiting = !navigator.onLine || draft.networkFailed;
    if (draft.visit) {
      return { state: waiting ? "waiting" : "saved", label: fmt(waiting ? text.visitWaiting : text.visitSending, { count: pending }) };
    }
    return { state: waiting ? "waiting" : "saved", label: fmt(waiting ? text.waiting : text.sending, { count: pending }) };
  }

  function stateLine(host, draft) {
    let line = host.querySelector("[data-outbox-state]");
    if (!line) {
      line = document.createElement("div");
      line.dataset.outboxState = "";
      line.setAttribute("role", "status");
      const button = host.querySelector(".btn");
      if (button) button.before(line); // above "Open the survey": read before tapping
      else host.append(line);
    }
    const { state, label } = describe(draft);
    line.dataset.sync = state;
    line.className = `outbox-state sync-status mt-2`;
    line.textContent = label;
  }

  function show() {
    const others = [];
    for (const draft of all) {
      const card = document.querySelector(`[data-visit="${draft.dwelling}"] .card-body`);
      if (card) stateLine(card, draft);
      else if (draft.pendingCount() || draft.refusals().length) others.push(draft);
    }
    if (banner) {
      const pending = all.reduce((sum, draft) => sum + draft.pendingCount(), 0);
      banner.hidden = !pending && !others.length;
      banner.dataset.pending = String(pending);
      banner.querySelector("[data-outbox-total]").textContent = pending
        ? fmt(navigator.onLine ? text.totalSending : text.totalWaiting, { count: pending })
        : "";
      const list = banner.querySelector("[data-outbox-others]");
      list.replaceChildren(
        ...others.map((draft) => {
          const item = document.createElement("li");
          const link = document.createElement("a");
          link.href = config.surveyUrl.replace("/0/", `/${draft.dwelling}/`);
          link.textContent = (draft.visit && draft.visit.address) || fmt(text.home, { id: draft.dwelling });
          item.append(link);
          stateLine(item, draft);
          return item;
        })
      );
    }
    const idle = all.every((draft) => !draft.running);
    if (recorded && idle && navigator.onLine) {
      recorded = false;
      window.location.reload(); // the day as the server now knows it, with its message
    }
  }

  async function start() {
    all = await drafts.allDrafts((dwelling) => ({
      urls: drafts.urlsFor(config.urls, dwelling),
      text,
      hooks: {
        changed: show,
        visitRecorded: () => {
          recorded = true;
        },
        visitRefused: show,
      },
    }));
    show();
    for (const draft of all) draft.start();
    document.body.dataset.outboxReady = "1"; // for tests: the drafts on the device are loaded
  }

  /** Keep today's survey pages for the service worker, so that each opens without a connection. */
  async function keepSurveyPages() {
    if (!("serviceWorker" in navigator) || !window.isSecureContext || !navigator.onLine) return;
    try {
      await navigator.serviceWorker.register(config.serviceWorker, { scope: "/surveys/" });
      await navigator.serviceWorker.ready;
      const cache = await caches.open(config.offlineCache);
      const links = Array.from(document.querySelectorAll("a[data-survey-link]"), (link) => link.getAttribute("href"));
      await Promise.all([window.location.pathname, ...links].map((url) => cache.add(url).catch(() => undefined)));
      document.body.dataset.surveyPagesKept = String(links.length);
    } catch {
      /* no service worker: the pages open online only */
    }
  }

  start();
  keepSurveyPages();
})();
