// The search, memos and findings pages: every change is one qualcode.post; text shown
// comes from data attributes and goes into textContent, never into HTML.
"use strict";
(() => {
  // Search: select hits and code them all with one code (one POST).
  const all = document.getElementById("select-all");
  const button = document.getElementById("code-hits");
  const boxes = () => Array.from(document.querySelectorAll("input.hit"));
  if (all) {
    all.addEventListener("change", () => boxes().forEach((box) => { box.checked = all.checked; }));
  }
  if (button) {
    button.addEventListener("click", async () => {
      const code = document.getElementById("hit-code").value;
      const hits = boxes().filter((box) => box.checked).map((box) => ({
        source: box.dataset.source, start: Number(box.dataset.start), end: Number(box.dataset.end),
      }));
      if (!code || !hits.length) {
        qualcode.say(button.dataset.choose, true);
        return;
      }
      const done = await qualcode.post("/api/search/code", {code, hits});
      qualcode.say(button.dataset.added.replace("{added}", done.added).replace("{already}", done.already));
    });
  }

  // Memos: show the target list that fits, post the memo, show the page again.
  const form = document.getElementById("memo-form");
  if (form) {
    const on = document.getElementById("memo-on");
    const show = () => form.querySelectorAll(".memo-target").forEach((label) => {
      label.hidden = label.dataset.for !== on.value;
    });
    on.addEventListener("change", show);
    show();
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const target = on.value === "project" ? null : document.getElementById("memo-" + on.value).value;
      const text = document.getElementById("memo-text").value;
      await qualcode.post("/api/memos", {on: on.value, target, text});
      qualcode.say(form.dataset.saved);
      location.reload();
    });
  }

  // Findings: the switch shows the page again with or without unreviewed suggestions.
  const unreviewed = document.getElementById("unreviewed");
  if (unreviewed) unreviewed.addEventListener("change", () => unreviewed.form.submit());

  // Findings: an export is a POST answered with the file, saved as a download.
  document.querySelectorAll("button.export").forEach((exportButton) => {
    exportButton.addEventListener("click", async () => {
      const response = await fetch("/api/export", {
        method: "POST",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": qualcode.csrf},
        body: JSON.stringify({format: exportButton.dataset.format, unreviewed: exportButton.dataset.unreviewed === "1"}),
        credentials: "same-origin",
      });
      if (!response.ok) {
        const body = await response.json().catch(() => ({error: response.statusText}));
        qualcode.say(body.error || response.statusText, true);
        return;
      }
      const header = response.headers.get("Content-Disposition") || "";
      const name = (header.match(/filename="([^"]+)"/) || [])[1] || "findings." + exportButton.dataset.format;
      const link = document.createElement("a");
      link.href = URL.createObjectURL(await response.blob());
      link.download = name;
      document.body.appendChild(link);
      link.click();
      link.remove();
      qualcode.say(name);
    });
  });
})();
