// The CMOC pages: adding and revising a CMOC are one qualcode.post each (the library's error,
// such as a status change without a memo, is shown by qualcode.say); text goes into
// textContent only, never into HTML.
"use strict";
(() => {
  const PARTS = ["context", "resource", "reasoning", "outcome"];
  const TEXTS = ["key", "statement", "intervention", "actor", "confidence", "confidence_reason",
    "theory_version", "memo", "status"];

  // The form's fields as one object: texts by id "<form id>-<field>", parts as lists of names.
  function fields(form) {
    const data = {};
    TEXTS.forEach((name) => {
      const field = document.getElementById(`${form.id}-${name}`);
      if (field) data[name] = field.value;
    });
    PARTS.forEach((part) => {
      const select = document.getElementById(`${form.id}-${part}`);
      if (select) data[part] = Array.from(select.selectedOptions).map((option) => option.value);
    });
    return data;
  }

  const adding = document.getElementById("cmoc-add");
  if (adding) {
    adding.addEventListener("submit", async (event) => {
      event.preventDefault();
      const made = await qualcode.post("/api/cmocs", fields(adding));
      qualcode.say(`${adding.dataset.saved}: ${made.key}`);
      location.href = "/cmocs/" + encodeURIComponent(made.key);
    });
  }

  const revising = document.getElementById("cmoc-revise");
  if (revising) {
    revising.addEventListener("submit", async (event) => {
      event.preventDefault();
      const key = revising.dataset.key;
      await qualcode.post(`/api/cmocs/${encodeURIComponent(key)}/revise`, fields(revising));
      qualcode.say(revising.dataset.saved);
      location.reload();
    });
  }

  // The evidence: another unit or the switch shows the page again.
  ["evidence-scope", "unreviewed"].forEach((id) => {
    const field = document.getElementById(id);
    if (field) field.addEventListener("change", () => field.form.submit());
  });
})();
