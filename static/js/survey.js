/* The survey form on the tablet: a draft that lives on the device and goes up when it can.
 *
 * Every change is written at once to IndexedDB (keyed by dwelling) and so survives a reload, a
 * crash or a flat battery; survey-sync.js keeps those rows and sends them (answers, works, photos,
 * removed photos and at last the finished visit) whenever there is a connection. This file is the
 * page: reading and writing the inputs, photos and drawings, the works list, what is still open,
 * the status badge, and finishing the visit, which also works without a connection: the visit then
 * waits on the device and is recorded once everything before it has arrived. Each photo and visit
 * carries a client_id made on the device, so a retry or a double tap stores it once.
 *
 * The installer's commissioning checklist is the same page with another config: its drafts live in a
 * database of their own (``config.database``), and it finishes with the report of the installation
 * (``config.report``) where the survey finishes the visit.
 *
 * No framework and no build step: plain modern JavaScript, read top to bottom.
 */
(() => {
  "use strict";

  const root = document.getElementById("survey");
  const configNode = document.getElementById("survey-config");
  if (!root || !configNode || !window.LastMetreDrafts) return;

  const { Draft, Blocked, firstMessage, answerRefused } = window.LastMetreDrafts;
  const config = JSON.parse(configNode.textContent);
  const dwelling = config.dwelling;
  const text = config.text;
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

  const fieldNode = (key) => root.querySelector(`.survey-field[data-key="${CSS.escape(key)}"]`);
  const thumbOf = (clientId) => root.querySelector(`li[data-client-id="${CSS.escape(clientId)}"]`);

  // ------------------------------------------------------------------------------------------
  // The draft of this dwelling, and what the page shows of the sending

  const draft = new Draft({
    dwelling,
    database: config.database,
    urls: config.urls,
    text,
    hooks: {
      fieldError: (key, message) => showFieldError(key, message),
      worksError: (message) => worksKey && showFieldError(worksKey, message),
      photoSent: (row) => showThumb(row),
      photoDropped: (row) => {
        removeThumb(row);
        updateProgress();
      },
      removalDone: (removal, refused) => {
        const item = thumbOf(removal.clientId);
        if (!item) return;
        if (refused) item.hidden = false; // the survey can no longer be changed: the photo stays
        else removeThumb(removal);
        updateProgress();
      },
      visitRecorded: (visit) => window.location.assign(visit.next || config.urls.myDay),
      visitRefused: (visit) => {
        showQueued(false);
        showFinishErrors(visit.errorBody);
      },
      changed: () => render(),
      // What another page of this home (My day, a second tab) wrote meanwhile.
      answerReplaced: (row) => {
        writeValue(row.key, row.value);
        writeBy(row.key, row.by);
        updateProgress();
      },
      photoAdded: (row) => showThumb(row),
      removalAdded: (removal) => {
        const item = thumbOf(removal.clientId);
        if (item) item.hidden = true;
      },
      worksReplaced: () => renderWorks(),
    },
  });

  // ------------------------------------------------------------------------------------------
  // Reading and writing the inputs of a field

  /** What a number input holds that is no number (the browser could not read what was typed). */
  const UNREADABLE = Symbol("unreadable");

  /** A number input's value: a number, null when empty, or UNREADABLE. A number input always holds
   * ASCII digits and a point, whatever the language of the page or of the tablet. */
  function readNumber(input) {
    if (input.validity && input.validity.badInput) return UNREADABLE;
    if (input.value.trim() === "") return null;
    const number = Number(input.value);
    return Number.isFinite(number) ? number : UNREADABLE;
  }

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
    if (kind === "number") return readNumber(input);
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
  // Answers: saved on the device at every change, then sent

  function onAnswerChanged(key) {
    const value = readValue(key);
    if (value === UNREADABLE) {
      // Never store an empty answer over what was there: say so, and keep the draft as it was.
      showFieldError(key, text.notANumber);
      updateProgress();
      return;
    }
    showFieldError(key, "");
    draft.setAnswer(key, value, readBy(key));
    if (key.startsWith("dwelling_scan.") && !worksConfirmed()) renderWorks(); // the proposal follows
    afterChange();
  }

  function afterChange(delay = 800) {
    updateProgress();
    render();
    draft.schedule(delay);
  }

  root.addEventListener("input", (event) => {
    const node = event.target.closest(".survey-field");
    if (!node || !event.target.name || event.target.name.startsWith("by:")) return;
    const kind = node.dataset.kind;
    if (kind === "text" || kind === "longtext" || kind === "number") onAnswerChanged(node.dataset.key);
  });

  // A Dutch keyboard offers a decimal comma, which Chromium's number input drops without a word
  // ("10,5" becomes 105). In a Dutch page a comma typed or pasted into a number is its decimal point.
  root.addEventListener("beforeinput", (event) => {
    const input = event.target;
    if (config.decimalSeparator !== "," || !(input instanceof HTMLInputElement) || input.type !== "number") return;
    const data = event.data ?? (event.dataTransfer ? event.dataTransfer.getData("text/plain") : null);
    if (!data || !data.includes(",")) return;
    event.preventDefault();
    // execCommand is the one way to insert at the caret of a number input (it has no selection API).
    if (!document.execCommand("insertText", false, data.replace(/,/g, "."))) {
      const node = input.closest(".survey-field");
      if (node) showFieldError(node.dataset.key, text.notANumber);
    }
  });

  root.addEventListener("change", (event) => {
    const node = event.target.closest(".survey-field");
    if (!node || !event.target.name) return;
    const kind = node.dataset.kind;
    const isBy = event.target.name.startsWith("by:");
    if (isBy || kind === "choice" || kind === "multichoice") onAnswerChanged(node.dataset.key);
    else if (kind === "text" || kind === "longtext" || kind === "number") draft.schedule(0); // left the field
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
    showFieldError(key, "");
    const saved = draft.addPhoto(row);
    showThumb(row);
    await saved;
  }

  function showThumb(row) {
    const node = fieldNode(row.field);
    if (!node) return;
    const list = node.querySelector("[data-thumbs]");
    let item = thumbOf(row.clientId);
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
    const waitsForServer = draft.removePhoto(clientId, field);
    const item = thumbOf(clientId);
    if (item) item.hidden = true; // gone from the form at once; back if the server refuses
    if (!(await waitsForServer)) removeThumb({ clientId });
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
  const worksConfirmed = () => Boolean(draft.works) || config.works.length > 0;
  const currentWorks = () => (draft.works ? draft.works.works : config.works.length ? config.works : proposeWorks());

  /** The works the scan on the page asks for: the server's rules (surveys.schema.proposed_works) as
   * data, applied here, so that the proposal follows the scan in a cellar too. */
  function proposeWorks() {
    const { always, rules, responsible } = config.worksRules;
    const needed = [...always];
    for (const [key, answers, work] of rules) {
      if (!config.fields[key]) continue;
      const value = readValue(key);
      const answered = value != null && String(value).trim() !== "" && !(Array.isArray(value) && !value.length);
      if (answers ? answers.includes(value) : answered) needed.push(work);
    }
    return [...new Set(needed)].map((work) => ({ work, responsible: responsible[work] }));
  }

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
    showFieldError(worksKey, "");
    draft.setWorks(list);
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
    // The proposal follows the scan: shown afresh whenever the section opens.
    const section = worksNode.closest("details");
    if (section) section.addEventListener("toggle", () => section.open && !worksConfirmed() && renderWorks());
  }

  // ------------------------------------------------------------------------------------------
  // Completeness: per section what is still open, in the sticky header and on each section

  const shownThumbs = (node) => node.querySelectorAll("[data-thumbs] li:not([hidden])").length;

  /** Is this question asked, given the answers on the page (the place of a boiler the home has)? */
  function applies(key) {
    const condition = config.fields[key].onlyWhen;
    return !condition || condition[1].includes(readValue(condition[0]));
  }

  function isMissing(key) {
    const field = config.fields[key];
    const node = fieldNode(key);
    if (!applies(key)) return false;
    if (field.kind === "photos") return shownThumbs(node) < field.minPhotos;
    if (!field.required) return false;
    if (field.kind === "works") return !worksConfirmed() || currentWorks().length === 0;
    if (field.kind === "sketch" || field.kind === "signature") return shownThumbs(node) === 0;
    const value = readValue(key);
    if (value === UNREADABLE) return true; // what the field shows is no answer, whatever the draft holds
    return value == null || (typeof value === "string" && value.trim() === "") || (Array.isArray(value) && !value.length);
  }

  function updateProgress() {
    for (const key of Object.keys(config.fields)) {
      const node = fieldNode(key);
      if (node) node.hidden = !applies(key); // a question that is not asked is not shown either
    }
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

  /** What the page itself can tell is missing, in the form the server lists it. */
  function missingFields() {
    return Object.entries(config.fields)
      .filter(([key]) => isMissing(key))
      .map(([, field]) => ({ section: config.sectionTitles[field.section], label: field.label, dom_id: field.domId }));
  }

  // ------------------------------------------------------------------------------------------
  // The status badge

  function render() {
    const pending = draft.pendingCount();
    const refused = draft.refusals();
    let state = "sent";
    let label = text.sent;
    if (draft.blocked) {
      state = "error";
      label = draft.blocked;
    } else if (pending && (!navigator.onLine || draft.networkFailed)) {
      state = "waiting";
      label = fmt(text.waiting, { count: pending });
    } else if (pending) {
      state = "saved";
      label = draft.sending ? fmt(text.sending, { count: pending }) : text.saved;
    } else if (refused.length) {
      state = "error";
      label = fmt(text.refused, { message: refused[0] });
    }
    if (draft.storageBroken && state !== "sent") label += " ⚠";
    statusBadge.dataset.sync = state;
    statusBadge.dataset.pending = String(pending);
    statusBadge.textContent = label;
  }

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
  // Finishing the visit: checked on the page, then it waits on the device like everything else
  // and is recorded once the answers and photos before it have arrived.

  const finishForm = document.getElementById("finish-form");
  const queuedBox = document.getElementById("finish-queued");
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

  function showQueued(queued) {
    if (!queuedBox) return;
    queuedBox.hidden = !queued;
    if (queued) queuedBox.scrollIntoView({ behavior: "smooth", block: "center" });
  }

  /** The checks the server makes too, so that a visit finished offline is right when it arrives. */
  function visitProblems(visit) {
    const problems = {};
    if (draft.surveyRefusals().length) problems.detail = text.refusedFirst;
    if (!visit.outcome && !config.report) problems.outcome = text.chooseOutcome;
    if (config.visitCount && finishForm.elements.second_visit_reason && !visit.secondVisitReason) {
      problems.second_visit_reason = text.reasonRequired;
    }
    if (visit.outcome === "completed") {
      const missing = missingFields();
      if (missing.length) problems.missing = missing;
    }
    return Object.keys(problems).length ? problems : null;
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
        const data = new FormData(finishForm);
        const organisation = data.get("second_person_organisation");
        const clientId = (draft.visit && draft.visit.clientId) || visitClientId;
        const report = config.report
          ? { payload: { client_id: clientId, installed_on: data.get("installed_on") || null }, outcome: "completed" }
          : {};
        const visit = {
          // Finishing again after a refusal or before the first one went: still the same visit.
          clientId,
          outcome: data.get("outcome") || "",
          note: data.get("note") || "",
          secondVisitReason: (data.get("second_visit_reason") || "").trim(),
          secondPersonOrganisation: organisation ? Number(organisation) : null,
          startedAt: (draft.visit && draft.visit.startedAt) || openedAt,
          finishedAt: new Date().toISOString(),
          address: config.address, // for My day, should the visit wait or be refused
          installedOn: data.get("installed_on") || "",
          ...report,
        };
        const problems = visitProblems(visit);
        showFinishErrors(problems);
        if (problems) return;
        await draft.finishVisit(visit);
        render();
        await draft.flush(); // recorded: visitRecorded goes to My day; refused: visitRefused says why
        if (draft.blocked) showFinishErrors({ detail: draft.blocked }); // waits for a new login
        else if (draft.visit && !draft.visit.error) showQueued(true); // no connection: it waits on the device
      } catch (error) {
        showFinishErrors({ detail: error instanceof Blocked ? error.message : text.finishFailed });
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
    await draft.load();
    for (const row of Array.from(draft.answers.values())) {
      const sentAndShown = row.rev <= row.sentRev && (row.sentVersion || 0) <= pageVersion;
      if (!config.fields[row.key] || sentAndShown) {
        draft.answers.delete(row.key); // the page has it (or the question is gone)
        await draft.unstore("answers", [dwelling, row.key]);
        continue;
      }
      writeValue(row.key, row.value);
      writeBy(row.key, row.by);
      if (answerRefused(row)) showFieldError(row.key, row.error);
    }
    // A removal that waits hides its photo, whether the page or the device shows it.
    for (const removal of draft.removals.values()) {
      const item = thumbOf(removal.clientId);
      if (item) item.hidden = true;
    }
    for (const row of Array.from(draft.photos.values())) {
      if (serverPhotos.has(row.clientId) || !config.fields[row.field] || draft.removals.has(row.clientId)) {
        draft.photos.delete(row.clientId);
        await draft.unstore("photos", row.clientId);
        continue;
      }
      showThumb(row);
    }
    const works = draft.works;
    if (works && works.rev <= works.sentRev && (works.sentVersion || 0) <= pageVersion) {
      draft.works = null;
      await draft.unstore("works", dwelling);
    } else if (works && works.errorRev === works.rev) {
      showFieldError(worksKey, works.error);
    }
    if (draft.visit && finishForm) {
      const visit = draft.visit;
      const outcome = finishForm.querySelector(`input[name=outcome][value="${CSS.escape(visit.outcome)}"]`);
      if (outcome) outcome.checked = true;
      if (finishForm.elements.note) finishForm.elements.note.value = visit.note || "";
      if (finishForm.elements.installed_on && visit.installedOn) finishForm.elements.installed_on.value = visit.installedOn;
      if (finishForm.elements.second_visit_reason) finishForm.elements.second_visit_reason.value = visit.secondVisitReason || "";
      const organisation = finishForm.elements.second_person_organisation;
      if (organisation) organisation.value = visit.secondPersonOrganisation ? String(visit.secondPersonOrganisation) : "";
      if (visit.error) showFinishErrors(visit.errorBody);
      else showQueued(true);
    } else if (draft.visit) {
      await draft.dropVisit(); // the dwelling is no longer planned for a visit: nothing to record
    }
  }

  // The service worker keeps this page and its files for a reload without connection. The page was
  // loaded before the worker existed, so put a fresh copy of it in the worker's cache once.
  if ("serviceWorker" in navigator && window.isSecureContext && config.urls.serviceWorker) {
    navigator.serviceWorker
      .register(config.urls.serviceWorker, { scope: config.serviceWorkerScope || "/surveys/" })
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
    draft.start();
  });
})();
