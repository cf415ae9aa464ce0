/* The survey form on the tablet: a draft that lives on the device and goes up when it can.
 *
 * Every change is written at once to IndexedDB (keyed by dwelling) and so survives a reload, a
 * crash or a flat battery. A sync loop then sends what the server has not got yet:
 *   - answers:   PATCH /api/v1/surveys/<pk>/answers/  {"answers": {...}}  (the server merges them)
 *   - the works: PUT   /api/v1/surveys/<pk>/works/    {"works": [...]}     (the server replaces them)
 *   - photos:    POST  /api/v1/surveys/<pk>/photos/   multipart, with a client_id made on this device,
 *                so a retry after a lost answer never stores a photo twice.
 *   - removals:  DELETE /api/v1/surveys/<pk>/photos/<client_id>/ for a photo the server may have (a photo
 *                never sent is simply dropped from the device); the server answers 204 also when the
 *                photo is already gone, so a retry is harmless.
 * The loop runs whenever the browser says it is online and on the "online" event, and retries with
 * a growing pause when the network or the server fails. Finishing the visit posts once, with a
 * client_id made when the page opened: a double tap or a retry records one visit.
 *
 * No framework and no build step: plain modern JavaScript, read top to bottom.
 */
(() => {
  "use strict";

  const root = document.getElementById("survey");
  const configNode = document.getElementById("survey-config");
  if (!root || !configNode) return;

  const config = JSON.parse(configNode.textContent);
  const dwelling = config.dwelling;
  const text = config.text;
  const csrfToken = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  const statusBadge = document.getElementById("sync-status");
  const openedAt = new Date().toISOString();
  const visitClientId = uuid(); // one visit per opening of the page

  // ------------------------------------------------------------------------------------------
  // Small helpers

  /** Fill "%(name)s" placeholders of a translated text. */
  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_match, name) => String(values[name]));
  }

  /** A random UUID made on the device. */
  function uuid() {
    if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
    // Plain http on a LAN address is no "secure context": build a version-4 UUID by hand.
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** The first readable message of a DRF error body (strings, lists and dicts nest). */
  function firstMessage(body) {
    if (body == null) return "";
    if (typeof body === "string") return body;
    if (Array.isArray(body)) return body.map(firstMessage).filter(Boolean).join(" ");
    if (typeof body === "object") return Object.values(body).map(firstMessage).filter(Boolean).join(" ");
    return String(body);
  }

  const fieldNode = (key) => root.querySelector(`.survey-field[data-key="${CSS.escape(key)}"]`);

  // ------------------------------------------------------------------------------------------
  // IndexedDB: the draft on the device

  const DB_NAME = "lastmetre-survey";
  const DB_VERSION = 2; // 2: the "removals" store
  let dbPromise = null;
  let storageBroken = false; // private mode or a full disk: the form still works, the sync still sends

  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, DB_VERSION);
        request.onupgradeneeded = () => {
          // From nothing or from an older version: create only the stores that are missing, so a
          // draft made by the previous version of this script is kept.
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
          // One row per photo to remove on the server: {clientId, dwelling, field, createdAt}; every row waits
          if (missing("removals")) db.createObjectStore("removals", { keyPath: "clientId" }).createIndex("dwelling", "dwelling");
        };
        request.onsuccess = () => {
          const db = request.result;
          // A newer version of this script opened in another tab: let it upgrade, open again next time.
          db.onversionchange = () => {
            db.close();
            dbPromise = null;
          };
          resolve(db);
        };
        request.onerror = () => reject(request.error);
      });
    }
    return dbPromise;
  }

  function requestPromise(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  /** Run one request on one store and wait until its transaction has committed. */
  async function onStore(name, mode, makeRequest) {
    try {
      const db = await openDb();
      const transaction = db.transaction(name, mode);
      const result = await requestPromise(makeRequest(transaction.objectStore(name)));
      if (mode === "readwrite") {
        await new Promise((resolve, reject) => {
          transaction.oncomplete = resolve;
          transaction.onerror = transaction.onabort = () => reject(transaction.error);
        });
      }
      return result;
    } catch (error) {
      storageBroken = true;
      render();
      throw error;
    }
  }

  const idb = {
    ofDwelling: (name) => onStore(name, "readonly", (store) => store.index("dwelling").getAll(dwelling)),
    get: (name, key) => onStore(name, "readonly", (store) => store.get(key)),
    put: (name, value) => onStore(name, "readwrite", (store) => store.put(value)),
    delete: (name, key) => onStore(name, "readwrite", (store) => store.delete(key)),
  };
  const quietly = (promise) => promise.catch(() => undefined); // the page state still holds it

  // ------------------------------------------------------------------------------------------
  // The draft in the page: the same rows as in IndexedDB

  const answers = new Map(); // key -> answer row
  const photos = new Map(); // clientId -> photo row
  const removals = new Map(); // clientId -> removal row: a photo to remove on the server
  let works = null; // the works row, once the surveyor changed or confirmed the list

  const answerPending = (row) => row.rev > row.sentRev && row.errorRev !== row.rev;
  const answerRefused = (row) => row.errorRev === row.rev;
  const worksPending = () => works && works.rev > works.sentRev && works.errorRev !== works.rev;

  function pendingCount() {
    let count = 0;
    for (const row of answers.values()) if (answerPending(row)) count += 1;
    for (const row of photos.values()) if (!row.sent) count += 1;
    count += removals.size;
    if (worksPending()) count += 1;
    return count;
  }

  function refusals() {
    const messages = [];
    for (const row of answers.values()) if (answerRefused(row)) messages.push(row.error);
    if (works && works.errorRev === works.rev) messages.push(works.error);
    return messages;
  }

  // ------------------------------------------------------------------------------------------
  // Reading and writing the inputs of a field

  function readValue(key) {
    const node = fieldNode(key);
    const kind = config.fields[key].kind;
    if (kind === "choice") {
      const checked = node.querySelector(`input[name="${CSS.escape(key)}"]:checked`);
      return checked ? checked.value : null;
    }
    if (kind === "multichoice") {
      return Array.from(node.querySelectorAll(`input[name="${CSS.escape(key)}"]:checked`), (input) => input.value);
    }
    const input = node.querySelector(`[name="${CSS.escape(key)}"]`);
    if (kind === "number") {
      if (input.value === "") return null;
      const number = Number(input.value);
      return Number.isFinite(number) ? number : null;
    }
    return input.value;
  }

  function writeValue(key, value) {
    const node = fieldNode(key);
    if (!node) return;
    const kind = config.fields[key].kind;
    const inputs = node.querySelectorAll(`[name="${CSS.escape(key)}"]`);
    if (kind === "choice") {
      inputs.forEach((input) => (input.checked = input.value === value));
    } else if (kind === "multichoice") {
      const chosen = new Set(Array.isArray(value) ? value : []);
      inputs.forEach((input) => (input.checked = chosen.has(input.value)));
    } else if (inputs[0]) {
      inputs[0].value = value == null ? "" : String(value);
    }
  }

  function readBy(key) {
    const checked = fieldNode(key).querySelector(`input[name="by:${CSS.escape(key)}"]:checked`);
    return checked ? checked.value : "surveyor";
  }

  function writeBy(key, by) {
    const node = fieldNode(key);
    if (!node || !by) return;
    node.querySelectorAll(`input[name="by:${CSS.escape(key)}"]`).forEach((input) => {
      input.checked = input.value === by;
    });
  }

  function showFieldError(key, message) {
    const node = fieldNode(key);
    if (node) node.querySelector("[data-error]").textContent = message || "";
  }

  // ------------------------------------------------------------------------------------------
  // Answers: saved on the device at every change, then queued

  function onAnswerChanged(key) {
    const row = answers.get(key) || { dwelling, key, rev: 0, sentRev: 0, sentVersion: 0 };
    row.value = readValue(key);
    row.by = readBy(key);
    row.rev += 1;
    row.error = "";
    answers.set(key, row);
    showFieldError(key, "");
    quietly(idb.put("answers", { ...row }));
    afterChange();
  }

  function afterChange(delay = 800) {
    updateProgress();
    render();
    scheduleSync(delay);
  }

  root.addEventListener("input", (event) => {
    const node = event.target.closest(".survey-field");
    if (!node || !event.target.name || event.target.name.startsWith("by:")) return;
    const kind = node.dataset.kind;
    if (kind === "text" || kind === "longtext" || kind === "number") onAnswerChanged(node.dataset.key);
  });

  root.addEventListener("change", (event) => {
    const node = event.target.closest(".survey-field");
    if (!node || !event.target.name) return;
    const kind = node.dataset.kind;
    const isBy = event.target.name.startsWith("by:");
    if (isBy || kind === "choice" || kind === "multichoice") onAnswerChanged(node.dataset.key);
    else if (kind === "text" || kind === "longtext" || kind === "number") scheduleSync(0); // left the field
  });

  // ------------------------------------------------------------------------------------------
  // Photos (and sketches and signatures): the image itself waits in IndexedDB until it is sent

  const MAX_SIDE = 2048;
  const SHRINK_ABOVE_BYTES = 2.5 * 1024 * 1024;

  /** Camera photos are large: scale them down on the device before they wait for the network. */
  async function shrink(file) {
    if (file.size <= SHRINK_ABOVE_BYTES || typeof createImageBitmap !== "function") return file;
    try {
      const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
      const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
      return blob || file;
    } catch {
      return file; // not an image the browser can read: the server says what is wrong with it
    }
  }

  async function addPhoto(key, blob, name) {
    // Copy the bytes: a File from the camera may point at a temporary file that goes away.
    const stored = new Blob([await blob.arrayBuffer()], { type: blob.type || "application/octet-stream" });
    const row = { clientId: uuid(), dwelling, field: key, blob: stored, name, sent: false, createdAt: Date.now() };
    photos.set(row.clientId, row);
    showThumb(row);
    showFieldError(key, "");
    await quietly(idb.put("photos", row));
  }

  function showThumb(row) {
    const node = fieldNode(row.field);
    if (!node) return;
    const list = node.querySelector("[data-thumbs]");
    let item = list.querySelector(`li[data-client-id="${row.clientId}"]`);
    if (!item) {
      item = document.createElement("li");
      item.dataset.clientId = row.clientId;
      const image = document.createElement("img");
      image.alt = config.fields[row.field].label;
      image.src = URL.createObjectURL(row.blob);
      const state = document.createElement("span");
      state.className = "badge text-bg-warning thumb-state";
      state.textContent = text.waitingPhoto;
      item.append(image, state);
      if (removeTemplate) item.append(removeTemplate.content.firstElementChild.cloneNode(true));
      list.append(item);
    }
    item.classList.toggle("is-sent", row.sent);
    item.classList.toggle("is-pending", !row.sent);
    const state = item.querySelector(".thumb-state");
    if (state) state.hidden = row.sent;
  }

  function removeThumb(row) {
    const item = thumbOf(row.clientId);
    if (item) {
      const image = item.querySelector("img");
      if (image && image.src.startsWith("blob:")) URL.revokeObjectURL(image.src);
      item.remove();
    }
  }

  const thumbOf = (clientId) => root.querySelector(`li[data-client-id="${CSS.escape(clientId)}"]`);

  // ------------------------------------------------------------------------------------------
  // Removing a wrong photo: two taps (the first one asks "Sure?" for a few seconds), then gone from
  // the form at once. A photo the server never got is dropped from the device; for any other one a
  // removal waits in IndexedDB and goes up with the rest.

  const removeTemplate = document.getElementById("thumb-remove-template");
  const CONFIRM_MS = 4000;
  const confirmTimers = new WeakMap(); // button -> timer that turns "Sure?" back

  function unconfirm(button) {
    clearTimeout(confirmTimers.get(button));
    confirmTimers.delete(button);
    button.classList.remove("is-confirming");
    button.textContent = button.dataset.removeText;
  }

  async function removePhoto(clientId, field) {
    const row = photos.get(clientId);
    if (row && !row.sent && !row.attempted) {
      // Never went to the server: forget it.
      photos.delete(clientId);
      removeThumb(row);
      await quietly(idb.delete("photos", clientId));
    } else {
      // Sent, perhaps sent (the answer was lost), or shown by the page: the server removes it.
      const removal = { clientId, dwelling, field, createdAt: Date.now() };
      removals.set(clientId, removal);
      const item = thumbOf(clientId);
      if (item) item.hidden = true; // back if the server refuses
      await quietly(idb.put("removals", removal));
      if (row) {
        photos.delete(clientId);
        await quietly(idb.delete("photos", clientId));
      }
    }
    showFieldError(field, "");
    afterChange(0);
  }

  root.addEventListener("click", (event) => {
    const button = event.target.closest("[data-photo-remove]");
    if (!button) return;
    const item = button.closest("li[data-client-id]");
    if (!item) return;
    if (!button.classList.contains("is-confirming")) {
      button.classList.add("is-confirming");
      button.textContent = button.dataset.confirmText;
      confirmTimers.set(button, setTimeout(() => unconfirm(button), CONFIRM_MS));
      return;
    }
    unconfirm(button);
    removePhoto(item.dataset.clientId, button.closest(".survey-field").dataset.key);
  });

  root.addEventListener("change", async (event) => {
    const input = event.target;
    if (!input.matches("input[type=file][data-photo-input]")) return;
    const key = input.closest(".survey-field").dataset.key;
    const files = Array.from(input.files || []);
    input.value = ""; // the same photo can be chosen again
    for (const file of files) await addPhoto(key, await shrink(file), file.name || "foto.jpg");
    afterChange(0);
  });

  // A drawing pad (sketch of the delivery set's place, the resident's signature): drawn with a
  // finger or a pen, saved as a PNG photo of its field.
  function setUpPad(node) {
    const canvas = node.querySelector("canvas[data-pad]");
    const context = canvas.getContext("2d");
    let drawing = false;
    let drawn = false;

    function fit() {
      // Match the canvas's pixels to its size on screen (it has no size while its section is closed).
      const ratio = window.devicePixelRatio || 1;
      const width = Math.round(canvas.clientWidth * ratio);
      const height = Math.round(canvas.clientHeight * ratio);
      if (!width || (canvas.width === width && canvas.height === height)) return;
      canvas.width = width;
      canvas.height = height;
      clear();
    }

    function clear() {
      context.fillStyle = "#fff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.lineWidth = 3 * (window.devicePixelRatio || 1);
      context.lineCap = context.lineJoin = "round";
      context.strokeStyle = "#1f2933";
      drawn = false;
    }

    function point(event) {
      const box = canvas.getBoundingClientRect();
      return [
        ((event.clientX - box.left) * canvas.width) / box.width,
        ((event.clientY - box.top) * canvas.height) / box.height,
      ];
    }

    canvas.addEventListener("pointerdown", (event) => {
      fit();
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      context.beginPath();
      context.moveTo(...point(event));
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!drawing) return;
      context.lineTo(...point(event));
      context.stroke();
      drawn = true;
    });
    const stop = () => (drawing = false);
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);

    node.querySelector("[data-pad-clear]").addEventListener("click", clear);
    node.querySelector("[data-pad-save]").addEventListener("click", () => {
      if (!drawn) return;
      canvas.toBlob(async (blob) => {
        if (!blob) return;
        await addPhoto(node.dataset.key, blob, `${node.dataset.kind}.png`);
        clear();
        afterChange(0);
      }, "image/png");
    });
    const section = node.closest("details");
    if (section) section.addEventListener("toggle", fit);
    window.addEventListener("resize", () => !drawn && fit());
    fit();
  }

  root.querySelectorAll('.survey-field[data-kind="sketch"], .survey-field[data-kind="signature"]').forEach(setUpPad);

  // ------------------------------------------------------------------------------------------
  // Works: rows of work + responsible party; a proposal until the surveyor changes or confirms it

  const worksNode = root.querySelector(".survey-field[data-kind=works]");
  const worksKey = worksNode ? worksNode.dataset.key : null;
  const worksConfirmed = () => Boolean(works) || config.works.length > 0;
  const currentWorks = () => (works ? works.works : config.works.length ? config.works : config.proposedWorks);

  function select(choices, value, attribute) {
    const element = document.createElement("select");
    element.className = "form-select form-select-lg";
    element.setAttribute(attribute, "");
    for (const [code, label] of choices) element.add(new Option(label, code, false, code === value));
    return element;
  }

  function renderWorks() {
    if (!worksNode) return;
    const list = worksNode.querySelector("[data-works]");
    list.replaceChildren(
      ...currentWorks().map((row) => {
        const line = document.createElement("div");
        line.className = "work-row";
        const work = select(config.workChoices, row.work, "data-work");
        work.setAttribute("aria-label", text.work);
        const responsible = select(config.responsibleChoices, row.responsible, "data-responsible");
        responsible.setAttribute("aria-label", text.responsible);
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn btn-outline-danger";
        remove.dataset.worksRemove = "";
        remove.setAttribute("aria-label", text.removeWork);
        remove.textContent = "×";
        line.append(work, responsible, remove);
        return line;
      })
    );
    // A work is on the list once: the other rows cannot choose it again.
    const chosen = Array.from(list.querySelectorAll("[data-work]"), (element) => element.value);
    list.querySelectorAll("[data-work]").forEach((element) => {
      for (const option of element.options) option.disabled = option.value !== element.value && chosen.includes(option.value);
    });
    const proposal = !worksConfirmed();
    worksNode.querySelector("[data-works-proposal]").hidden = !proposal;
    worksNode.querySelector("[data-works-confirm]").hidden = !proposal;
    worksNode.querySelector("[data-works-add]").disabled = chosen.length >= config.workChoices.length;
  }

  function readWorks() {
    return Array.from(worksNode.querySelectorAll(".work-row"), (line) => ({
      work: line.querySelector("[data-work]").value,
      responsible: line.querySelector("[data-responsible]").value,
    }));
  }

  function saveWorks(list) {
    works = works || { dwelling, rev: 0, sentRev: 0, sentVersion: 0 };
    works.works = list;
    works.rev += 1;
    works.error = "";
    showFieldError(worksKey, "");
    quietly(idb.put("works", { ...works }));
    renderWorks();
    afterChange(0);
  }

  if (worksNode) {
    worksNode.addEventListener("change", (event) => {
      if (event.target.matches("select")) saveWorks(readWorks());
    });
    worksNode.addEventListener("click", (event) => {
      if (event.target.closest("[data-works-remove]")) {
        event.target.closest(".work-row").remove();
        saveWorks(readWorks());
      } else if (event.target.closest("[data-works-add]")) {
        const list = readWorks();
        const used = new Set(list.map((row) => row.work));
        const free = config.workChoices.find(([code]) => !used.has(code));
        if (free) saveWorks([...list, { work: free[0], responsible: config.responsibleChoices[0][0] }]);
      } else if (event.target.closest("[data-works-confirm]")) {
        saveWorks(readWorks());
      }
    });
    // The proposal follows the scan: ask the server for a fresh one when the section opens.
    const section = worksNode.closest("details");
    if (section) {
      section.addEventListener("toggle", async () => {
        if (!section.open || worksConfirmed() || !navigator.onLine) return;
        try {
          await flush();
          const response = await send(config.urls.survey, { method: "GET" });
          if (!response.ok) return;
          const survey = await response.json();
          if (!worksConfirmed()) {
            config.proposedWorks = survey.proposed_works;
            renderWorks();
          }
        } catch {
          /* offline: keep the proposal of when the page opened */
        }
      });
    }
  }

  // ------------------------------------------------------------------------------------------
  // Completeness: per section what is still open, in the sticky header and on each section

  function isMissing(key) {
    const field = config.fields[key];
    const node = fieldNode(key);
    if (field.kind === "photos") return node.querySelectorAll("[data-thumbs] li:not([hidden])").length < field.minPhotos;
    if (!field.required) return false;
    if (field.kind === "works") return !worksConfirmed() || currentWorks().length === 0;
    if (field.kind === "sketch" || field.kind === "signature") return node.querySelectorAll("[data-thumbs] li:not([hidden])").length === 0;
    const value = readValue(key);
    return value == null || (typeof value === "string" && value.trim() === "") || (Array.isArray(value) && !value.length);
  }

  function updateProgress() {
    const open = Object.fromEntries(config.sections.map((name) => [name, 0]));
    for (const [key, field] of Object.entries(config.fields)) if (isMissing(key)) open[field.section] += 1;
    for (const [name, count] of Object.entries(open)) {
      const label = count ? fmt(text.open, { count }) : text.complete;
      const step = root.querySelector(`[data-step="${name}"]`);
      if (step) {
        step.dataset.missing = String(count);
        step.classList.toggle("is-complete", !count);
        step.querySelector("[data-step-state]").textContent = count ? label : "✓";
      }
      const section = root.querySelector(`details[data-section="${name}"]`);
      if (section) {
        section.classList.toggle("is-complete", !count);
        section.querySelector("[data-section-state]").textContent = label;
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // The status badge

  let networkFailed = false; // the last attempt failed on the network although the browser says online
  let blocked = ""; // the server refuses the survey for good (logged out, no longer allowed)
  let sending = false;

  function render() {
    const pending = pendingCount();
    const refused = refusals();
    let state = "sent";
    let label = text.sent;
    if (blocked) {
      state = "error";
      label = blocked;
    } else if (pending && (!navigator.onLine || networkFailed)) {
      state = "waiting";
      label = fmt(text.waiting, { count: pending });
    } else if (pending) {
      state = "saved";
      label = sending ? fmt(text.sending, { count: pending }) : text.saved;
    } else if (refused.length) {
      state = "error";
      label = fmt(text.refused, { message: refused[0] });
    }
    if (storageBroken && state !== "sent") label += " ⚠";
    statusBadge.dataset.sync = state;
    statusBadge.dataset.pending = String(pending);
    statusBadge.textContent = label;
  }

  // ------------------------------------------------------------------------------------------
  // The sync loop

  class Retry extends Error {} // the network or the server failed: try again later
  class Blocked extends Error {} // the server will not take it: stop until the page is reloaded

  async function send(url, { method, json, body }) {
    const headers = { "X-CSRFToken": csrfToken, Accept: "application/json" };
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

  async function failure(response) {
    if (response.status === 401 || response.status === 403 || response.status === 404) {
      const body = await response.json().catch(() => null);
      const message = firstMessage(body);
      return new Blocked(response.status === 404 ? message || text.forbidden : text.forbidden);
    }
    return new Retry(`HTTP ${response.status}`);
  }

  async function sendAnswers() {
    // Rounds: whatever was typed while a request was under way goes in the next one.
    for (let round = 0; round < 100; round += 1) {
      const rows = Array.from(answers.values()).filter(answerPending);
      if (!rows.length) return;
      const revs = new Map(rows.map((row) => [row.key, row.rev]));
      const payload = { answers: Object.fromEntries(rows.map((row) => [row.key, { value: row.value ?? null, by: row.by }])) };
      const response = await send(config.urls.answers, { method: "PATCH", json: payload });
      if (response.ok) {
        const survey = await response.json();
        for (const [key, rev] of revs) {
          const row = answers.get(key);
          row.sentRev = Math.max(row.sentRev, rev);
          row.sentVersion = survey.version;
          await quietly(idb.put("answers", { ...row }));
        }
        continue;
      }
      if (response.status !== 400) throw await failure(response);
      // One answer was refused (and nothing of this round saved): mark it, send the others again.
      const body = await response.json().catch(() => ({}));
      const errors = body && body.answers && typeof body.answers === "object" && !Array.isArray(body.answers) ? body.answers : {};
      let marked = 0;
      for (const [key, messages] of Object.entries(errors)) {
        const row = answers.get(key);
        if (!row) continue;
        row.error = firstMessage(messages);
        row.errorRev = row.rev;
        showFieldError(key, row.error);
        await quietly(idb.put("answers", { ...row }));
        marked += 1;
      }
      if (!marked) throw new Blocked(fmt(text.refused, { message: firstMessage(body) }));
    }
  }

  async function sendWorks() {
    if (!worksPending()) return;
    const rev = works.rev;
    const response = await send(config.urls.works, { method: "PUT", json: { works: works.works } });
    if (response.ok) {
      const survey = await response.json();
      works.sentRev = Math.max(works.sentRev, rev);
      works.sentVersion = survey.version;
    } else if (response.status === 400) {
      works.error = firstMessage(await response.json().catch(() => ({})));
      works.errorRev = rev;
      showFieldError(worksKey, works.error);
    } else {
      throw await failure(response);
    }
    await quietly(idb.put("works", { ...works }));
  }

  async function sendPhotos() {
    for (const row of Array.from(photos.values())) {
      if (row.sent || !photos.has(row.clientId)) continue; // sent, or removed meanwhile
      if (!row.attempted) {
        // From now on the server may have it, even if its answer gets lost: removing it needs a removal.
        row.attempted = true;
        await quietly(idb.put("photos", row));
      }
      const form = new FormData();
      form.append("field", row.field);
      form.append("client_id", row.clientId);
      form.append("image", row.blob, row.name);
      const response = await send(config.urls.photos, { method: "POST", body: form });
      if (!photos.has(row.clientId)) continue; // removed while it was on its way: its removal follows
      if (response.ok) {
        row.sent = true; // kept on the device until a page from the server shows it
        await quietly(idb.put("photos", row));
        showThumb(row);
      } else if (response.status === 400) {
        // Not a photo, too large, ...: say so at the field and drop it; retrying cannot help.
        showFieldError(row.field, firstMessage(await response.json().catch(() => ({}))));
        photos.delete(row.clientId);
        removeThumb(row);
        await quietly(idb.delete("photos", row.clientId));
        updateProgress();
      } else {
        throw await failure(response);
      }
    }
  }

  async function sendRemovals() {
    for (const removal of Array.from(removals.values())) {
      const response = await send(`${config.urls.photos}${encodeURIComponent(removal.clientId)}/`, { method: "DELETE" });
      if (response.status === 400) {
        // The survey can no longer be changed: the photo stays, say why at its field.
        showFieldError(removal.field, firstMessage(await response.json().catch(() => ({}))));
        const item = thumbOf(removal.clientId);
        if (item) item.hidden = false;
      } else if (!response.ok) {
        throw await failure(response);
      } else {
        const item = thumbOf(removal.clientId);
        if (item) removeThumb({ clientId: removal.clientId });
      }
      removals.delete(removal.clientId);
      await quietly(idb.delete("removals", removal.clientId));
      updateProgress();
    }
  }

  let running = null; // the sync under way, if any
  let again = false;
  let retryDelay = 0;
  let retryTimer = null;
  let debounceTimer = null;

  function scheduleSync(delay) {
    clearTimeout(debounceTimer);
    debounceTimer = setTimeout(sync, delay);
  }

  /** Send everything that waits, once; returns when done (or failed). */
  function sync() {
    if (running) {
      again = true;
      return running;
    }
    if (blocked || !navigator.onLine || !pendingCount()) {
      render();
      return Promise.resolve();
    }
    clearTimeout(retryTimer);
    retryTimer = null;
    sending = true;
    render();
    running = (async () => {
      try {
        await sendAnswers();
        await sendWorks();
        await sendPhotos();
        await sendRemovals();
        networkFailed = false;
        retryDelay = 0;
      } catch (error) {
        if (error instanceof Blocked) {
          blocked = error.message;
        } else {
          // Back off: 2, 4, 8, ... seconds, at most a minute, until it gets through.
          networkFailed = true;
          retryDelay = Math.min(retryDelay ? retryDelay * 2 : 2000, 60000);
          retryTimer = setTimeout(sync, retryDelay);
        }
      } finally {
        running = null;
        sending = false;
        updateProgress();
        render();
        if (again) {
          again = false;
          if (!networkFailed) scheduleSync(0);
        }
      }
    })();
    return running;
  }

  /** Wait until nothing is under way, then send what still waits. */
  async function flush() {
    while (running) await running;
    await sync();
  }

  window.addEventListener("online", () => {
    networkFailed = false;
    retryDelay = 0;
    sync();
  });
  window.addEventListener("offline", render);
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && sync());
  setInterval(() => pendingCount() && !running && !retryTimer && sync(), 30000);

  // ------------------------------------------------------------------------------------------
  // Opening sections and jumping to a field (steps in the header, the list of what is missing)

  root.addEventListener("click", (event) => {
    const link = event.target.closest('a[href^="#"]');
    if (!link) return;
    const target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    const section = target.closest("details");
    if (section) section.open = true;
    if (target.matches(".survey-field")) {
      event.preventDefault();
      target.scrollIntoView({ behavior: "smooth", block: "start" });
      target.classList.add("is-missing-highlight");
      setTimeout(() => target.classList.remove("is-missing-highlight"), 2500);
      const input = target.querySelector("input:not([type=file]):not([type=radio]), textarea, select");
      if (input) input.focus({ preventScroll: true });
    }
  });

  // The header is sticky: jumps land below it.
  const head = document.getElementById("survey-head");
  const measureHead = () => root.style.setProperty("--head-height", `${head.offsetHeight}px`);
  window.addEventListener("resize", measureHead);
  measureHead();

  // ------------------------------------------------------------------------------------------
  // Finishing the visit: online only, after everything waiting has been sent

  const finishForm = document.getElementById("finish-form");
  let finishing = false;

  function showFinishErrors(body) {
    const box = document.getElementById("finish-errors");
    const message = document.getElementById("finish-message");
    const missingList = document.getElementById("finish-missing");
    finishForm.querySelectorAll("[data-finish-error]").forEach((node) => (node.textContent = ""));
    const general = [];
    for (const [name, value] of Object.entries(body || {})) {
      if (name === "missing") continue;
      const node = finishForm.querySelector(`[data-finish-error="${name}"]`);
      if (node) node.textContent = firstMessage(value);
      else general.push(firstMessage(value));
    }
    const missing = (body && body.missing) || [];
    if (missing.length && !general.length) general.push(text.missingTitle);
    message.textContent = general.join(" ");
    missingList.replaceChildren(
      ...missing.map((gap) => {
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = `#${gap.dom_id}`;
        link.textContent = `${gap.section}: ${gap.label}`;
        item.append(link);
        return item;
      })
    );
    box.hidden = !general.length && !missing.length;
    if (!box.hidden) box.scrollIntoView({ behavior: "smooth", block: "center" });
  }

  async function clearDraft() {
    for (const row of answers.values()) await quietly(idb.delete("answers", [dwelling, row.key]));
    for (const row of photos.values()) await quietly(idb.delete("photos", row.clientId));
    for (const clientId of removals.keys()) await quietly(idb.delete("removals", clientId));
    await quietly(idb.delete("works", dwelling));
  }

  if (finishForm) {
    finishForm.querySelector("input[name=client_id]").value = visitClientId;
    finishForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (finishing) return; // a double tap sends once (and the client_id makes a retry harmless)
      const button = document.getElementById("finish-submit");
      finishing = true;
      button.disabled = true;
      try {
        if (!navigator.onLine) throw new Retry("offline");
        await flush();
        if (pendingCount()) throw new Retry("not everything was sent");
        const data = new FormData(finishForm);
        const organisation = data.get("second_person_organisation");
        const response = await send(config.urls.visits, {
          method: "POST",
          json: {
            outcome: data.get("outcome") || "",
            client_id: visitClientId,
            note: data.get("note") || "",
            second_visit_reason: data.get("second_visit_reason") || "",
            second_person_organisation: organisation ? Number(organisation) : null,
            started_at: openedAt,
          },
        });
        if (response.ok) {
          const visit = await response.json();
          await clearDraft();
          window.location.assign(visit.next || config.urls.myDay);
          return;
        }
        if (response.status === 400) {
          showFinishErrors(await response.json().catch(() => ({})));
        } else {
          const body = await response.json().catch(() => null);
          showFinishErrors({ detail: `${text.finishFailed} ${firstMessage(body)}` });
        }
      } catch (error) {
        showFinishErrors({ detail: error instanceof Blocked ? error.message : text.offlineFinish });
      } finally {
        finishing = false;
        button.disabled = false;
      }
    });
  }

  // ------------------------------------------------------------------------------------------
  // Start: restore what the device has that the page does not, then send what waits

  async function restore() {
    const pageVersion = config.version;
    const serverPhotos = new Set(config.serverPhotos);
    try {
      for (const row of await idb.ofDwelling("answers")) {
        const sentAndShown = row.rev <= row.sentRev && (row.sentVersion || 0) <= pageVersion;
        if (!config.fields[row.key] || sentAndShown) {
          await quietly(idb.delete("answers", [dwelling, row.key])); // the page has it (or it is gone)
          continue;
        }
        answers.set(row.key, row);
        writeValue(row.key, row.value);
        writeBy(row.key, row.by);
        if (answerRefused(row)) showFieldError(row.key, row.error);
      }
      // A removal that waits hides its photo, whether the page or the device shows it.
      for (const removal of await idb.ofDwelling("removals")) {
        removals.set(removal.clientId, removal);
        const item = thumbOf(removal.clientId);
        if (item) item.hidden = true;
      }
      for (const row of await idb.ofDwelling("photos")) {
        if (serverPhotos.has(row.clientId) || !config.fields[row.field] || removals.has(row.clientId)) {
          await quietly(idb.delete("photos", row.clientId));
          continue;
        }
        photos.set(row.clientId, row);
        showThumb(row);
      }
      const saved = await idb.get("works", dwelling);
      if (saved) {
        if (saved.rev <= saved.sentRev && (saved.sentVersion || 0) <= pageVersion) {
          await quietly(idb.delete("works", dwelling));
        } else {
          works = saved;
          if (works.errorRev === works.rev) showFieldError(worksKey, works.error);
        }
      }
    } catch {
      /* no IndexedDB: the page works from what the server sent */
    }
  }

  // The service worker keeps this page and its files for a reload without connection. The page was
  // loaded before the worker existed, so put a fresh copy of it in the worker's cache once.
  if ("serviceWorker" in navigator && window.isSecureContext && config.urls.serviceWorker) {
    navigator.serviceWorker
      .register(config.urls.serviceWorker, { scope: "/surveys/" })
      .then(() => navigator.serviceWorker.ready)
      .then(() => navigator.onLine && caches.open(config.offlineCache))
      .then(async (cache) => {
        if (cache && !(await cache.match(window.location.pathname, { ignoreVary: true }))) await cache.add(window.location.pathname);
      })
      .catch(() => undefined);
  }

  restore().then(() => {
    renderWorks();
    updateProgress();
    render();
    root.dataset.ready = "1"; // for tests and for the curious: the draft is restored
    sync();
  });
})();
