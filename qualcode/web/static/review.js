// The review queue: keys call the server, which decides and answers the next item.
// Every text goes in through textContent / createElement, never as HTML.
"use strict";
(() => {
  const data = JSON.parse(document.getElementById("review-data").textContent);
  const text = data.text;
  const filters = data.filters;
  let shown = data.first;  // the last state the server sent
  let busy = false;
  let finished = data.retrain ? data.retrain.finished : 0;
  let snapped = null;  // the previewed boundaries of an edit

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function query(extra) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries({...filters, ...extra})) {
      if (value !== null && value !== undefined && value !== "" && value !== false) params.set(key, value === true ? "1" : value);
    }
    return params.toString();
  }

  async function get(url) {
    const response = await fetch(url, {credentials: "same-origin"});
    const body = await response.json().catch(() => ({error: response.statusText}));
    if (!response.ok) {
      qualcode.say(body.error || response.statusText, true);
      throw new Error(body.error || response.statusText);
    }
    return body;
  }

  function list(title, items, cls) {
    if (!items || !items.length) return null;
    return el("div", {class: cls}, el("strong", {}, title + ": "), el("ul", {}, ...items.map((i) => el("li", {}, i))));
  }

  function render(state) {
    shown = state;
    const p = state.progress;
    document.getElementById("progress").textContent =
      `${text.rev_progress} ${p.decided} ${text.rev_of} ${p.total} (${text.rev_pending} ${p.pending}, ${text.rev_withdrawn} ${p.withdrawn})`;
    document.getElementById("position").textContent =
      state.item ? `· ${text.rev_item} ${state.position} ${text.rev_of} ${state.length}` : "";
    const card = document.getElementById("card");
    card.replaceChildren();
    const item = state.item;
    if (!item) {
      card.append(el("p", {id: "done"}, text.rev_done));
      return;
    }
    card.dataset.id = item.id;
    const who = [item.speaker, item.role ? `(${item.role})` : null].filter(Boolean).join(" ");
    const parts = [
      el("p", {class: "where muted"}, `${item.source} ${item.start}–${item.end}${who ? " · " + who : ""}`),
      el("h2", {class: "code"}, el("span", {id: "code"}, item.code), " ",
        el("span", {class: "kind"}, item.kind), " ",
        el("span", {class: "score", id: "score"}, `${text.rev_score} ${item.score.toFixed(2)}`),
        item.withdrawn && item.new_score !== null ? el("span", {class: "muted"}, ` → ${item.new_score.toFixed(2)}`) : null),
      item.question ? el("p", {class: "question"}, el("strong", {}, text.rev_question + ": "), item.question) : null,
      el("div", {class: "turn"},
        item.before ? el("span", {class: "context"}, item.before + " ") : null,
        el("mark", {id: "text"}, item.text),
        item.after ? el("span", {class: "context"}, " " + item.after) : null),
      item.definition ? el("p", {class: "definition"}, el("strong", {}, text.rev_definition + ": "), item.definition) : null,
      list(text.rev_inclusion, item.inclusion, "criteria"),
      list(text.rev_exclusion, item.exclusion, "criteria"),
      item.rationale ? el("p", {class: "rationale"}, el("strong", {}, text.rev_rationale + ": "), item.rationale) : null,
    ];
    card.append(...parts.filter(Boolean));
    if (item.candidates.length) {
      card.append(el("div", {class: "candidates"}, el("strong", {}, text.rev_candidates + ": "),
        el("ol", {id: "candidates"}, ...item.candidates.map((c) =>
          el("li", {"data-key": String(c.key), "data-id": String(c.id)}, el("kbd", {}, String(c.key)), ` ${c.code} ${c.score.toFixed(2)}`)))));
    }
    if (item.others.length) {
      card.append(el("p", {class: "others muted"}, `${text.rev_others}: `,
        item.others.map((o) => `${o.coder} (${o.code})`).join(", ")));
    }
  }

  async function load(id) {
    render(await get("/api/review/item?" + query({id: id || ""})));
  }

  async function act(action, extra) {
    if (busy || !shown || (!shown.item && action !== "undo")) return;
    busy = true;
    try {
      const state = await qualcode.post(`/api/review/${action}`, {filters, id: shown.item ? shown.item.id : null, ...extra});
      render(state);
      if (state.retrain) showRetrain(state.retrain);
      if (action === "undo") qualcode.say(state.undone ? `↶ ${state.undone}` : "–");
    } catch (error) {
      if (action !== "undo") await load(null).catch(() => {});  // the queue changed: show it again
    } finally {
      busy = false;
    }
  }

  function showRetrain(status) {
    const line = document.getElementById("retrain");
    const says = {
      idle: "", running: text.rev_retrain_running,
      done: text.rev_retrain_done.replace("{new}", status.new).replace("{withdrawn}", status.withdrawn),
      error: text.rev_retrain_error.replace("{error}", status.error),
    };
    line.textContent = says[status.state] ? "· " + says[status.state] : "";
    line.className = status.state;
    if (status.finished !== finished) {
      finished = status.finished;
      load(null);  // a new run is the queue now
    }
    if (status.state === "running") setTimeout(poll, 700);
  }

  async function poll() {
    showRetrain(await get("/api/review/status"));
  }

  // -- editing: another code and/or boundaries, previewed snapped to words ----------------------

  const editor = document.getElementById("edit");
  const codeInput = document.getElementById("edit-code");
  const startInput = document.getElementById("edit-start");
  const endInput = document.getElementById("edit-end");

  function openEdit() {
    if (!shown || !shown.item) return;
    editor.hidden = false;
    codeInput.value = shown.item.code;
    startInput.value = shown.item.start;
    endInput.value = shown.item.end;
    snapped = {start: shown.item.start, end: shown.item.end, text: shown.item.text};
    showSnap();
    findCodes();
    codeInput.focus();
    codeInput.select();
  }

  function closeEdit() {
    editor.hidden = true;
    document.activeElement.blur();
  }

  function showSnap() {
    document.getElementById("edit-preview").textContent = snapped.text;
    document.getElementById("edit-span").textContent = `${snapped.start}–${snapped.end}`;
  }

  let snapTimer = null;
  function previewBounds() {
    clearTimeout(snapTimer);
    snapTimer = setTimeout(async () => {
      snapped = await get("/api/review/snap?" + query({id: shown.item.id, start: startInput.value, end: endInput.value}));
      showSnap();
    }, 150);
  }

  async function findCodes() {
    const found = await get("/api/review/codes?part=" + encodeURIComponent(codeInput.value === shown.item.code ? "" : codeInput.value));
    const listing = document.getElementById("code-list");
    listing.replaceChildren(...found.codes.slice(0, 12).map((name) => {
      const button = el("button", {type: "button"}, name);
      button.addEventListener("click", () => { codeInput.value = name; findCodes(); });
      return el("li", {}, button);
    }));
  }

  async function saveEdit() {
    clearTimeout(snapTimer);
    snapped = await get("/api/review/snap?" + query({id: shown.item.id, start: startInput.value, end: endInput.value}));
    showSnap();
    const code = codeInput.value.trim();
    closeEdit();
    await act("edit", {code: code === shown.item.code ? null : code, start: snapped.start, end: snapped.end});
  }

  codeInput.addEventListener("input", findCodes);
  startInput.addEventListener("input", previewBounds);
  endInput.addEventListener("input", previewBounds);
  document.getElementById("edit-save").addEventListener("click", saveEdit);
  document.getElementById("edit-cancel").addEventListener("click", closeEdit);
  editor.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); saveEdit(); }
    if (event.key === "Escape") { event.preventDefault(); closeEdit(); }
  });

  // -- keys -------------------------------------------------------------------------------------

  document.addEventListener("keydown", (event) => {
    if (!editor.hidden || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, select, textarea")) return;
    const key = event.key.toLowerCase();
    const item = shown && shown.item;
    if (key === "a") act("accept");
    else if (key === "r") act("reject");
    else if (key === "u") act("undo");
    else if (key === "e") { event.preventDefault(); openEdit(); }
    else if ((key === "j" || key === "s") && shown && shown.next) load(shown.next);
    else if (key === "k" && shown && shown.previous) load(shown.previous);
    else if (/^[2-9]$/.test(key) && item) {
      const chosen = item.candidates.find((c) => String(c.key) === key);
      if (chosen) act("choose", {candidate: chosen.id});
    } else return;
  });

  if (shown) render(shown);
  if (data.retrain) showRetrain(data.retrain);
  // Another coder's change: show the current item again (what others coded there), unless busy.
  if (qualcode.live) {
    qualcode.live(() => {
      if (busy || !editor.hidden || !shown || !shown.item) qualcode.liveNotice();
      else load(shown.item.id).catch(() => {});
    });
  }
})();
