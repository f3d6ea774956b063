// The document view: select text to code it, click a coding to change it, decide
// suggestions in place, add memos. Every text from the project is put in with textContent.
"use strict";
(() => {
  const data = JSON.parse(document.getElementById("doc-data").textContent);
  const text = JSON.parse(document.getElementById("doc-text").textContent);
  const doc = document.getElementById("doc");
  const source = data.source;
  const hasCoder = doc.dataset.coder !== "";
  const codings = new Map(data.codings.map((c) => [c.id, c]));
  const suggestions = new Map(data.suggestions.map((g) => [g.id, g]));
  const $ = (id) => document.getElementById(id);

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    for (const child of children) node.append(child);  // strings become text nodes
    return node;
  }

  // -- after a change: reload where we were, and say what happened --------------------------
  const saved = sessionStorage.getItem("qualcode-doc-scroll");
  if (saved) { window.scrollTo(0, Number(saved)); sessionStorage.removeItem("qualcode-doc-scroll"); }
  // A link from a quote elsewhere (?at=OFFSET): show the turn holding that character.
  const at = Number(new URLSearchParams(location.search).get("at"));
  if (!saved && Number.isInteger(at) && new URLSearchParams(location.search).has("at")) {
    const turn = [...document.querySelectorAll(".turn[data-s]")].find(
      (t) => Number(t.dataset.s) <= at && at < Number(t.dataset.e));
    if (turn) { turn.classList.add("linked"); turn.scrollIntoView({ block: "center" }); }
  }
  const said = sessionStorage.getItem("qualcode-doc-said");
  if (said) { qualcode.say(said); sessionStorage.removeItem("qualcode-doc-said"); }
  function reload(message) {
    sessionStorage.setItem("qualcode-doc-scroll", String(window.scrollY));
    sessionStorage.setItem("qualcode-doc-said", message || text.saved);
    location.reload();
  }
  async function change(url, body, message) {
    const result = await qualcode.post(url, body);
    reload(message);
    return result;
  }

  // -- offsets: a DOM position -> code points into the source ---------------------------------
  const points = (s) => Array.from(s).length;  // JS counts UTF-16 units, the project code points
  function offsetOf(node, offset) {
    if (node.nodeType === Node.TEXT_NODE) {
      const piece = node.parentElement.closest(".pc");
      return piece ? Number(piece.dataset.s) + points(node.data.slice(0, offset)) : null;
    }
    const piece = node.closest && node.closest(".pc");
    if (piece) return offset === 0 ? Number(piece.dataset.s) : Number(piece.dataset.e);
    const turnText = node.closest && node.closest(".tt");
    if (!turnText) return null;
    const kids = turnText.querySelectorAll(".pc");
    if (!kids.length) return null;
    return offset < kids.length ? Number(kids[offset].dataset.s) : Number(kids[kids.length - 1].dataset.e);
  }
  function selected() {
    const sel = window.getSelection();
    if (!sel.rangeCount || sel.isCollapsed) return null;
    const range = sel.getRangeAt(0);
    const from = range.startContainer.nodeType === Node.TEXT_NODE ? range.startContainer.parentElement : range.startContainer;
    const to = range.endContainer.nodeType === Node.TEXT_NODE ? range.endContainer.parentElement : range.endContainer;
    const turn = from.closest && from.closest(".tt");
    if (!turn || !doc.contains(turn)) return null;
    if (turn !== (to.closest && to.closest(".tt"))) return {error: text.one_turn};
    const start = offsetOf(range.startContainer, range.startOffset);
    const end = offsetOf(range.endContainer, range.endOffset);
    if (start === null || end === null || start >= end) return null;
    return {start, end, rect: range.getBoundingClientRect()};
  }
  async function snapped(start, end) {
    const query = new URLSearchParams({source, start, end});
    const response = await fetch("/api/document/snap?" + query, {credentials: "same-origin"});
    const body = await response.json();
    if (!response.ok) throw new Error(body.error);
    return body;
  }

  // -- popovers --------------------------------------------------------------------------------
  function place(pop, rect) {
    pop.hidden = false;
    // Below the anchor, else above it: never over it (so the anchor stays hoverable).
    const below = rect.bottom + 6, above = rect.top - pop.offsetHeight - 6;
    const top = below + pop.offsetHeight <= window.innerHeight - 8 || above < 8 ? below : above;
    pop.style.top = Math.max(8, top) + "px";
    pop.style.left = Math.max(8, Math.min(rect.left, window.innerWidth - pop.offsetWidth - 16)) + "px";
  }
  function closeAll() { for (const id of ["picker", "editor", "tip"]) $(id).hidden = true; }
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") closeAll(); });
  for (const button of document.querySelectorAll(".pop .close")) button.addEventListener("click", closeAll);
  document.addEventListener("mousedown", (e) => {
    if (!e.target.closest(".pop") && !e.target.closest(".ms")) closeAll();
  });

  // -- the code picker: a searchable tree of the codebook ------------------------------------
  const fold = (s) => s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  let picking = null;  // {start, end}
  function fillCodes(filter) {
    const list = $("picker-codes");
    list.replaceChildren();
    const wanted = fold(filter.trim());
    for (const code of data.codes) {
      if (wanted && !fold(code.name).includes(wanted)) continue;
      const button = el("button", {type: "button", className: "code"}, code.name);
      button.style.paddingLeft = (0.4 + code.depth * 1.1) + "em";
      button.style.borderLeftColor = code.colour;
      button.dataset.code = code.name;
      button.addEventListener("click", () => pick(code.name));
      list.append(el("li", {role: "option"}, button));
    }
  }
  async function openPicker(span) {
    if (!hasCoder) return;
    const snap = await snapped(span.start, span.end);
    picking = {start: snap.start, end: snap.end};
    $("picker-counter").checked = false;  // each coding marked on purpose, never by a leftover tick
    $("picker-preview").textContent = snap.text;
    $("picker-filter").value = "";
    fillCodes("");
    $("editor").hidden = true;
    $("tip").hidden = true;
    place($("picker"), span.rect);
    $("picker-filter").focus();
  }
  $("picker-filter").addEventListener("input", (e) => fillCodes(e.target.value));
  $("picker-filter").addEventListener("keydown", (e) => {
    const first = $("picker-codes").querySelector("button");
    if (e.key === "Enter" && first) { e.preventDefault(); pick(first.dataset.code); }
    if (e.key === "ArrowDown" && first) { e.preventDefault(); first.focus(); }
  });
  $("picker-codes").addEventListener("keydown", (e) => {
    const item = e.target.closest("li");
    if (!item) return;
    const next = e.key === "ArrowDown" ? item.nextElementSibling : e.key === "ArrowUp" ? item.previousElementSibling : null;
    if (next) { e.preventDefault(); next.querySelector("button").focus(); }
  });
  async function pick(code) {
    if (!picking) return;
    const counter = $("picker-counter").checked;
    await change("/api/codings", {source, start: picking.start, end: picking.end, code, counter});
  }
  $("picker-memo").addEventListener("click", () => {
    if (!picking) return;
    const segment = data.segments.find((s) => s.start <= picking.start && picking.start < s.end);
    if (!segment) { qualcode.say(text.no_segments, true); return; }
    const form = document.querySelector(`.memo-form select option[value="${segment.id}"]`);
    closeAll();
    if (!form) return;
    const details = form.closest("details");
    details.open = true;
    form.selected = true;
    details.querySelector("textarea").focus();
  });

  // Mouse: a selection inside one turn opens the picker; keyboard: Shift+arrows in a turn.
  doc.addEventListener("mouseup", () => setTimeout(() => {
    const span = selected();
    if (span && span.error) qualcode.say(span.error, true);
    else if (span) openPicker(span).catch((e) => qualcode.say(e.message, true));
  }, 0));
  doc.addEventListener("keydown", (e) => {
    const turnText = e.target.closest && e.target.closest(".tt");
    if (!turnText) return;
    const sel = window.getSelection();
    if (e.shiftKey && (e.key === "ArrowRight" || e.key === "ArrowLeft")) {
      e.preventDefault();
      if (!sel.rangeCount || !turnText.contains(sel.anchorNode)) {
        const first = turnText.querySelector(".pc");
        if (first && first.firstChild) sel.collapse(first.firstChild, 0);
      }
      sel.modify("extend", e.key === "ArrowRight" ? "forward" : "backward", e.ctrlKey || e.altKey ? "word" : "character");
    } else if (e.key === "Enter") {
      const span = selected();
      if (span && !span.error) { e.preventDefault(); openPicker(span).catch((x) => qualcode.say(x.message, true)); }
    }
  });

  // -- a coding: change its code or boundaries (with a snapped preview), or remove it ----------
  let editing = null;
  const editorCode = $("editor-code");
  for (const code of data.codes) {
    editorCode.append(el("option", {value: code.name}, "\u00a0\u00a0".repeat(code.depth) + code.name));
  }
  function openEditor(id, rect) {
    const coding = codings.get(id);
    if (!coding) return;
    editing = coding;
    $("editor-title").textContent = coding.code;
    $("editor-coder").textContent = coding.mine ? text.coded_by + " " + coding.coder : text.others.replace("{coder}", coding.coder);
    editorCode.value = coding.code;
    $("editor-start").value = coding.start;
    $("editor-end").value = coding.end;
    $("editor-preview").textContent = coding.text;
    for (const id of ["editor-code", "editor-start", "editor-end", "editor-save", "editor-remove"]) $(id).disabled = !coding.mine;
    $("picker").hidden = true;
    $("tip").hidden = true;
    place($("editor"), rect);
  }
  let previewing = 0;
  async function preview() {
    const ticket = ++previewing;
    try {
      const snap = await snapped(Number($("editor-start").value), Number($("editor-end").value));
      if (ticket !== previewing) return;
      $("editor-preview").textContent = snap.text;
      $("editor-preview").dataset.start = snap.start;
      $("editor-preview").dataset.end = snap.end;
      $("editor-preview").classList.remove("bad");
    } catch (error) {
      if (ticket === previewing) { $("editor-preview").textContent = error.message; $("editor-preview").classList.add("bad"); }
    }
  }
  $("editor-start").addEventListener("input", preview);
  $("editor-end").addEventListener("input", preview);
  $("editor-save").addEventListener("click", async () => {
    const body = {source};
    const start = Number($("editor-start").value), end = Number($("editor-end").value);
    if (start !== editing.start || end !== editing.end) Object.assign(body, {start, end});
    if (editorCode.value !== editing.code) body.code = editorCode.value;
    if (Object.keys(body).length === 1) { closeAll(); return; }
    await change(`/api/codings/${editing.id}/edit`, body);
  });
  $("editor-remove").addEventListener("click", () => change(`/api/codings/${editing.id}/remove`, {}));
  for (const button of document.querySelectorAll(".mc")) {
    button.addEventListener("click", () => openEditor(Number(button.dataset.c), button.getBoundingClientRect()));
  }

  // -- a suggestion: score, rationale and alternatives on hover or focus; decide in place -------
  const alternatives = new Map();
  async function showTip(id, rect) {
    const g = suggestions.get(id);
    if (!g) return;
    const tip = $("tip");
    tip.replaceChildren(
      el("p", {}, el("b", {}, g.code), ` · ${text.suggestion} · ${text.score} ${g.score.toFixed(2)}`),
      el("q", {className: "quote"}, g.text),
    );
    if (g.rationale) tip.append(el("p", {className: "why"}, `${text.rationale}: ${g.rationale}`));
    const row = el("div", {className: "row"});
    const accept = el("button", {type: "button", className: "accept"}, text.accept);
    const reject = el("button", {type: "button", className: "reject"}, text.reject);
    accept.addEventListener("click", () => change(`/api/document/suggestions/${id}/accept`, {}));
    reject.addEventListener("click", () => change(`/api/document/suggestions/${id}/reject`, {}));
    row.append(accept, reject);
    const others = el("div", {className: "alternatives"}, el("p", {className: "label"}, text.alternatives));
    tip.append(row, others);
    tip.dataset.suggestion = id;
    place(tip, rect);
    if (!alternatives.has(id)) {
      const response = await fetch(`/api/document/suggestions/${id}/candidates`, {credentials: "same-origin"});
      alternatives.set(id, response.ok ? (await response.json()).candidates : []);
    }
    if (tip.dataset.suggestion !== String(id)) return;
    const found = alternatives.get(id);
    if (!found.length) others.append(el("p", {className: "muted"}, text.none));
    for (const c of found) {
      const button = el("button", {type: "button", className: "instead", title: c.rationale || ""}, `${c.code} (${c.score.toFixed(2)})`);
      button.dataset.candidate = c.id;
      button.addEventListener("click", () => change(`/api/document/suggestions/${id}/instead`, {candidate: c.id}));
      others.append(button);
    }
  }
  for (const button of document.querySelectorAll(".ms")) {
    const open = () => showTip(Number(button.dataset.g), button.getBoundingClientRect());
    button.addEventListener("mouseenter", open);
    button.addEventListener("focus", open);
    button.addEventListener("click", open);
  }
  // A click (no selection) on coded text lists what covers it.
  doc.addEventListener("click", (e) => {
    const piece = e.target.closest(".pc");
    if (!piece || !window.getSelection().isCollapsed) return;
    const rect = piece.getBoundingClientRect();
    const ids = (piece.dataset.c || "").split(" ").filter(Boolean).map(Number);
    const pending = (piece.dataset.g || "").split(" ").filter(Boolean).map(Number);
    if (ids.length === 1 && !pending.length) { openEditor(ids[0], rect); return; }
    if (pending.length && !ids.length) { showTip(pending[0], rect); return; }
    if (!ids.length) return;
    const tip = $("tip");
    tip.dataset.suggestion = "";
    tip.replaceChildren();
    for (const id of ids) {
      const c = codings.get(id);
      const button = el("button", {type: "button", className: "mc"}, c.code + " ", el("small", {}, c.coder));
      button.style.borderLeftColor = c.colour;
      button.addEventListener("click", () => openEditor(id, rect));
      tip.append(button);
    }
    for (const id of pending) {
      const g = suggestions.get(id);
      const button = el("button", {type: "button", className: "ms"}, g.code + " ", el("small", {}, g.score.toFixed(2)));
      button.addEventListener("click", () => showTip(id, rect));
      tip.append(button);
    }
    place(tip, rect);
  });

  // -- live: another user's change shows at once, unless one is in the middle of an edit -------
  function inAnEdit() {
    if (["picker", "editor", "tip"].some((id) => !$(id).hidden)) return true;
    if ([...document.querySelectorAll(".memo-form textarea")].some((area) => area.value.trim())) return true;
    const sel = window.getSelection();
    return Boolean(sel && !sel.isCollapsed && doc.contains(sel.anchorNode));
  }
  if (qualcode.live) {
    qualcode.live(() => { if (inAnEdit()) qualcode.liveNotice(); else reload(qualcode.liveText.updated); });
  }

  // -- undo and memos --------------------------------------------------------------------------
  const undoButton = $("undo");
  if (undoButton) {
    undoButton.addEventListener("click", async () => {
      const result = await qualcode.post("/api/document/undo", {});
      if (result.undone) reload(text.undone.replace("{action}", result.undone));
      else qualcode.say(text.nothing_undo);
    });
  }
  for (const form of document.querySelectorAll(".memo-form")) {
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const target = form.dataset.on === "source" ? form.dataset.target : Number(form.elements.target.value);
      await change("/api/document/memos", {on: form.dataset.on, target, text: form.elements.text.value});
    });
  }
})();
