/*
 * Logging out of a shared tablet: the survey draft on the device (IndexedDB) and the pages the
 * service worker kept are personal data, so they are removed. If the device still holds changes
 * that have not reached the server, the surveyor is asked first: logging out would lose them.
 */
(function () {
  "use strict";

  const DB_NAME = "lastmetre-survey";
  const form = document.querySelector("form[data-logout]");
  if (!form || !("indexedDB" in window)) return;

  async function databaseExists() {
    if (!indexedDB.databases) return true; // cannot tell: opening it creates an empty one, harmless
    const databases = await indexedDB.databases();
    return databases.some((db) => db.name === DB_NAME);
  }

  function all(db, store) {
    return new Promise((resolve, reject) => {
      if (!db.objectStoreNames.contains(store)) return resolve([]);
      const request = db.transaction(store, "readonly").objectStore(store).getAll();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  /** The number of changes on the device that the server has not accepted yet. */
  async function unsent() {
    if (!(await databaseExists())) return 0;
    const db = await new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    try {
      const pending = (row) => row.rev > row.sentRev && row.errorRev !== row.rev;
      const answers = (await all(db, "answers")).filter(pending).length;
      const photos = (await all(db, "photos")).filter((row) => !row.sent).length;
      const works = (await all(db, "works")).filter(pending).length;
      const removals = (await all(db, "removals")).length; // photos to remove on the server
      return answers + photos + works + removals;
    } finally {
      db.close();
    }
  }

  async function forget() {
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(DB_NAME);
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    });
    if ("caches" in window) {
      const keys = await caches.keys();
      await Promise.all(keys.filter((key) => key.startsWith(DB_NAME)).map((key) => caches.delete(key)));
    }
  }

  form.addEventListener("submit", async (event) => {
    if (form.dataset.cleared) return; // second pass: really submit
    event.preventDefault();
    try {
      const count = await unsent();
      if (count && !window.confirm(form.dataset.unsentWarning.replace("%(count)s", count))) return;
      await forget();
    } catch (error) {
      // Storage unavailable (private mode): nothing to clear.
    }
    form.dataset.cleared = "1";
    form.requestSubmit();
  });
})();
