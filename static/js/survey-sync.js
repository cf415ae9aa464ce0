/* The survey drafts on the device and the one loop that sends them: shared by the survey form
 * (survey.js), My day (outbox.js) and logging out (logout.js).
 *
 * A draft is everything of one dwelling that the surveyor changed on this device, kept in IndexedDB
 * until the server has it:
 *   - answers:   PATCH  /api/v1/surveys/<pk>/answers/  {"answers": {...}}  (the server merges them)
 *   - the works: PUT    /api/v1/surveys/<pk>/works/    {"works": [...]}     (the server replaces them)
 *   - photos:    POST   /api/v1/surveys/<pk>/photos/   multipart, with a client_id made on this device,
 *                so a retry after a lost answer never stores a photo twice.
 *   - removals:  DELETE /api/v1/surveys/<pk>/photos/<client_id>/ for a photo the server may have; the
 *                server answers 204 also when the photo is already gone, so a retry is harmless.
 *   - the visit: POST   /api/v1/surveys/<pk>/visits/   how the visit ended, with a client_id made on
 *                the device: finished in a cellar, it waits here and goes up after everything else.
 * Sending goes in that order, whenever the browser says it is online, on the "online" event and
 * every half minute, with a growing pause while the network or the server fails. Once the visit is
 * recorded, what the server has is removed from the device (anything changed meanwhile stays).
 *
 * Several pages may hold a draft of the same dwelling (the form and My day, two tabs): each round of
 * sending takes a lock for that dwelling (Web Locks), first reads what the others wrote to the device
 * since, and afterwards notes only what it sent, so nobody sends an old value over a newer one.
 *
 * The installer's commissioning checklist (completion.js's page, the same survey.js) keeps its drafts the
 * same way in a database of its own ("lastmetre-completion"): its answers, photos and the signature,
 * and the report of the installation where the survey has its visit (``visit.payload``).
 *
 * No framework and no build step: plain modern JavaScript, read top to bottom.
 */
(() => {
  "use strict";

  const DB_NAME = "lastmetre-survey";
  // Every database of drafts: the survey's, and the installer's checklist.
  const DATABASES = [DB_NAME, "lastmetre-completion"];
  const DB_VERSION = 3; // 2: the "removals" store; 3: the "visits" store
  const STORES = ["answers", "photos", "works", "removals", "visits"];

  // ------------------------------------------------------------------------------------------
  // IndexedDB

  const dbPromises = new Map(); // database name -> the promise of the open database
  let deleted = false; // logged out: the drafts are gone and stay gone on this page

  function openDb(name = DB_NAME) {
    if (deleted) return Promise.reject(new Error("the drafts were removed"));
    if (!dbPromises.has(name)) {
      const opening = new Promise((resolve, reject) => {
        const request = indexedDB.open(name, DB_VERSION);
        request.onupgradeneeded = () => {
          // From nothing or from an older version: create only the stores that are missing, so a
          // draft made by an earlier version of this script is kept.
          const db = request.result;
          const missing = (name) => !db.objectStoreNames.contains(name);
          // One row per answered field: {dwelling, key, value, by, rev, sentRev, sentVersion, error, errorRev}
          if (missing("answers")) {
            db.createObjectStore("answers", { keyPath: ["dwelling", "key"] }).createIndex("dwelling", "dwelling");
          }
          // One row per photo, sketch or signature: {clientId, dwelling, field, blob, name, sent, attempted}
          if (missing("photos")) db.createObjectStore("photos", { keyPath: "clientId" }).createIndex("dwelling", "dwelling");
          // The works list of a dwelling: {dwelling, works, rev, sentRev, sentVersion, error, errorRev}
          if (missing("works")) db.createObjectStore("works", { keyPath: "dwelling" });
          // One row per photo to remove on the server: {clientId, dwelling, field, createdAt}
          if (missing("removals")) db.createObjectStore("removals", { keyPath: "clientId" }).createIndex("dwelling", "dwelling");
          // The finished visit that waits: {dwelling, clientId, outcome, note, ..., finishedAt, error, errorBody}
          if (missing("visits")) db.createObjectStore("visits", { keyPath: "dwelling" });
        };
        request.onsuccess = () => {
          const db = request.result;
          // A newer version of this script opened in another tab: let it upgrade, open again next time.
          // Deleted (logging out in another tab): never open it again from this page, or a round still
          // under way here would bring the previous user's drafts back.
          db.onversionchange = (event) => {
            db.close();
            dbPromises.delete(name);
            if (event.newVersion === null) deleted = true;
          };
          resolve(db);
        };
        request.onerror = () => {
          dbPromises.delete(name);
          reject(request.error);
        };
      });
      dbPromises.set(name, opening);
    }
    return dbPromises.get(name);
  }

  function requestPromise(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  /** Run one request on one store and, for a write, wait until its transaction has committed. */
  async function onStore(database, name, mode, makeRequest) {
    const db = await openDb(database);
    const transaction = db.transaction(name, mode);
    const done =
      mode === "readwrite"
        ? new Promise((resolve, reject) => {
            transaction.oncomplete = resolve;
            transaction.onerror = transaction.onabort = () => reject(transaction.error);
          })
        : null;
    const result = await requestPromise(makeRequest(transaction.objectStore(name)));
    if (done) await done;
    return result;
  }

  /** The stores of one database of drafts. */
  const storesOf = (database) => ({
    all: (name) => onStore(database, name, "readonly", (store) => store.getAll()),
    ofDwelling: (name, dwelling) =>
      onStore(database, name, "readonly", (store) =>
        store.keyPath === "dwelling" ? store.getAll(dwelling) : store.index("dwelling").getAll(dwelling)
      ),
    put: (name, value) => onStore(database, name, "readwrite", (store) => store.put(value)),
    delete: (name, key) => onStore(database, name, "readwrite", (store) => store.delete(key)),
    /** Change the stored row in place (one transaction): ``change(row)`` edits it, or says to drop it
     * by returning "delete"; a row that is not there stays away. */
    update: async (name, key, change) => {
      const db = await openDb(database);
      const transaction = db.transaction(name, "readwrite");
      const done = new Promise((resolve, reject) => {
        transaction.oncomplete = resolve;
        transaction.onerror = transaction.onabort = () => reject(transaction.error);
      });
      const store = transaction.objectStore(name);
      const row = await requestPromise(store.get(key));
      if (row !== undefined) {
        if (change(row) === "delete") store.delete(key);
        else store.put(row);
      }
      await done;
    },
  });

  /** Does the database exist at all? Asking avoids creating an empty one just to look. */
  async function databaseExists(name = DB_NAME) {
    if (!("indexedDB" in window)) return false;
    if (!indexedDB.databases) return true; // cannot tell: opening it creates an empty one, harmless
    const databases = await indexedDB.databases();
    return databases.some((db) => db.name === name);
  }

  // ------------------------------------------------------------------------------------------
  // What waits

  const answerPending = (row) => row.rev > row.sentRev && row.errorRev !== row.rev;
  const answerRefused = (row) => row.errorRev === row.rev;
  const worksPending = (row) => Boolean(row) && row.rev > row.sentRev && row.errorRev !== row.rev;
  const worksRefused = (row) => Boolean(row) && row.errorRev === row.rev;
  const visitPending = (row) => Boolean(row) && !row.error;

  /** The first readable message of a DRF error body (strings, lists and dicts nest). */
  function firstMessage(body) {
    if (body == null) return "";
    if (typeof body === "string") return body;
    if (Array.isArray(body)) return body.map(firstMessage).filter(Boolean).join(" ");
    if (typeof body === "object") return Object.values(body).map(firstMessage).filter(Boolean).join(" ");
    return String(body);
  }

  class Retry extends Error {} // the network or the server failed: try again later
  class Blocked extends Error {} // the server will not take it: stop until the page is reloaded

  /** The API addresses of one dwelling's survey, from templates made for dwelling 0. */
  function urlsFor(templates, dwelling) {
    const urls = {};
    for (const [name, template] of Object.entries(templates)) urls[name] = template.replace("/0/", `/${dwelling}/`);
    return urls;
  }

  // ------------------------------------------------------------------------------------------
  // One dwelling's draft: the rows in memory, the same rows in IndexedDB, and the loop that sends

  class Draft {
    /**
     * @param {object} options
     * @param {number} options.dwelling  the dwelling's id
     * @param {string} options.database the database of drafts (the survey's unless said otherwise)
     * @param {object} options.urls      answers, works, photos, visits
     * @param {object} options.text      forbidden, refused, refusedFirst (translated)
     * @param {object} options.hooks     what the page shows: fieldError(key, message), worksError(message),
     *   photoSent(row), photoDropped(row), removalDone(removal, refused), visitRecorded(visit),
     *   visitRefused(row), changed() whenever the state of the loop changes, and, for what another
     *   page wrote meanwhile: answerReplaced(row), photoAdded(row), removalAdded(removal), worksReplaced()
     */
    constructor({ dwelling, urls, text, hooks = {}, database = DB_NAME }) {
      this.dwelling = dwelling;
      this.database = database;
      this.idb = storesOf(database);
      this.urls = urls;
      this.text = text;
      this.hooks = hooks;
      this.answers = new Map(); // key -> answer row
      this.photos = new Map(); // clientId -> photo row
      this.removals = new Map(); // clientId -> removal row: a photo to remove on the server
      this.works = null; // the works row, once the surveyor changed or confirmed the list
      this.visit = null; // the finished visit that waits, or was refused
      this.storageBroken = false; // private mode or a full disk: the page still works, the loop still sends
      this.networkFailed = false; // the last attempt failed on the network although the browser says online
      this.blocked = ""; // the server refuses the survey for good (logged out, no longer allowed)
      this.sending = false;
      this.running = null; // the round under way, if any
      this.again = false;
      this.retryDelay = 0;
      this.retryTimer = null;
      this.debounceTimer = null;
      this.started = false;
    }

    hook(name, ...args) {
      const hook = this.hooks[name];
      return hook ? hook(...args) : undefined;
    }

    /** Keep a row on the device; a failing storage is noted, never fatal: memory still holds it. */
    async store(name, value) {
      try {
        await this.idb.put(name, value);
      } catch {
        this.storageBroken = true;
      }
    }

    async unstore(name, key) {
      try {
        await this.idb.delete(name, key);
      } catch {
        this.storageBroken = true;
      }
    }

    /** Note on the stored row what happened to it (sent, refused), leaving what was changed since. */
    async note(name, key, change) {
      try {
        await this.idb.update(name, key, change);
      } catch {
        this.storageBroken = true;
      }
    }

    async readStored() {
      const [answers, removals, photos, works, visits] = await Promise.all(
        ["answers", "removals", "photos", "works", "visits"].map((name) => this.idb.ofDwelling(name, this.dwelling))
      );
      return { answers, removals, photos, works: works[0] || null, visit: visits[0] || null };
    }

    /** Read this dwelling's rows from the device into memory; what the page changed before is newer. */
    async load() {
      try {
        const stored = await this.readStored();
        for (const row of stored.answers) if (!this.answers.has(row.key)) this.answers.set(row.key, row);
        for (const row of stored.removals) this.removals.set(row.clientId, row);
        for (const row of stored.photos) if (!this.removals.has(row.clientId)) this.photos.set(row.clientId, row);
        this.works = this.works || stored.works;
        this.visit = this.visit || stored.visit;
      } catch {
        this.storageBroken = true; // no IndexedDB: the page works from what the server sent
      }
      return this;
    }

    /** Take in what another page of this dwelling wrote to the device since: newer answers and works,
     * photos and removals added there, and what it sent. Without storage, memory is all there is. */
    async refresh() {
      if (this.storageBroken) return;
      let stored;
      try {
        stored = await this.readStored();
      } catch {
        return;
      }
      const keep = (mine, theirs) => {
        mine.sentRev = Math.max(mine.sentRev, theirs.sentRev);
        mine.sentVersion = Math.max(mine.sentVersion || 0, theirs.sentVersion || 0);
        if (theirs.errorRev === theirs.rev && theirs.rev === mine.rev) Object.assign(mine, { error: theirs.error, errorRev: theirs.errorRev });
      };
      const storedKeys = new Set();
      for (const row of stored.answers) {
        storedKeys.add(row.key);
        const mine = this.answers.get(row.key);
        if (!mine || row.rev > mine.rev) {
          this.answers.set(row.key, row);
          this.hook("answerReplaced", row);
        } else if (row.rev === mine.rev) {
          keep(mine, row);
        }
      }
      // Gone from the device: sent, and removed after the visit was recorded elsewhere.
      for (const [key, mine] of this.answers) if (!storedKeys.has(key) && mine.rev <= mine.sentRev) this.answers.delete(key);
      const storedRemovals = new Set();
      for (const removal of stored.removals) {
        storedRemovals.add(removal.clientId);
        if (this.removals.has(removal.clientId)) continue;
        this.removals.set(removal.clientId, removal);
        this.photos.delete(removal.clientId);
        this.hook("removalAdded", removal);
      }
      const storedPhotos = new Set();
      for (const row of stored.photos) {
        storedPhotos.add(row.clientId);
        const mine = this.photos.get(row.clientId);
        if (mine) {
          mine.sent = mine.sent || row.sent;
          mine.attempted = mine.attempted || row.attempted;
        } else if (!this.removals.has(row.clientId)) {
          this.photos.set(row.clientId, row);
          this.hook("photoAdded", row);
        }
      }
      for (const [clientId, mine] of this.photos) if (!storedPhotos.has(clientId) && mine.sent) this.photos.delete(clientId);
      if (stored.works && (!this.works || stored.works.rev > this.works.rev)) {
        this.works = stored.works;
        this.hook("worksReplaced");
      } else if (stored.works && this.works && stored.works.rev === this.works.rev) {
        keep(this.works, stored.works);
      } else if (!stored.works && this.works && this.works.rev <= this.works.sentRev) {
        this.works = null;
      }
      const visit = stored.visit;
      if (visit && (!this.visit || visit.clientId !== this.visit.clientId || visit.finishedAt > this.visit.finishedAt)) {
        this.visit = visit;
      } else if (!visit && this.visit) {
        this.visit = null; // recorded from another page
      }
    }

    pendingCount() {
      let count = 0;
      for (const row of this.answers.values()) if (answerPending(row)) count += 1;
      for (const row of this.photos.values()) if (!row.sent) count += 1;
      count += this.removals.size;
      if (worksPending(this.works)) count += 1;
      if (visitPending(this.visit)) count += 1;
      return count;
    }

    /** The messages of what the server refused in the survey itself (answers, works). */
    surveyRefusals() {
      const messages = [];
      for (const row of this.answers.values()) if (answerRefused(row)) messages.push(row.error);
      if (worksRefused(this.works)) messages.push(this.works.error);
      return messages;
    }

    refusals() {
      const messages = this.surveyRefusals();
      if (this.visit && this.visit.error) messages.push(this.visit.error);
      return messages;
    }

    // ----------------------------------------------------------------------------------------
    // Changes made on the page

    setAnswer(key, value, by) {
      const row = this.answers.get(key) || { dwelling: this.dwelling, key, rev: 0, sentRev: 0, sentVersion: 0 };
      row.value = value;
      row.by = by;
      row.rev += 1;
      row.error = "";
      this.answers.set(key, row);
      return this.store("answers", { ...row });
    }

    setWorks(list) {
      this.works = this.works || { dwelling: this.dwelling, rev: 0, sentRev: 0, sentVersion: 0 };
      this.works.works = list;
      this.works.rev += 1;
      this.works.error = "";
      return this.store("works", { ...this.works });
    }

    addPhoto(row) {
      this.photos.set(row.clientId, row);
      return this.store("photos", row);
    }

    /** Remove a photo: one the server never got is forgotten, any other one gets a removal. */
    async removePhoto(clientId, field) {
      const row = this.photos.get(clientId);
      this.photos.delete(clientId);
      if (row) await this.unstore("photos", clientId);
      if (row && !row.sent && !row.attempted) return false;
      const removal = { clientId, dwelling: this.dwelling, field, createdAt: Date.now() };
      this.removals.set(clientId, removal);
      await this.store("removals", removal);
      return true;
    }

    /** The visit is finished: it waits on the device until everything before it has been sent. */
    finishVisit(visit) {
      this.visit = { ...visit, dwelling: this.dwelling, error: "", errorBody: null };
      return this.store("visits", { ...this.visit });
    }

    /** Drop a refused visit (the surveyor is about to try again, or saw why). */
    async dropVisit() {
      this.visit = null;
      await this.unstore("visits", this.dwelling);
    }

    /** The visit is recorded: remove from the device what the server has. Anything changed or added
     * meanwhile (the form stays open while the visit goes) stays, and goes as a correction. */
    async clearSent(visit) {
      for (const [key, row] of Array.from(this.answers)) {
        if (answerPending(row) || answerRefused(row)) continue;
        this.answers.delete(key);
        await this.note("answers", [this.dwelling, key], (stored) => (stored.rev <= stored.sentRev ? "delete" : undefined));
      }
      for (const [clientId, row] of Array.from(this.photos)) {
        if (!row.sent) continue;
        this.photos.delete(clientId);
        await this.unstore("photos", clientId);
      }
      if (this.works && !worksPending(this.works) && !worksRefused(this.works)) {
        this.works = null;
        await this.note("works", this.dwelling, (stored) => (stored.rev <= stored.sentRev ? "delete" : undefined));
      }
      if (this.visit && this.visit.clientId === visit.clientId) this.visit = null;
      await this.note("visits", this.dwelling, (stored) => (stored.clientId === visit.clientId ? "delete" : undefined));
    }

    // ----------------------------------------------------------------------------------------
    // Sending

    async send(url, { method, json, body }) {
      const token = document.querySelector("input[name=csrfmiddlewaretoken]");
      const headers = { "X-CSRFToken": token ? token.value : "", Accept: "application/json" };
      if (json !== undefined) headers["Content-Type"] = "application/json";
      try {
        return await fetch(url, {
          method,
          headers,
          body: json !== undefined ? JSON.stringify(json) : body,
          credentials: "same-origin",
          cache: "no-store",
        });
      } catch (error) {
        throw new Retry(String(error)); // no connection after all
      }
    }

    async failure(response) {
      if (response.status === 401 || response.status === 403 || response.status === 404) {
        const body = await response.json().catch(() => null);
        const message = firstMessage(body);
        return new Blocked(response.status === 404 ? message || this.text.forbidden : this.text.forbidden);
      }
      return new Retry(`HTTP ${response.status}`);
    }

    async sendAnswers() {
      // Rounds: whatever was typed while a request was under way goes in the next one.
      for (let round = 0; round < 100; round += 1) {
        const rows = Array.from(this.answers.values()).filter(answerPending);
        if (!rows.length) return;
        const revs = new Map(rows.map((row) => [row.key, row.rev]));
        const payload = {
          answers: Object.fromEntries(rows.map((row) => [row.key, { value: row.value ?? null, by: row.by }])),
        };
        const response = await this.send(this.urls.answers, { method: "PATCH", json: payload });
        if (response.ok) {
          const survey = await response.json();
          for (const [key, rev] of revs) {
            const row = this.answers.get(key);
            if (row) {
              row.sentRev = Math.max(row.sentRev, rev);
              row.sentVersion = survey.version;
            }
            await this.note("answers", [this.dwelling, key], (stored) => {
              stored.sentRev = Math.max(stored.sentRev, rev);
              stored.sentVersion = survey.version;
            });
          }
          continue;
        }
        if (response.status !== 400) throw await this.failure(response);
        // One answer was refused (and nothing of this round saved): mark the value that was sent as
        // refused, unless it was changed meanwhile (that one goes next), and send the others again.
        const body = await response.json().catch(() => ({}));
        const errors =
          body && body.answers && typeof body.answers === "object" && !Array.isArray(body.answers) ? body.answers : {};
        let marked = 0;
        for (const [key, messages] of Object.entries(errors)) {
          const sent = revs.get(key);
          const row = this.answers.get(key);
          if (sent === undefined || !row) continue;
          marked += 1;
          if (row.rev !== sent) continue; // corrected while it was on its way
          row.error = firstMessage(messages);
          row.errorRev = sent;
          this.hook("fieldError", key, row.error);
          await this.note("answers", [this.dwelling, key], (stored) => {
            if (stored.rev === sent) Object.assign(stored, { error: row.error, errorRev: sent });
          });
        }
        if (!marked) throw new Blocked(this.text.refused.replace("%(message)s", firstMessage(body)));
      }
    }

    async sendWorks() {
      const works = this.works;
      if (!worksPending(works)) return;
      const rev = works.rev;
      const response = await this.send(this.urls.works, { method: "PUT", json: { works: works.works } });
      if (response.ok) {
        const survey = await response.json();
        works.sentRev = Math.max(works.sentRev, rev);
        works.sentVersion = survey.version;
        await this.note("works", this.dwelling, (stored) => {
          stored.sentRev = Math.max(stored.sentRev, rev);
          stored.sentVersion = survey.version;
        });
      } else if (response.status === 400) {
        const error = firstMessage(await response.json().catch(() => ({})));
        if (works.rev !== rev) return; // changed while it was on its way: the new list goes next
        works.error = error;
        works.errorRev = rev;
        this.hook("worksError", error);
        await this.note("works", this.dwelling, (stored) => {
          if (stored.rev === rev) Object.assign(stored, { error, errorRev: rev });
        });
      } else {
        throw await this.failure(response);
      }
    }

    async sendPhotos() {
      let failed = null; // the server failed on a photo: try the others, then again later
      for (const row of Array.from(this.photos.values())) {
        if (row.sent || !this.photos.has(row.clientId)) continue; // sent, or removed meanwhile
        if (!row.attempted) {
          // From now on the server may have it, even if its answer gets lost: removing it needs a removal.
          row.attempted = true;
          await this.note("photos", row.clientId, (stored) => {
            stored.attempted = true;
          });
        }
        const form = new FormData();
        form.append("field", row.field);
        form.append("client_id", row.clientId);
        form.append("image", row.blob, row.name);
        const response = await this.send(this.urls.photos, { method: "POST", body: form });
        if (!this.photos.has(row.clientId)) continue; // removed while it was on its way: its removal follows
        if (response.ok) {
          row.sent = true; // kept on the device until a page from the server shows it
          await this.note("photos", row.clientId, (stored) => {
            stored.sent = true;
          });
          this.hook("photoSent", row);
        } else if (response.status === 400 || response.status === 413 || response.status === 415) {
          // Not a photo, too large, ...: say so at the field and drop it; retrying cannot help.
          const body = await response.json().catch(() => null);
          this.hook("fieldError", row.field, firstMessage(body) || this.text.photoRefused);
          this.photos.delete(row.clientId);
          await this.unstore("photos", row.clientId);
          this.hook("photoDropped", row);
        } else if (response.status >= 500) {
          failed = failed || new Retry(`HTTP ${response.status}`);
        } else {
          throw await this.failure(response);
        }
      }
      if (failed) throw failed;
    }

    async sendRemovals() {
      for (const removal of Array.from(this.removals.values())) {
        const url = `${this.urls.photos}${encodeURIComponent(removal.clientId)}/`;
        const response = await this.send(url, { method: "DELETE" });
        if (response.status === 400) {
          // The survey can no longer be changed: the photo stays, say why at its field.
          this.hook("fieldError", removal.field, firstMessage(await response.json().catch(() => ({}))));
          this.hook("removalDone", removal, true);
        } else if (!response.ok) {
          throw await this.failure(response);
        } else {
          this.hook("removalDone", removal, false);
        }
        this.removals.delete(removal.clientId);
        await this.unstore("removals", removal.clientId);
      }
    }

    async refuseVisit(visit, body, message) {
      if (this.visit !== visit) return; // finished again meanwhile: that one goes next
      visit.errorBody = body;
      visit.error = message;
      await this.note("visits", this.dwelling, (stored) => {
        if (stored.clientId === visit.clientId && stored.finishedAt === visit.finishedAt) {
          Object.assign(stored, { error: message, errorBody: body });
        }
      });
      this.hook("visitRefused", visit);
    }

    async sendVisit() {
      const visit = this.visit;
      if (!visitPending(visit)) return;
      // The visit goes last, and only when everything before it got through: a "completed" visit
      // needs the answers and photos on the server.
      if (this.pendingCount() > 1) return;
      // What the server refused must be put right first: recorded now, the visit would be recorded
      // without it, and its draft would leave the device.
      if (this.surveyRefusals().length) {
        await this.refuseVisit(visit, { detail: this.text.refusedFirst }, this.text.refusedFirst);
        return;
      }
      const response = await this.send(this.urls.visits, {
        method: "POST",
        // The survey's visit, or what another kind of draft finishes with (the installer's report).
        json: visit.payload || {
          outcome: visit.outcome,
          client_id: visit.clientId,
          note: visit.note || "",
          second_visit_reason: visit.secondVisitReason || "",
          second_person_organisation: visit.secondPersonOrganisation || null,
          started_at: visit.startedAt,
          finished_at: visit.finishedAt,
        },
      });
      if (response.ok) {
        const recorded = await response.json();
        await this.clearSent(visit);
        this.hook("visitRecorded", recorded);
      } else if (response.status === 400 || response.status === 409) {
        // Refused (the survey is not complete after all, the home was planned otherwise meanwhile):
        // nothing was recorded. Keep it, with the reasons, until the surveyor looks at it again.
        const body = await response.json().catch(() => ({}));
        await this.refuseVisit(visit, body, firstMessage(body.survey || body.detail || body) || `HTTP ${response.status}`);
      } else {
        throw await this.failure(response);
      }
    }

    /** Send what waits after a pause (typing goes on), replacing an earlier planned round. */
    schedule(delay = 800) {
      clearTimeout(this.debounceTimer);
      this.debounceTimer = setTimeout(() => this.sync(), delay);
    }

    /** One round, alone for this dwelling across the tablet's pages: take in what others wrote, send. */
    async round() {
      const work = async () => {
        await this.refresh();
        this.hook("changed");
        await this.sendAnswers();
        await this.sendWorks();
        await this.sendPhotos();
        await this.sendRemovals();
        await this.sendVisit();
      };
      if (navigator.locks && navigator.locks.request) {
        await navigator.locks.request(`${this.database}-${this.dwelling}`, work);
      } else {
        await work();
      }
    }

    /** Send everything that waits, once; returns when done (or failed). */
    sync() {
      if (this.running) {
        this.again = true;
        return this.running;
      }
      if (this.blocked || !navigator.onLine || !this.pendingCount()) {
        this.hook("changed");
        return Promise.resolve();
      }
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
      this.sending = true;
      this.hook("changed");
      this.running = (async () => {
        try {
          await this.round();
          this.networkFailed = false;
          this.retryDelay = 0;
        } catch (error) {
          if (error instanceof Blocked) {
            this.blocked = error.message;
          } else {
            // Back off: 2, 4, 8, ... seconds, at most a minute, until it gets through.
            this.networkFailed = true;
            this.retryDelay = Math.min(this.retryDelay ? this.retryDelay * 2 : 2000, 60000);
            this.retryTimer = setTimeout(() => {
              this.retryTimer = null;
              this.sync();
            }, this.retryDelay);
          }
        } finally {
          this.running = null;
          this.sending = false;
          this.hook("changed");
          if (this.again || (!this.networkFailed && !this.blocked && navigator.onLine && this.pendingCount())) {
            // Changed during the round, or left by it (a correction made while the visit went): go on.
            this.again = false;
            if (!this.networkFailed && !this.blocked) this.schedule(0);
          }
        }
      })();
      return this.running;
    }

    /** Wait until nothing is under way, then send what still waits. */
    async flush() {
      while (this.running) await this.running;
      await this.sync();
    }

    /** Send now and whenever the connection comes back; check every half minute. */
    start() {
      if (this.started) return;
      this.started = true;
      window.addEventListener("online", () => {
        this.networkFailed = false;
        this.retryDelay = 0;
        this.sync();
      });
      window.addEventListener("offline", () => this.hook("changed"));
      document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && this.sync());
      setInterval(() => this.pendingCount() && !this.running && !this.retryTimer && this.sync(), 30000);
      this.sync();
    }
  }

  // ------------------------------------------------------------------------------------------
  // All drafts on the device

  /** The dwellings that have anything on this device, with their drafts loaded; ``database``: whose
   * drafts (the survey's unless said otherwise). */
  async function allDrafts(options, database = DB_NAME) {
    if (!(await databaseExists(database))) return [];
    const stores = storesOf(database);
    const dwellings = new Set();
    try {
      for (const name of STORES) for (const row of await stores.all(name)) dwellings.add(row.dwelling);
    } catch {
      return [];
    }
    const drafts = [];
    for (const dwelling of dwellings) {
      drafts.push(await new Draft({ ...options(dwelling), dwelling, database }).load());
    }
    return drafts;
  }

  /** How many changes on the device the server has not accepted yet (logging out would lose them):
   * those that wait, and those it refused (a wrong value, a visit or report not recorded), which the
   * surveyor or installer has not put right yet; of every kind of draft. */
  async function unsentCount() {
    let count = 0;
    for (const database of DATABASES) {
      const drafts = await allDrafts(() => ({ urls: {}, text: {} }), database);
      count += drafts.reduce((sum, draft) => sum + draft.pendingCount() + draft.refusals().length, 0);
    }
    return count;
  }

  /** Remove every draft and the cached pages from the device (a shared tablet, logging out). */
  async function forgetAll() {
    deleted = true; // nothing on this page may write them back
    for (const [name, opening] of Array.from(dbPromises)) {
      (await opening.catch(() => null))?.close();
      dbPromises.delete(name);
    }
    for (const database of DATABASES) {
      await new Promise((resolve) => {
        const request = indexedDB.deleteDatabase(database);
        request.onsuccess = request.onerror = request.onblocked = () => resolve();
      });
    }
    if ("caches" in window) {
      const keys = await caches.keys();
      // The kept pages of every tablet form: "lastmetre-survey-…", "lastmetre-completion-…".
      await Promise.all(keys.filter((key) => key.startsWith("lastmetre-")).map((key) => caches.delete(key)));
    }
  }

  window.LastMetreDrafts = {
    Draft,
    Retry,
    Blocked,
    allDrafts,
    unsentCount,
    forgetAll,
    urlsFor,
    firstMessage,
    answerRefused,
  };
})();
