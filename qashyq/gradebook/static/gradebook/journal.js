// The e-journal grid as a spreadsheet: arrow keys move between mark cells, typing starts
// editing (the cell's text is replaced), Enter / Tab save and move on (Shift goes back), Esc
// puts the old value back. Each changed cell is saved on its own through
// PATCH /api/v1/courses/{id}/journal/{student_id} (the session and the CSRF token), and the
// computed columns are filled in from the answer. A refused value shows the server's message
// next to the cell and the cell keeps its old value. Without this script every row is a plain
// form with a "Save" button, so nothing depends on it.

const grid = document.getElementById("journal-grid");
const statusLine = document.getElementById("journal-status");

function csrfToken() {
  const part = document.cookie.split("; ").find((p) => p.startsWith("csrftoken="));
  if (part) return decodeURIComponent(part.slice("csrftoken=".length));
  const field = document.querySelector("input[name=csrfmiddlewaretoken]");
  return field ? field.value : "";
}

function format(value) {
  if (value === null || value === undefined) return "";
  return String(Number(Number(value).toFixed(2)));
}

function position(input) {
  const row = input.closest("tr");
  const rows = Array.from(grid.tBodies[0].rows);
  const cells = Array.from(row.querySelectorAll("td.cell input"));
  return { r: rows.indexOf(row), c: cells.indexOf(input), rows };
}

function inputAt(rows, r, c) {
  const row = rows[r];
  if (!row) return null;
  return row.querySelectorAll("td.cell input")[c] || null;
}

function focusCell(input) {
  if (!input) return;
  input.focus();
  input.select();
}

function neighbour(input, dr, dc) {
  const { r, c, rows } = position(input);
  const width = rows[r].querySelectorAll("td.cell input").length;
  let nr = r + dr;
  let nc = c + dc;
  if (nc >= width) {
    nc = 0;
    nr += 1;
  } else if (nc < 0) {
    nc = width - 1;
    nr -= 1;
  }
  return inputAt(rows, nr, nc);
}

function showError(input, message) {
  const box = input.parentElement.querySelector(".cell-error");
  input.setAttribute("aria-invalid", "true");
  box.textContent = message;
  box.hidden = false;
}

function clearError(input) {
  const box = input.parentElement.querySelector(".cell-error");
  input.removeAttribute("aria-invalid");
  box.textContent = "";
  box.hidden = true;
}

function setSource(cell, source) {
  const abbr = cell.querySelector("abbr.src");
  if (!abbr) return;
  const code = source ? source.source : "";
  const legend = document.querySelector(`.journal-legend abbr[data-code="${code}"]`);
  abbr.dataset.source = code;
  abbr.className = code ? `src src--${code}` : "src";
  abbr.textContent = legend ? legend.textContent : "";
  const label = legend ? legend.title : code;
  abbr.title = code && source.source_ref ? `${label}: ${source.source_ref}` : label;
}

function applyRow(tr, data) {
  for (const cell of tr.querySelectorAll("td.cell")) {
    const column = cell.dataset.column;
    const input = cell.querySelector("input");
    const text = format(data[column]);
    if (document.activeElement !== input || !input.dataset.editing) input.value = text;
    input.dataset.original = text;
    setSource(cell, data.sources ? data.sources[column] : null);
  }
  for (const cell of tr.querySelectorAll("td[data-computed]")) {
    const key = cell.dataset.computed;
    const value = key === "letter" ? data.letter || "" : format(data[key]);
    cell.querySelector("output").value = value;
  }
}

// Saves of one row go one after another, so the last answer is the row as it stands.
const queues = new Map();

function save(input) {
  const value = input.value.trim();
  const original = input.dataset.original || "";
  if (value === original) return;
  const tr = input.closest("tr");
  const column = input.closest("td").dataset.column;
  const body = {};
  body[column] = value === "" ? null : value.replace(",", ".");
  // Taken as the cell's value at once, so leaving the cell does not send it twice; put back
  // when the server refuses it.
  input.dataset.original = value;
  const run = async () => {
    let response;
    try {
      response = await fetch(`${grid.dataset.api}${tr.dataset.student}`, {
        method: "PATCH",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrfToken(),
        },
        body: JSON.stringify(body),
      });
    } catch {
      input.value = original;
      input.dataset.original = original;
      showError(input, grid.dataset.msgNetwork);
      return;
    }
    let data = {};
    try {
      data = await response.json();
    } catch {
      data = {};
    }
    if (response.ok) {
      clearError(input);
      applyRow(tr, data);
      statusLine.textContent = grid.dataset.msgSaved;
      return;
    }
    // The old value stays; the server's message (in the page's language) says why.
    if (input.value.trim() === value) input.value = original;
    input.dataset.original = original;
    const message = response.status === 422 ? grid.dataset.msgNan : data.message;
    showError(input, message || grid.dataset.msgError);
    statusLine.textContent = grid.dataset.msgError;
  };
  const previous = queues.get(tr) || Promise.resolve();
  const next = previous.then(run);
  queues.set(tr, next);
  return next;
}

function onKeyDown(event) {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.closest("td.cell")) return;
  const editing = Boolean(input.dataset.editing);
  let target = null;
  switch (event.key) {
    case "ArrowUp":
      target = neighbour(input, -1, 0);
      break;
    case "ArrowDown":
      target = neighbour(input, 1, 0);
      break;
    case "ArrowLeft":
      if (editing) return;
      target = neighbour(input, 0, -1);
      break;
    case "ArrowRight":
      if (editing) return;
      target = neighbour(input, 0, 1);
      break;
    case "Enter":
      target = neighbour(input, event.shiftKey ? -1 : 1, 0) || input;
      break;
    case "Tab":
      target = neighbour(input, 0, event.shiftKey ? -1 : 1);
      if (!target) return; // leave the grid the usual way
      break;
    case "Escape":
      event.preventDefault();
      input.value = input.dataset.original || "";
      delete input.dataset.editing;
      clearError(input);
      input.select();
      return;
    case "F2":
      event.preventDefault();
      input.dataset.editing = "1";
      input.setSelectionRange(input.value.length, input.value.length);
      return;
    default:
      if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
        input.dataset.editing = "1"; // typing replaces the selected text
      }
      return;
  }
  event.preventDefault();
  delete input.dataset.editing;
  save(input);
  if (target !== input) focusCell(target);
  else input.select();
}

if (grid && grid.dataset.editable) {
  document.documentElement.classList.add("journal-js");
  grid.addEventListener("keydown", onKeyDown);
  grid.addEventListener("focusin", (event) => {
    if (event.target.matches("td.cell input")) event.target.select();
  });
  grid.addEventListener("focusout", (event) => {
    const input = event.target;
    if (input.matches("td.cell input")) {
      delete input.dataset.editing;
      save(input);
    }
  });
  // Enter in a cell must not submit the row's form when the script is on.
  for (const form of grid.querySelectorAll("td.row-save form")) {
    form.addEventListener("submit", (event) => event.preventDefault());
  }
  grid.dataset.ready = "1";
}
