/*
 * Logging out of a shared tablet: the survey drafts on the device (IndexedDB) and the pages the
 * service worker kept are personal data, so they are removed. If the device still holds changes
 * that have not reached the server, the surveyor is asked first: logging out would lose them.
 */
(function () {
  "use strict";

  const form = document.querySelector("form[data-logout]");
  const drafts = window.LastMetreDrafts;
  if (!form || !drafts || !("indexedDB" in window)) return;

  form.addEventListener("submit", async (event) => {
    if (form.dataset.cleared) return; // second pass: really submit
    event.preventDefault();
    try {
      const count = await drafts.unsentCount();
      if (count && !window.confirm(form.dataset.unsentWarning.replace("%(count)s", count))) return;
      await drafts.forgetAll();
    } catch {
      // Storage unavailable (private mode): nothing to clear.
    }
    form.dataset.cleared = "1";
    form.requestSubmit();
  });
})();
