// Qashyq: the student's exam page. An ES module without dependencies.
//
// It talks to the server only through the attempt API (docs/subsystems/attempts.md, "Exam page"
// there describes this file). The rules it keeps:
// - the server's clock is the truth: the time left is the deadline minus the server's time,
//   advanced with the browser's monotonic clock (performance.now), re-synced on every answer;
// - every change is saved at once (text after a short pause) with a per-slot `seq` counter and
//   counts as saved only when the server answered 200 after its commit;
// - an answer is written to IndexedDB ("qashyq-attempts", keyed by [attempt, slot]) before it is
//   sent and removed once the server holds it (or something newer), so a dropped network, a
//   closed tab or a reload loses nothing that was typed;
// - if the network never returns, the student downloads the answers encrypted (AES-GCM with the
//   attempt's offline_key) for staff to upload into the attempt;
// - a file (a drawing, a recording, an essay's attachment) is uploaded on its own and then
//   referenced by id in the answer; a file chosen while offline waits in IndexedDB (as a Blob)
//   and is uploaded when the network returns.

const $ = (id) => document.getElementById(id);
const configElement = $("attempt-config");
const config = Object.assign(
  JSON.parse(configElement.textContent),
  globalThis.QASHYQ_ATTEMPT_OPTIONS || {},
);
const S = config.strings;
// The texts of the file widgets come with the page (translated in the template).
const fileStrings = document.getElementById("attempt-file-strings");
const F = Object.assign(
  {
    choose: "Choose a file",
    attach: "Attach a file",
    attached: "Attached files",
    none: "No file attached yet.",
    count: "Files: {count} of {max}.",
    full: "To attach another file, remove one first.",
    remove: "Remove",
    removeLabel: "Remove {name}",
    removed: "{name} was removed from the answer.",
    uploading: "Uploading {name}…",
    uploaded: "{name} is attached.",
    waiting: "{name} is kept on this device and will be uploaded when the network returns.",
    waitingNoStorage: "{name} could not be uploaded: the network is down. Choose it again when it returns.",
    refused: "{name} was not uploaded: {message}",
    offline: "Files need the network. A file chosen now is kept on this device and uploaded when the network returns.",
    file: "File {id}",
    record: "Record",
    stopRecording: "Stop recording",
    recording: "Recording… {time}",
    recordingName: "recording-{time}.webm",
    microphoneRefused: "The microphone cannot be used: {message}",
  },
  fileStrings ? { ...fileStrings.dataset } : {},
);
const fmt = (text, vars) =>
  text.replace(/\{(\w+)\}/g, (whole, key) => (key in vars ? String(vars[key]) : whole));

// --- IndexedDB: answers not yet acknowledged by the server ----------------------------------

const DB_NAME = "qashyq-attempts";
const STORE = "answers";
const UPLOADS = "uploads"; // files chosen but not yet uploaded: {key, attempt, slot, name, type, blob}

function openDatabase() {
  return new Promise((resolve, reject) => {
    if (!("indexedDB" in globalThis)) {
      reject(new Error("IndexedDB is not available"));
      return;
    }
    const request = indexedDB.open(DB_NAME, 2);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(STORE)) {
        db.createObjectStore(STORE, { keyPath: ["attempt", "slot"] });
      }
      if (!db.objectStoreNames.contains(UPLOADS)) {
        db.createObjectStore(UPLOADS, { keyPath: "key", autoIncrement: true });
      }
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error("IndexedDB is blocked"));
  });
}

class AnswerStore {
  constructor() {
    this.db = null;
  }

  async open() {
    try {
      this.db = await openDatabase();
    } catch {
      this.db = null;
    }
    return this.db !== null;
  }

  _run(mode, work, storeName = STORE) {
    if (this.db === null) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const tx = this.db.transaction(storeName, mode);
      let result;
      const request = work(tx.objectStore(storeName), (value) => {
        result = value;
      });
      if (request) {
        request.onsuccess = () => {
          result = request.result;
        };
      }
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }

  put(record) {
    return this._run("readwrite", (store) => store.put(record));
  }

  all(attempt) {
    const range = IDBKeyRange.bound([attempt, -Infinity], [attempt, Infinity]);
    return this._run("readonly", (store) => store.getAll(range)).then((rows) => rows || []);
  }

  // Remove the queued answer of a slot unless it is newer than what the server holds.
  forgetUpTo(attempt, slot, seq) {
    return this._run("readwrite", (store) => {
      const request = store.get([attempt, slot]);
      request.onsuccess = () => {
        const row = request.result;
        if (row && row.seq <= seq) store.delete([attempt, slot]);
      };
      return null;
    });
  }

  // Files waiting for the network. putUpload answers the record's key (undefined without a
  // database: the file then lives only in this page).
  putUpload(record) {
    return this._run("readwrite", (store) => store.add(record), UPLOADS);
  }

  uploads(attempt) {
    return this._run("readonly", (store) => store.getAll(), UPLOADS).then((rows) =>
      (rows || []).filter((row) => row.attempt === attempt),
    );
  }

  forgetUpload(key) {
    if (key === undefined || key === null) return Promise.resolve();
    return this._run("readwrite", (store) => store.delete(key), UPLOADS);
  }
}

const store = new AnswerStore();

// --- the server's clock -------------------------------------------------------------------

const clock = { serverMs: null, perf: 0, deadlineMs: null };

function serverNow() {
  if (clock.serverMs === null) return Date.now();
  return clock.serverMs + (performance.now() - clock.perf);
}

function syncClock(serverTime, sentAt, answeredAt) {
  const parsed = Date.parse(serverTime || "");
  if (Number.isNaN(parsed)) return;
  // The server read its clock somewhere between sending and answering: take the midpoint.
  clock.serverMs = parsed;
  clock.perf = (sentAt + answeredAt) / 2;
}

function setDeadline(deadline) {
  if (deadline === undefined) return;
  const parsed = deadline === null ? NaN : Date.parse(deadline);
  clock.deadlineMs = Number.isNaN(parsed) ? null : parsed;
}

// --- the API ------------------------------------------------------------------------------

// The CSRF cookie when it can be read (it changes when the student signs in again in another
// tab), else the token the page was rendered with.
function csrfToken() {
  const name = `${config.csrfCookieName}=`;
  const cookie = document.cookie.split("; ").find((part) => part.startsWith(name));
  return cookie ? decodeURIComponent(cookie.slice(name.length)) : config.csrfToken;
}

async function api(method, url, body) {
  const sentAt = performance.now();
  let response;
  try {
    response = await fetch(url, {
      method,
      credentials: "same-origin",
      cache: "no-store",
      headers: {
        Accept: "application/json",
        "Content-Type": "application/json",
        "X-CSRFToken": csrfToken(),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    return { network: true, error };
  }
  const answeredAt = performance.now();
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  return { status: response.status, ok: response.ok, data, sentAt, answeredAt };
}

const errorMessage = (result) =>
  (result.data && result.data.message) || `HTTP ${result.status || "?"}`;

// --- state --------------------------------------------------------------------------------

const state = {
  attempt: null,
  doc: null,
  slots: new Map(), // slot number -> slot state, below
  finished: false,
  wantFinish: false,
  byTime: false,
  submitting: false,
  sending: false, // a save is in flight (one at a time)
  changes: 0, // orders the queued answers, oldest first
  offlineSince: null,
  problem: null, // a message while the server refuses for a reason that may pass
  storageOk: true,
  announced: new Set(),
};

const el = {
  app: $("attempt-app"),
  title: $("attempt-title"),
  startForm: $("attempt-start"),
  startButton: $("attempt-start-button"),
  startError: $("attempt-start-error"),
  passwordBox: $("attempt-password"),
  password: $("attempt-password-input"),
  bar: $("attempt-bar"),
  timer: $("attempt-timer"),
  timerBox: $("attempt-timer-box"),
  status: $("attempt-status"),
  alert: $("attempt-alert"),
  offline: $("attempt-offline"),
  offlineHelp: $("attempt-offline-help"),
  download: $("attempt-download"),
  nav: $("attempt-nav"),
  navList: $("attempt-nav-list"),
  questions: $("attempt-questions"),
  end: $("attempt-end"),
  next: $("attempt-next"),
  finish: $("attempt-finish"),
  confirm: $("attempt-confirm"),
  confirmText: $("attempt-confirm-text"),
  confirmYes: $("attempt-confirm-yes"),
  confirmNo: $("attempt-confirm-no"),
  result: $("attempt-result"),
};

const announcer = document.createElement("p");
announcer.className = "visually-hidden";
announcer.setAttribute("aria-live", "polite");
announcer.id = "attempt-announce";
el.app.append(announcer);

function announce(text) {
  announcer.textContent = "";
  // A new text node after a tick, so the same sentence twice is read twice.
  setTimeout(() => {
    announcer.textContent = text;
  }, 50);
}

const storageKey = () => `qashyq-attempt:${config.testId}`;

// This browser's attempt at this test (and its offline key, for the answers file should the
// attempt end while answers are still waiting here).
function remember(attemptId, offlineKey) {
  try {
    if (attemptId === null) localStorage.removeItem(storageKey());
    else localStorage.setItem(storageKey(), JSON.stringify({ id: attemptId, key: offlineKey }));
  } catch {
    /* private mode: resuming starts from the button instead */
  }
}

function remembered() {
  try {
    const value = JSON.parse(localStorage.getItem(storageKey()) || "null");
    return value && Number.isInteger(value.id) ? value : null;
  } catch {
    return null;
  }
}

// --- small DOM helpers --------------------------------------------------------------------

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "html") node.innerHTML = value;
    else if (name === "text") node.textContent = value;
    else if (name === "className") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

const plainText = (html) => {
  const box = document.createElement("div");
  box.innerHTML = html || "";
  return (box.textContent || "").trim();
};

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

// --- one widget per question type ---------------------------------------------------------
//
// A widget is {node, read() -> response, write(response)}; it calls change(debounced) when the
// student changes something.

function choiceWidget(slot, change, multiple) {
  const name = `q${slot.slot}-choice`;
  const inputs = [];
  const fieldset = h(
    "fieldset",
    { className: "attempt-choices", "aria-describedby": `q${slot.slot}-text` },
    h("legend", { text: multiple ? S.choose_many : S.choose_one }),
  );
  (slot.options || []).forEach((option, index) => {
    const id = `q${slot.slot}-o${index}`;
    const input = h("input", {
      type: multiple ? "checkbox" : "radio",
      name,
      id,
      value: option.id,
      onchange: () => change(false),
    });
    inputs.push(input);
    fieldset.append(
      h(
        "div",
        { className: "attempt-option" },
        input,
        h("label", { for: id, className: "attempt-option__label", html: option.text_html }),
      ),
    );
  });
  if (!multiple) {
    fieldset.append(
      h("button", {
        type: "button",
        className: "link-button attempt-clear",
        text: S.clear_choice,
        onclick: () => {
          inputs.forEach((input) => {
            input.checked = false;
          });
          change(false);
        },
      }),
    );
  }
  return {
    node: fieldset,
    read() {
      const chosen = inputs.filter((input) => input.checked).map((input) => input.value);
      if (multiple) return chosen.length ? chosen : null;
      return chosen.length ? chosen[0] : null;
    },
    write(response) {
      const wanted = new Set(
        Array.isArray(response) ? response : response === null ? [] : [response],
      );
      inputs.forEach((input) => {
        input.checked = wanted.has(input.value);
      });
    },
  };
}

function trueFalseWidget(slot, change) {
  const fieldset = h(
    "fieldset",
    { className: "attempt-choices", "aria-describedby": `q${slot.slot}-text` },
    h("legend", { text: S.choose_one }),
  );
  const inputs = [true, false].map((value) => {
    const id = `q${slot.slot}-tf-${value}`;
    const input = h("input", {
      type: "radio",
      name: `q${slot.slot}-tf`,
      id,
      value: String(value),
      onchange: () => change(false),
    });
    fieldset.append(
      h(
        "div",
        { className: "attempt-option" },
        input,
        h("label", { for: id, text: value ? S.true : S.false }),
      ),
    );
    return input;
  });
  return {
    node: fieldset,
    read() {
      const chosen = inputs.find((input) => input.checked);
      return chosen ? chosen.value === "true" : null;
    },
    write(response) {
      inputs.forEach((input) => {
        input.checked = response !== null && input.value === String(response);
      });
    },
  };
}

function textWidget(slot, change, numeric) {
  const id = `q${slot.slot}-answer`;
  const input = h("input", {
    type: "text",
    id,
    inputmode: numeric ? "decimal" : null,
    autocomplete: "off",
    spellcheck: numeric ? "false" : null,
    "aria-describedby": `q${slot.slot}-text`,
    oninput: () => change(true),
    onchange: () => change(false),
  });
  return {
    node: h(
      "div",
      { className: "attempt-field" },
      h("label", { for: id, text: numeric ? S.number_answer : S.answer }),
      input,
    ),
    read: () => (input.value === "" ? null : input.value),
    write(response) {
      input.value = typeof response === "string" ? response : "";
    },
  };
}

function matchingWidget(slot, change) {
  const selects = [];
  const fieldset = h(
    "fieldset",
    { className: "attempt-matching", "aria-describedby": `q${slot.slot}-text` },
    h("legend", { text: S.match_legend }),
  );
  (slot.prompts || []).forEach((prompt, index) => {
    const promptId = `q${slot.slot}-p${index}`;
    const select = h("select", {
      id: `${promptId}-select`,
      "aria-labelledby": promptId,
      onchange: () => change(false),
    });
    select.dataset.prompt = prompt.id;
    select.append(h("option", { value: "", text: S.choose }));
    (slot.choices || []).forEach((choice) => {
      select.append(h("option", { value: choice, text: choice }));
    });
    selects.push(select);
    fieldset.append(
      h(
        "div",
        { className: "attempt-match" },
        h("div", { id: promptId, className: "attempt-match__prompt", html: prompt.text_html }),
        select,
      ),
    );
  });
  return {
    node: fieldset,
    read() {
      const answer = {};
      selects.forEach((select) => {
        if (select.value !== "") answer[select.dataset.prompt] = select.value;
      });
      return Object.keys(answer).length ? answer : null;
    },
    write(response) {
      selects.forEach((select) => {
        const value = response && typeof response === "object" ? response[select.dataset.prompt] : "";
        select.value = value ?? "";
      });
    },
  };
}

function orderingWidget(slot, change) {
  const items = new Map((slot.items || []).map((item) => [item.id, item]));
  let order = [...items.keys()];
  const list = h("ol", { className: "attempt-order" });
  const fieldset = h(
    "fieldset",
    { className: "attempt-ordering", "aria-describedby": `q${slot.slot}-text q${slot.slot}-help` },
    h("legend", { text: S.order_legend }),
    h("p", { id: `q${slot.slot}-help`, className: "hint", text: S.order_help }),
    list,
  );

  function move(id, step, focusDirection) {
    const from = order.indexOf(id);
    const to = from + step;
    if (from < 0 || to < 0 || to >= order.length) return;
    order.splice(from, 1);
    order.splice(to, 0, id);
    draw();
    const item = list.querySelector(`[data-item="${CSS.escape(id)}"]`);
    const buttons = item.querySelectorAll("button");
    const wanted = focusDirection < 0 ? buttons[0] : buttons[1];
    const focusable = wanted.getAttribute("aria-disabled") === "true"
      ? (focusDirection < 0 ? buttons[1] : buttons[0])
      : wanted;
    focusable.focus();
    announce(fmt(S.moved, { item: plainText(items.get(id).text_html), position: to + 1, total: order.length }));
    change(false);
  }

  function draw() {
    list.replaceChildren(
      ...order.map((id, index) => {
        const item = items.get(id);
        const label = plainText(item.text_html);
        const up = h("button", {
          type: "button",
          className: "button button--secondary attempt-order__button",
          "aria-label": fmt(S.move_up, { item: label }),
          "aria-disabled": index === 0 ? "true" : null,
          text: `↑ ${S.up}`,
          onclick: () => move(id, -1, -1),
        });
        const down = h("button", {
          type: "button",
          className: "button button--secondary attempt-order__button",
          "aria-label": fmt(S.move_down, { item: label }),
          "aria-disabled": index === order.length - 1 ? "true" : null,
          text: `↓ ${S.down}`,
          onclick: () => move(id, 1, 1),
        });
        const row = h(
          "li",
          { className: "attempt-order__item" },
          h("span", { className: "attempt-order__text", html: item.text_html }),
          h("span", { className: "attempt-order__buttons" }, up, down),
        );
        row.dataset.item = id;
        return row;
      }),
    );
  }

  draw();
  return {
    node: fieldset,
    // The order on the screen is the answer, as in Moodle: the shuffled order counts too.
    read: () => [...order],
    write(response) {
      if (Array.isArray(response) && response.length === items.size && response.every((id) => items.has(id))) {
        order = [...response];
        draw();
      }
    },
    initiallyAnswered: true,
  };
}

function clozeWidget(slot, change) {
  const gaps = new Map((slot.gaps || []).map((gap) => [String(gap.id), gap]));
  const controls = new Map();
  const text = h("div", { className: "prose attempt-cloze", id: `q${slot.slot}-text` });
  // Replace each {{id}} marker by a placeholder, then each placeholder by its control.
  const marked = (slot.text_html || "").replace(/\{\{\s*([^{}\s]+)\s*\}\}/g, (whole, id) =>
    gaps.has(id) ? `<span data-gap-slot="${id.replace(/[^\w-]/g, "")}"></span>` : whole,
  );
  text.innerHTML = marked;

  function control(gap) {
    const id = `q${slot.slot}-g${String(gap.id).replace(/[^\w-]/g, "")}`;
    const label = fmt(S.gap, { number: gap.id });
    let node;
    if (gap.kind === "single") {
      node = h("select", { id, "aria-label": label, onchange: () => change(false) });
      node.append(h("option", { value: "", text: S.choose }));
      (gap.options || []).forEach((option) => {
        node.append(h("option", { value: option.id, text: plainText(option.text_html) }));
      });
    } else {
      node = h("input", {
        type: "text",
        id,
        "aria-label": label,
        size: gap.kind === "numerical" ? 8 : 14,
        inputmode: gap.kind === "numerical" ? "decimal" : null,
        autocomplete: "off",
        oninput: () => change(true),
        onchange: () => change(false),
      });
    }
    node.classList.add("attempt-gap");
    controls.set(String(gap.id), node);
    return node;
  }

  text.querySelectorAll("[data-gap-slot]").forEach((placeholder) => {
    const gap = gaps.get(placeholder.dataset.gapSlot);
    if (gap && !controls.has(String(gap.id))) placeholder.replaceWith(control(gap));
    else placeholder.remove();
  });
  // A gap without a marker in the text still gets its control, after the text.
  for (const gap of gaps.values()) {
    if (!controls.has(String(gap.id))) text.append(" ", control(gap));
  }
  return {
    node: h("fieldset", { className: "attempt-cloze-box" }, h("legend", { text: S.cloze_legend }), text),
    read() {
      const answer = {};
      for (const [id, node] of controls) if (node.value !== "") answer[id] = node.value;
      return Object.keys(answer).length ? answer : null;
    },
    write(response) {
      for (const [id, node] of controls) {
        const value = response && typeof response === "object" ? response[id] : "";
        node.value = value ?? "";
      }
    },
    ownsText: true,
  };
}

// --- files: a file question, an essay's attachments ---------------------------------------
//
// A file is uploaded first (POST …/slots/{slot}/files, one request per file, with a progress
// bar) and becomes part of the answer when a save references its id. Removing a file saves an
// answer without its id (the server keeps the file; staff see it as not attached). A file chosen
// offline waits in IndexedDB and is uploaded when the network returns (uploadAll).

const fileBoxes = new Map(); // slot number -> the slot's file box

function formatSize(bytes) {
  const units = [
    ["megabyte", 1024 * 1024],
    ["kilobyte", 1024],
  ];
  for (const [unit, size] of units) {
    if (bytes >= size) {
      try {
        return new Intl.NumberFormat(config.language || undefined, {
          style: "unit",
          unit,
          maximumFractionDigits: 1,
        }).format(bytes / size);
      } catch {
        return `${(bytes / size).toFixed(1)} ${unit === "megabyte" ? "MB" : "KB"}`;
      }
    }
  }
  try {
    return new Intl.NumberFormat(config.language || undefined, { style: "unit", unit: "byte" }).format(bytes);
  } catch {
    return `${bytes} B`;
  }
}

function fileBox(slot, change, max, labelText) {
  const known = new Map((slot.files || []).map((file) => [file.id, file]));
  let files = [];
  const pending = []; // {key, name, type, blob, state: "waiting"|"sending", node, progress}
  const inputId = `q${slot.slot}-file`;
  const helpId = `q${slot.slot}-file-help`;
  const listTitleId = `q${slot.slot}-files-title`;
  const list = h("ul", { className: "attempt-files__list", "aria-labelledby": listTitleId });
  const empty = h("p", { className: "hint attempt-files__empty", text: F.none });
  const help = h("p", { className: "hint", id: helpId });
  const input = h("input", {
    type: "file",
    id: inputId,
    accept: slot.accept_types || null,
    "aria-describedby": helpId,
  });
  const message = h("p", { className: "attempt-files__message", role: "status", "aria-live": "polite" });
  const node = h(
    "div",
    { className: "attempt-files" },
    h("h3", { className: "attempt-files__title small", id: listTitleId, text: F.attached }),
    list,
    empty,
    h("div", { className: "attempt-field" }, h("label", { for: inputId, text: labelText }), input),
    help,
    message,
  );
  const box = {
    node,
    max,
    slot: slot.slot,
    known,
    pending,
    get files() {
      return [...files];
    },
    setFiles(ids) {
      files = Array.isArray(ids) ? ids.filter((id) => Number.isInteger(id)) : [];
      draw();
    },
    say(text) {
      message.textContent = text;
    },
    draw,
  };

  function remove(id) {
    const name = (known.get(id) || {}).name || fmt(F.file, { id });
    files = files.filter((other) => other !== id);
    draw();
    change(false);
    input.focus();
    box.say(fmt(F.removed, { name }));
  }

  function draw() {
    const locked = state.finished || state.wantFinish;
    list.replaceChildren(
      ...files.map((id) => {
        const file = known.get(id);
        const name = file ? file.name : fmt(F.file, { id });
        return h(
          "li",
          { className: "attempt-files__item" },
          file && file.url
            ? h("a", { href: file.url, target: "_blank", rel: "noopener", text: name })
            : h("span", { text: name }),
          file ? h("span", { className: "muted small", text: ` (${formatSize(file.size)})` }) : null,
          h("button", {
            type: "button",
            className: "button button--secondary attempt-files__remove",
            text: F.remove,
            "aria-label": fmt(F.removeLabel, { name }),
            disabled: locked,
            onclick: () => remove(id),
          }),
        );
      }),
      ...pending.map((item) => item.node),
    );
    empty.hidden = files.length + pending.length > 0;
    const used = files.length + pending.length;
    help.textContent = `${fmt(F.count, { count: used, max })}${used >= max ? ` ${F.full}` : ""}${
      state.offlineSince !== null ? ` ${F.offline}` : ""
    }`;
    input.disabled = locked || used >= max;
    if (box.recorder) {
      box.recorder.button.disabled = locked || (used >= max && box.recorder.button.getAttribute("aria-pressed") !== "true");
      if (locked) box.recorder.stop();
    }
  }

  input.addEventListener("change", () => {
    const chosen = [...input.files];
    input.value = "";
    for (const file of chosen) {
      if (files.length + pending.length >= max) {
        box.say(F.full);
        break;
      }
      addUpload(box, { name: file.name, type: file.type, blob: file }, change);
    }
  });
  const recorder = recorderControls(box, change);
  if (recorder) input.parentNode.after(recorder.node);
  box.recorder = recorder;
  fileBoxes.set(slot.slot, box);
  draw();
  return box;
}

// "Record" for a question that takes audio, where the browser can record (MediaRecorder): the
// recording becomes a WebM audio file, kept and uploaded like a chosen file.
function recorderControls(box, change) {
  const accept = (box.node.querySelector("input[type=file]").getAttribute("accept") || "").split(",");
  if (!accept.includes("audio/webm")) return null;
  if (!globalThis.MediaRecorder || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return null;
  if (MediaRecorder.isTypeSupported && !MediaRecorder.isTypeSupported("audio/webm")) return null;
  const button = h("button", { type: "button", className: "button button--secondary attempt-record", text: F.record });
  const time = h("span", { className: "attempt-record__time", role: "timer", hidden: true });
  let recorder = null;
  let clockTimer = null;
  let started = 0;
  const stop = () => {
    if (recorder && recorder.state !== "inactive") recorder.stop();
  };
  button.addEventListener("click", async () => {
    if (recorder) {
      stop();
      return;
    }
    if (box.files.length + box.pending.length >= box.max) {
      box.say(F.full);
      return;
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      box.say(fmt(F.microphoneRefused, { message: error.message || error.name || error }));
      return;
    }
    const chunks = [];
    recorder = new MediaRecorder(stream, { mimeType: "audio/webm" });
    recorder.addEventListener("dataavailable", (event) => {
      if (event.data && event.data.size) chunks.push(event.data);
    });
    recorder.addEventListener("stop", () => {
      stream.getTracks().forEach((track) => track.stop());
      clearInterval(clockTimer);
      recorder = null;
      time.hidden = true;
      button.textContent = F.record;
      button.removeAttribute("aria-pressed");
      if (!chunks.length) return;
      const stamp = new Date(serverNow()).toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
      const blob = new Blob(chunks, { type: "audio/webm" });
      addUpload(box, { name: fmt(F.recordingName, { time: stamp }), type: "audio/webm", blob }, change);
      button.focus();
    });
    recorder.start(1000);
    started = performance.now();
    button.textContent = F.stopRecording;
    button.setAttribute("aria-pressed", "true");
    time.hidden = false;
    const show = () => {
      time.textContent = fmt(F.recording, { time: formatLeft(performance.now() - started) });
    };
    show();
    clockTimer = setInterval(show, 1000);
  });
  return { node: h("div", { className: "attempt-record" }, button, " ", time), stop, button };
}

function pendingNode(item) {
  const progress = h("progress", { max: "100", value: "0", "aria-label": fmt(F.uploading, { name: item.name }) });
  const text = h("span", { text: fmt(F.uploading, { name: item.name }) });
  item.progress = progress;
  item.text = text;
  item.node = h("li", { className: "attempt-files__item attempt-files__item--pending" }, text, " ", progress);
  return item;
}

function showWaiting(item) {
  item.state = "waiting";
  item.text.textContent = fmt(item.key === undefined ? F.waitingNoStorage : F.waiting, { name: item.name });
  item.progress.hidden = true;
}

// A newly chosen file: kept in IndexedDB first (so a dropped network or a reload keeps it), then
// uploaded.
async function addUpload(box, file, change) {
  const item = pendingNode({ name: file.name || "file", type: file.type || "", blob: file.blob, state: "waiting" });
  item.change = change;
  box.pending.push(item);
  box.draw();
  try {
    item.key = await store.putUpload({
      attempt: state.attempt,
      slot: box.slot,
      name: item.name,
      type: item.type,
      blob: item.blob,
      added_at: new Date(serverNow()).toISOString(),
    });
  } catch {
    item.key = undefined;
  }
  updateStatus();
  uploadAll();
}

function dropPending(box, item) {
  const index = box.pending.indexOf(item);
  if (index >= 0) box.pending.splice(index, 1);
  store.forgetUpload(item.key).catch(() => {});
  box.draw();
}

const pendingUploads = () => [...fileBoxes.values()].reduce((n, box) => n + box.pending.length, 0);

let uploading = false;

// Upload the waiting files one at a time (like the answers: one request in flight).
async function uploadAll() {
  if (uploading || state.attempt === null || state.finished) return;
  uploading = true;
  try {
    for (const box of fileBoxes.values()) {
      for (const item of [...box.pending]) {
        if (item.state !== "waiting") continue;
        if (state.finished) return;
        const goOn = await uploadOne(box, item);
        if (!goOn) return;
      }
    }
  } finally {
    uploading = false;
    updateStatus();
  }
}

function uploadOne(box, item) {
  item.state = "sending";
  item.text.textContent = fmt(F.uploading, { name: item.name });
  item.progress.hidden = false;
  item.progress.value = 0;
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${config.attemptUrl}${state.attempt}/slots/${box.slot}/files`);
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) item.progress.value = Math.round((event.loaded / event.total) * 100);
    });
    xhr.addEventListener("load", () => {
      let data = {};
      try {
        data = JSON.parse(xhr.responseText || "{}") || {};
      } catch {
        data = {};
      }
      const result = { status: xhr.status, data };
      backOnline();
      if (xhr.status === 201 && Number.isInteger(data.id)) {
        box.known.set(data.id, data);
        dropPending(box, item);
        box.setFiles([...box.files, data.id]);
        box.say(fmt(F.uploaded, { name: data.name || item.name }));
        item.change(false);
        resolve(true);
      } else if (xhr.status === 409 && data.code === "attempt_finished") {
        dropPending(box, item);
        endedByServer(errorMessage(result));
        resolve(false);
      } else if ([400, 404, 409, 413, 422].includes(xhr.status)) {
        // Never accepted (a kind the question does not take, too large…): say why, drop it.
        dropPending(box, item);
        const why = xhr.status === 413 ? `HTTP 413` : errorMessage(result);
        box.say(fmt(F.refused, { name: item.name, message: why }));
        resolve(true);
      } else {
        showWaiting(item);
        state.problem = xhr.status === 401 || xhr.status === 403
          ? fmt(S.session_problem, { message: errorMessage(result) })
          : S.server_problem;
        resolve(false);
      }
    });
    const offline = () => {
      showWaiting(item);
      wentOffline();
      box.draw();
      resolve(false);
    };
    xhr.addEventListener("error", offline);
    xhr.addEventListener("abort", offline);
    const form = new FormData();
    form.append("file", item.blob, item.name);
    xhr.send(form);
  });
}

// Files chosen before a reload (or before the network dropped) that never reached the server.
async function resumeUploads(attempt) {
  let rows = [];
  try {
    rows = await store.uploads(attempt);
  } catch {
    rows = [];
  }
  for (const row of rows) {
    const box = fileBoxes.get(row.slot);
    const slotState = state.slots.get(row.slot);
    if (!box || !slotState) continue;
    const item = pendingNode({ key: row.key, name: row.name, type: row.type, blob: row.blob, state: "waiting" });
    item.change = (debounced) => onChange(slotState, debounced);
    showWaiting(item);
    box.pending.push(item);
    box.draw();
  }
}

function fileWidget(slot, change) {
  const max = Number(slot.max_files) || 1;
  const box = fileBox(slot, change, max, F.choose);
  return {
    node: box.node,
    read: () => (box.files.length ? { files: box.files } : null),
    write(response) {
      box.setFiles(response && Array.isArray(response.files) ? response.files : []);
    },
  };
}

function essayWidget(slot, change) {
  const id = `q${slot.slot}-essay`;
  const area = h("textarea", {
    id,
    rows: 12,
    "aria-describedby": `q${slot.slot}-text`,
    oninput: () => change(true),
    onchange: () => change(false),
  });
  const box = Number(slot.attachments) > 0 ? fileBox(slot, change, Number(slot.attachments), F.attach) : null;
  // Without the attachments box, files the server holds are kept as they are.
  let files = [];
  const node = h(
    "div",
    { className: "attempt-field attempt-essay" },
    h("label", { for: id, text: S.your_answer }),
    area,
    box ? box.node : null,
  );
  const current = () => (box ? box.files : [...files]);
  return {
    node,
    read: () => (area.value === "" && current().length === 0 ? null : { text: area.value, files: current() }),
    write(response) {
      area.value = response && typeof response.text === "string" ? response.text : "";
      files = response && Array.isArray(response.files) ? [...response.files] : [];
      if (box) box.setFiles(files);
    },
  };
}

function noteWidget(message) {
  return {
    node: h("p", { className: "notice notice--warn", text: message }),
    read: () => undefined,
    write() {},
    readOnly: true,
  };
}

function widgetFor(slot, change) {
  switch (slot.qtype) {
    case "single":
      return choiceWidget(slot, change, false);
    case "multiple":
      return choiceWidget(slot, change, true);
    case "truefalse":
      return trueFalseWidget(slot, change);
    case "short":
      return textWidget(slot, change, false);
    case "numerical":
      return textWidget(slot, change, true);
    case "matching":
      return matchingWidget(slot, change);
    case "ordering":
      return orderingWidget(slot, change);
    case "cloze":
      return clozeWidget(slot, change);
    case "essay":
      return essayWidget(slot, change);
    case "file":
      return fileWidget(slot, change);
    case "description":
      return { node: null, read: () => undefined, write() {}, readOnly: true };
    default:
      return noteWidget(S.unsupported);
  }
}

// --- rendering ----------------------------------------------------------------------------

function visibleSlots(doc) {
  const slots = doc.slots || [];
  if (doc.test && doc.test.navigation === "sequential" && doc.current_slot != null) {
    return slots.filter((slot) => slot.slot === doc.current_slot);
  }
  return slots;
}

function renderSlot(slot, number, total) {
  const slotState = {
    slot: slot.slot,
    qtype: slot.qtype,
    seq: Number(slot.seq) || 0, // our counter: the next change sends seq + 1
    serverSeq: Number(slot.seq) || 0,
    lastResponse: slot.response ?? null,
    pending: null, // the newest answer not yet acknowledged: {attempt, slot, seq, response}
    inflight: false,
    timer: null,
    dirty: false,
    changedOrder: 0,
    widget: null,
    section: null,
    error: null,
  };
  const change = (debounced) => onChange(slotState, debounced);
  const widget = widgetFor(slot, change);
  slotState.widget = widget;
  if (!widget.readOnly) widget.write(slotState.lastResponse);

  const info = slot.qtype === "description";
  const heading = h(
    "h2",
    { id: `q${slot.slot}-title`, className: "attempt-q__title", tabindex: "-1" },
    document.createTextNode(info ? S.information : fmt(S.question, { number })),
    !info && total > 1
      ? h("span", { className: "visually-hidden", text: ` (${fmt(S.of_total, { number, total })})` })
      : null,
    !info && slot.mark != null
      ? h("span", { className: "attempt-q__mark small muted", text: ` · ${fmt(S.points, { mark: slot.mark })}` })
      : null,
  );
  const section = h("section", {
    className: "attempt-q",
    id: `q-${slot.slot}`,
    "aria-labelledby": `q${slot.slot}-title`,
  });
  section.append(heading);
  if (!widget.ownsText) {
    section.append(h("div", { className: "prose attempt-q__text", id: `q${slot.slot}-text`, html: slot.text_html }));
  }
  if (widget.node) section.append(widget.node);
  slotState.errorNode = h("p", { className: "notice notice--error attempt-q__error", role: "alert", hidden: true });
  section.append(slotState.errorNode);
  slotState.section = section;
  return slotState;
}

function render(doc) {
  const shown = visibleSlots(doc);
  // Questions are numbered 1, 2, … in the attempt's order; a description is not a question.
  const numbers = new Map();
  for (const slot of doc.slots || []) {
    if (slot.qtype !== "description") numbers.set(slot.slot, numbers.size + 1);
  }
  const total = doc.slot_count ?? numbers.size;
  const sequential = doc.test && doc.test.navigation === "sequential";
  const previous = state.slots;
  const previousBoxes = new Map(fileBoxes);
  fileBoxes.clear();
  state.slots = new Map();
  el.questions.replaceChildren();
  el.navList.replaceChildren();
  shown.forEach((slot) => {
    const number = numbers.get(slot.slot) ?? slot.slot;
    const old = previous.get(slot.slot);
    const slotState = renderSlot(slot, number, sequential ? 0 : total);
    if (old) {
      // Re-rendering (the next question of a sequential test) keeps what was not yet sent.
      slotState.seq = Math.max(slotState.seq, old.seq);
      if (old.pending) {
        slotState.pending = old.pending;
        slotState.changedOrder = old.changedOrder;
        slotState.lastResponse = old.pending.response;
        slotState.widget.write(old.pending.response);
      }
      // Files still waiting for the network stay with their question.
      const oldBox = previousBoxes.get(slot.slot);
      const newBox = fileBoxes.get(slot.slot);
      if (oldBox && newBox && oldBox.pending.length) {
        for (const item of oldBox.pending) {
          item.change = (debounced) => onChange(slotState, debounced);
          newBox.pending.push(item);
        }
        for (const [id, file] of oldBox.known) if (!newBox.known.has(id)) newBox.known.set(id, file);
        newBox.draw();
      }
    }
    state.slots.set(slot.slot, slotState);
    el.questions.append(slotState.section);
    if (!sequential && total > 1 && numbers.has(slot.slot)) {
      const link = h("a", { href: `#q-${slot.slot}`, text: String(number) });
      link.addEventListener("click", (event) => {
        event.preventDefault();
        slotState.section.scrollIntoView({ block: "start" });
        slotState.section.querySelector("h2").focus();
      });
      slotState.navItem = h("li", {}, link);
      el.navList.append(slotState.navItem);
    }
  });
  el.nav.hidden = sequential || total <= 1;
  el.next.hidden = !sequential || (doc.slot_count != null && doc.current_slot >= doc.slot_count);
  el.next.textContent = S.next;
  if (sequential && !$("attempt-next-hint")) {
    el.next.before(h("p", { id: "attempt-next-hint", className: "hint", text: S.next_warning }));
    el.next.setAttribute("aria-describedby", "attempt-next-hint");
  }
  const hint = $("attempt-next-hint");
  if (hint) hint.hidden = el.next.hidden;
  el.finish.textContent = S.finish;
  el.confirmYes.textContent = S.finish_yes;
  el.confirmNo.textContent = S.cancel;
  updateNav();
}

function updateNav() {
  for (const slotState of state.slots.values()) {
    if (!slotState.navItem) continue;
    const answered = slotState.lastResponse !== null && slotState.lastResponse !== undefined;
    slotState.navItem.classList.toggle("is-answered", answered);
    const link = slotState.navItem.querySelector("a");
    link.setAttribute("aria-label", answered ? `${link.textContent} (${S.answered})` : link.textContent);
  }
}

// --- saving -------------------------------------------------------------------------------

function onChange(slotState, debounced) {
  if (state.finished || state.wantFinish) return;
  clearTimeout(slotState.timer);
  slotState.timer = null;
  if (debounced) {
    slotState.dirty = true;
    slotState.timer = setTimeout(() => commit(slotState), config.debounceMs);
    updateStatus();
  } else {
    commit(slotState);
  }
}

// Take the widget's answer: a new seq, into IndexedDB, then to the server.
function commit(slotState) {
  clearTimeout(slotState.timer);
  slotState.timer = null;
  slotState.dirty = false;
  const response = slotState.widget.read();
  if (response === undefined || same(response, slotState.lastResponse)) {
    updateStatus();
    return Promise.resolve();
  }
  slotState.lastResponse = response;
  slotState.seq += 1;
  const record = {
    attempt: state.attempt,
    slot: slotState.slot,
    seq: slotState.seq,
    response,
    changed_at: new Date(serverNow()).toISOString(),
  };
  slotState.pending = record;
  slotState.changedOrder = ++state.changes;
  updateNav();
  updateStatus();
  return store
    .put(record)
    .catch(() => {
      storageProblem();
    })
    .then(() => pump());
}

function commitAll() {
  return Promise.all([...state.slots.values()].filter((s) => s.dirty).map((s) => commit(s)));
}

function storageProblem() {
  if (!state.storageOk) return;
  state.storageOk = false;
  el.app.insertBefore(h("p", { className: "notice notice--warn", text: S.no_storage }), el.questions);
}

const unsent = () =>
  [...state.slots.values()].some((s) => s.pending || s.dirty || s.inflight) || pendingUploads() > 0;

// One save at a time, the oldest change first: a student changes one answer at a time, and one
// request in flight per student keeps a cohort's storm gentle on the server.
function pump() {
  if (state.attempt === null || state.finished || state.sending) return;
  let next = null;
  for (const slotState of state.slots.values()) {
    if (slotState.pending && (next === null || slotState.changedOrder < next.changedOrder)) {
      next = slotState;
    }
  }
  if (next !== null) send(next);
  else updateStatus();
}

async function send(slotState) {
  const record = slotState.pending;
  state.sending = true;
  slotState.inflight = true;
  updateStatus();
  const result = await api("PUT", `${config.attemptUrl}${state.attempt}/answers/${slotState.slot}`, {
    response: record.response,
    seq: record.seq,
  });
  let goOn = false;
  if (result.network) {
    wentOffline();
  } else {
    backOnline();
    const data = result.data || {};
    if (result.status === 200 && typeof data.seq === "number") {
      state.problem = null;
      syncClock(data.server_time, result.sentAt, result.answeredAt);
      setDeadline(data.deadline);
      const stored = data.seq;
      slotState.serverSeq = Math.max(slotState.serverSeq, stored);
      // Another device went further: our next change must count past it.
      if (stored > slotState.seq) slotState.seq = stored;
      if (slotState.pending && slotState.pending.seq <= stored) slotState.pending = null;
      showSlotError(slotState, null);
      try {
        await store.forgetUpTo(state.attempt, slotState.slot, stored);
      } catch {
        storageProblem();
      }
      goOn = true;
    } else if (result.status === 409 && data.code === "attempt_finished") {
      endedByServer(errorMessage(result));
    } else if ([400, 404, 409, 422].includes(result.status)) {
      // The server will never take this answer (a wrong shape, a question a sequential test
      // has passed): keeping it would retry for ever.
      if (slotState.pending === record) slotState.pending = null;
      await store.forgetUpTo(state.attempt, slotState.slot, record.seq).catch(() => {});
      showSlotError(slotState, fmt(S.not_saved, { message: errorMessage(result) }));
      goOn = true;
    } else if (result.status === 401 || result.status === 403) {
      state.problem = fmt(S.session_problem, { message: errorMessage(result) });
    } else {
      state.problem = S.server_problem;
    }
  }
  slotState.inflight = false;
  state.sending = false;
  updateStatus();
  // After a failure the retry loop (or the browser's "online" event) picks the queue up again.
  if (goOn) {
    pump();
    afterSaved();
  }
}

function afterSaved() {
  updateStatus();
  if (state.wantFinish) tryFinish();
}

function showSlotError(slotState, message) {
  if (!slotState.errorNode) return;
  slotState.errorNode.hidden = !message;
  slotState.errorNode.textContent = message || "";
}

function wentOffline() {
  if (state.offlineSince === null) {
    state.offlineSince = performance.now();
    for (const box of fileBoxes.values()) box.draw(); // "files need the network"
  }
}

function backOnline() {
  if (state.offlineSince === null) return;
  state.offlineSince = null;
  for (const box of fileBoxes.values()) box.draw();
}

let lastStatus = null;

function updateStatus() {
  let text;
  let kind;
  if (state.attempt === null) return;
  if (state.offlineSince !== null) {
    text = S.offline;
    kind = "offline";
  } else if (state.problem && unsent()) {
    text = state.problem;
    kind = "problem";
  } else if (unsent()) {
    text = S.saving;
    kind = "saving";
  } else {
    text = S.saved;
    kind = "saved";
  }
  if (text !== lastStatus) {
    el.status.textContent = text;
    el.status.dataset.state = kind;
    lastStatus = text;
  }
  updateDownload();
}

function updateDownload() {
  if (state.attempt === null) return;
  const offlineLong =
    state.offlineSince !== null && performance.now() - state.offlineSince >= config.offlineDownloadAfterMs;
  const lateWithUnsent =
    unsent() && (state.finished || (clock.deadlineMs !== null && serverNow() >= clock.deadlineMs));
  const show = offlineLong || lateWithUnsent;
  if (show === !el.offline.hidden) return;
  el.offline.hidden = !show;
  el.offlineHelp.textContent = S.download_help;
  el.download.textContent = S.download;
}

// --- the timer ----------------------------------------------------------------------------

function formatLeft(ms) {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  const hh = Math.floor(seconds / 3600);
  const mm = Math.floor((seconds % 3600) / 60);
  const ss = seconds % 60;
  const two = (n) => String(n).padStart(2, "0");
  return hh > 0 ? `${hh}:${two(mm)}:${two(ss)}` : `${two(mm)}:${two(ss)}`;
}

function tick() {
  if (state.attempt === null) return;
  if (clock.deadlineMs === null) {
    el.timerBox.hidden = true;
  } else {
    el.timerBox.hidden = false;
    const left = clock.deadlineMs - serverNow();
    el.timer.textContent = formatLeft(left);
    el.timer.dataset.secondsLeft = String(Math.max(0, Math.ceil(left / 1000)));
    for (const minutes of [5, 1]) {
      if (left <= minutes * 60_000 && left > (minutes * 60_000 - 5_000) && !state.announced.has(minutes)) {
        state.announced.add(minutes);
        el.alert.textContent = fmt(S.minutes_left, { minutes });
      }
    }
    if (left <= 0 && !state.finished && !state.byTime) timeUp();
  }
  updateDownload();
}

function timeUp() {
  state.byTime = true;
  el.alert.textContent = S.time_up;
  // What was typed before the deadline still goes out (the server allows a short grace).
  commitAll().then(() => {
    state.wantFinish = true;
    lockInputs();
    tryFinish();
  });
}

// --- finishing ----------------------------------------------------------------------------

function lockInputs(locked = true) {
  el.questions.querySelectorAll("input, select, textarea, button").forEach((node) => {
    node.disabled = locked;
  });
  el.end.querySelectorAll("button").forEach((node) => {
    node.disabled = locked;
  });
}

async function tryFinish() {
  if (state.finished || state.submitting) return;
  if (unsent()) {
    pump();
    uploadAll();
    if (state.offlineSince !== null) showResult(S.finish_offline, "warn", false);
    return;
  }
  state.submitting = true;
  showResult(S.finishing, "", false);
  const result = await api("POST", `${config.attemptUrl}${state.attempt}/submit`, {});
  state.submitting = false;
  if (result.network) {
    wentOffline();
    showResult(S.finish_offline, "warn", false);
    updateStatus();
    return;
  }
  backOnline();
  if (result.ok || (result.status === 409 && result.data && result.data.code === "attempt_finished")) {
    finished(result.ok ? result.data : null, null);
  } else {
    state.problem = errorMessage(result);
    showResult(fmt(S.error, { message: errorMessage(result) }), "error", true);
    // Let the student try again by hand unless time is up (then the retry loop goes on).
    if (!state.byTime) {
      state.wantFinish = false;
      lockInputs(false);
    }
  }
  updateStatus();
}

function finished(data, reason) {
  state.finished = true;
  state.wantFinish = false;
  lockInputs();
  el.end.hidden = true;
  el.app.dataset.state = "finished";
  const lines = [reason || (state.byTime ? S.finished_by_time : S.finished)];
  const box = h("div", {}, ...lines.map((line) => h("p", { text: line })));
  if (data && data.review_url) box.append(h("p", {}, h("a", { href: data.review_url, text: S.review })));
  el.result.replaceChildren(box);
  el.result.className = "notice notice--ok";
  el.result.hidden = false;
  el.result.focus();
  if (!unsent()) remember(null);
  updateStatus();
}

function endedByServer(message) {
  // A save or the submit was refused because the attempt is over: stop, say why.
  clearTimeout(retryTimer);
  for (const slotState of state.slots.values()) clearTimeout(slotState.timer);
  finished(null, message);
}

function showResult(text, kind, focus) {
  el.result.replaceChildren(h("p", { text }));
  el.result.className = kind ? `notice notice--${kind}` : "notice";
  el.result.hidden = false;
  if (focus) el.result.focus();
}

// --- the offline answers file -------------------------------------------------------------

const toBase64 = (bytes) => {
  let binary = "";
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary);
};

const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function offlineFile() {
  // Every answer this page knows, newest first-hand: the server applies each through the same
  // save rules, so one it already holds (same or lower seq) changes nothing.
  const answers = [];
  for (const slotState of state.slots.values()) {
    if (slotState.widget.readOnly || slotState.seq === 0) continue;
    answers.push({
      slot: slotState.slot,
      seq: slotState.seq,
      response: slotState.pending ? slotState.pending.response : slotState.lastResponse,
    });
  }
  const created = new Date(serverNow()).toISOString();
  const plain = new TextEncoder().encode(JSON.stringify({ attempt: state.attempt, created, answers }));
  const key = await crypto.subtle.importKey(
    "raw",
    fromBase64(state.doc.offline_key),
    { name: "AES-GCM" },
    false,
    ["encrypt"],
  );
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, plain);
  return { attempt: state.attempt, created, ciphertext: toBase64(ciphertext), iv: toBase64(iv) };
}

async function download() {
  try {
    if (!state.finished) await commitAll();
    const file = await offlineFile();
    const blob = new Blob([JSON.stringify(file)], { type: "application/json" });
    const link = h("a", {
      href: URL.createObjectURL(blob),
      download: `attempt-${state.attempt}-answers.json`,
    });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  } catch (error) {
    showResult(fmt(S.error, { message: error.message || error }), "error", true);
  }
}

// --- start, resume, next ------------------------------------------------------------------

async function begin(doc) {
  state.doc = doc;
  state.attempt = doc.id;
  remember(doc.id, doc.offline_key);
  if (doc.test && doc.test.title) {
    el.title.textContent = doc.test.title;
    document.title = `${doc.test.title} · ${document.title.split(" · ").pop()}`;
  }
  setDeadline(doc.deadline ?? null);
  el.startForm.hidden = true;
  el.bar.hidden = false;
  el.end.hidden = false;
  el.app.dataset.state = "running";
  render(doc);
  // Answers typed here before a reload (or before the network dropped) that the server has not
  // acknowledged: show them again and send them.
  let queued = [];
  try {
    queued = await store.all(doc.id);
  } catch {
    storageProblem();
  }
  for (const record of queued) {
    const slotState = state.slots.get(record.slot);
    if (!slotState) continue;
    if (record.seq > slotState.serverSeq) {
      slotState.widget.write(record.response);
      slotState.lastResponse = record.response;
      slotState.seq = Math.max(slotState.seq, record.seq);
      slotState.pending = record;
      slotState.changedOrder = ++state.changes;
    } else {
      store.forgetUpTo(doc.id, record.slot, slotState.serverSeq).catch(() => {});
    }
  }
  if (doc.state && doc.state !== "in_progress") {
    finished(null, null);
    return;
  }
  await resumeUploads(doc.id);
  answerShownOrders();
  updateNav();
  const first = el.questions.querySelector("h2");
  if (first) first.focus();
  tick();
  pump();
  uploadAll();
}

// The order an ordering question shows is an answer from the start (as in Moodle).
function answerShownOrders() {
  for (const slotState of state.slots.values()) {
    if (slotState.widget.initiallyAnswered && slotState.lastResponse === null) commit(slotState);
  }
}

async function start(event) {
  if (event) event.preventDefault();
  el.startButton.disabled = true;
  el.startError.hidden = true;
  const body = {};
  if (!el.passwordBox.hidden && el.password.value) body.password = el.password.value;
  const result = await api("POST", config.startUrl, body);
  el.startButton.disabled = false;
  if (result.network) {
    startError(S.offline);
    return;
  }
  if ((result.status === 200 || result.status === 201) && result.data && result.data.id) {
    syncClock(result.data.server_time, result.sentAt, result.answeredAt);
    begin(result.data);
    return;
  }
  if (result.data && result.data.code === "wrong_password") {
    el.passwordBox.hidden = false;
    startError(errorMessage(result));
    el.password.focus();
    return;
  }
  startError(errorMessage(result));
}

function startError(message) {
  el.startError.textContent = message;
  el.startError.hidden = false;
}

async function resume({ id: attemptId, key: offlineKey }) {
  el.startButton.textContent = S.resume;
  const result = await api("GET", `${config.attemptUrl}${attemptId}`);
  if (result.status === 200 && result.data && result.data.id === attemptId && result.data.state === "in_progress") {
    syncClock(result.data.server_time, result.sentAt, result.answeredAt);
    begin(result.data);
    return true;
  }
  if (!result.network) {
    // Finished or gone: if this device still holds answers the server never got, offer them.
    let queued = [];
    try {
      queued = await store.all(attemptId);
    } catch {
      queued = [];
    }
    if (result.status === 200 && result.data && queued.length) {
      state.doc = { offline_key: offlineKey, ...result.data };
      state.attempt = attemptId;
      for (const record of queued) {
        state.slots.set(record.slot, {
          slot: record.slot,
          seq: record.seq,
          pending: record,
          lastResponse: record.response,
          widget: { readOnly: false },
        });
      }
      state.finished = true;
      el.bar.hidden = false;
      updateStatus();
      return false;
    }
    remember(null);
    el.startButton.textContent = S.start;
  }
  return false;
}

// Wait (a few seconds at most, and not while offline) until every answer is acknowledged.
async function drained(limitMs = 10_000) {
  const until = performance.now() + limitMs;
  pump();
  while (unsent() && state.offlineSince === null && performance.now() < until) {
    await new Promise((resolve) => {
      setTimeout(resolve, 100);
    });
  }
  return !unsent();
}

async function next() {
  // The server takes no answer to a passed question: the current one must be saved first.
  await commitAll();
  if (!(await drained())) {
    showResult(S.next_unsaved, "warn", true);
    return;
  }
  el.result.hidden = true;
  el.next.disabled = true;
  const result = await api("POST", `${config.attemptUrl}${state.attempt}/next`, {});
  el.next.disabled = false;
  if (result.network) {
    wentOffline();
    updateStatus();
    return;
  }
  if (result.ok && result.data && result.data.slots) {
    syncClock(result.data.server_time, result.sentAt, result.answeredAt);
    setDeadline(result.data.deadline ?? null);
    state.doc = result.data;
    render(result.data);
    answerShownOrders();
    const heading = el.questions.querySelector("h2");
    if (heading) heading.focus();
  } else if (result.status === 409 && result.data && result.data.code === "attempt_finished") {
    endedByServer(errorMessage(result));
  } else {
    showResult(fmt(S.error, { message: errorMessage(result) }), "error", true);
  }
}

function askFinish() {
  const unanswered = [...state.slots.values()].filter(
    (s) => !s.widget.readOnly && (s.lastResponse === null || s.lastResponse === undefined),
  ).length;
  el.confirmText.textContent = unanswered
    ? `${S.finish_confirm} ${fmt(S.unanswered, { count: unanswered })}`
    : S.finish_confirm;
  el.confirm.hidden = false;
  el.finish.hidden = true;
  el.confirmYes.focus();
}

// --- wiring -------------------------------------------------------------------------------

let retryTimer = null;

function retryLoop() {
  retryTimer = setTimeout(() => {
    if (state.attempt !== null) {
      if (unsent()) {
        pump();
        uploadAll();
      }
      else if (state.offlineSince !== null && navigator.onLine) backOnline();
      if (state.wantFinish) tryFinish();
      updateStatus();
    }
    retryLoop();
  }, config.retryEveryMs);
}

async function main() {
  el.startForm.addEventListener("submit", start);
  el.download.addEventListener("click", download);
  el.finish.addEventListener("click", askFinish);
  el.confirmNo.addEventListener("click", () => {
    el.confirm.hidden = true;
    el.finish.hidden = false;
    el.finish.focus();
  });
  el.confirmYes.addEventListener("click", async () => {
    el.confirm.hidden = true;
    el.finish.hidden = false;
    await commitAll();
    state.wantFinish = true;
    lockInputs();
    tryFinish();
  });
  el.next.addEventListener("click", next);
  window.addEventListener("online", () => {
    backOnline();
    pump();
    uploadAll();
    if (state.wantFinish) tryFinish();
    updateStatus();
  });
  window.addEventListener("offline", () => {
    wentOffline();
    updateStatus();
  });
  // Leaving or hiding the page: what is still waiting for its pause goes to IndexedDB now.
  window.addEventListener("pagehide", () => {
    commitAll();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") commitAll();
  });
  setInterval(tick, 500);
  retryLoop();

  state.storageOk = await store.open();
  if (!state.storageOk) storageProblem();
  const known = remembered();
  if (known === null || !(await resume(known))) el.startButton.disabled = false;
}

main();
