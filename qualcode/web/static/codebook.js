// The codebook panel: filter and fold the tree in the page (no request per code); each
// change is one POST, a new codebook version, then the page is read again.
"use strict";
(() => {
  const tree = document.getElementById("tree");
  const codes = Array.from(tree.querySelectorAll("li.code"));
  const form = document.getElementById("cb-form");
  const action = document.getElementById("cb-action");
  const shownLine = document.getElementById("cb-shown");

  function fold(li, folded) {
    if (!li.querySelector(":scope > ul")) return;
    li.classList.toggle("folded", folded);
    const button = li.querySelector(":scope > .row .fold");
    button.textContent = folded ? "▸" : "▾";
    button.setAttribute("aria-expanded", String(!folded));
  }

  function filter(text) {
    const wanted = text.trim().toLowerCase();
    let count = 0;
    // Children come after their parents in document order: walk backwards, so a parent
    // knows whether any child stays visible.
    for (let i = codes.length - 1; i >= 0; i--) {
      const li = codes[i];
      const own = !wanted || li.dataset.search.includes(wanted);
      const child = li.querySelector(":scope > ul > li.code:not([hidden])") !== null;
      li.hidden = !(own || child);
      if (own && wanted) count++;
      if (wanted && child) fold(li, false);
    }
    shownLine.textContent = wanted ? shownLine.dataset.text.replace("{n}", count) : "";
  }

  function select(li) {
    for (const other of tree.querySelectorAll("li.selected")) other.classList.remove("selected");
    li.classList.add("selected");
    const details = li.querySelector(":scope > .details").cloneNode(true);
    details.hidden = false;
    document.getElementById("cb-selected").replaceChildren(details);
    document.getElementById("cb-code").value = li.dataset.name;
    if (action.value === "create") action.value = "rename";
    document.getElementById("cb-name").value = li.dataset.name;
    showFields();
  }

  function showFields() {
    for (const label of form.querySelectorAll("[data-for]")) {
      label.hidden = !label.dataset.for.split(" ").includes(action.value);
    }
  }

  tree.addEventListener("click", (event) => {
    const li = event.target.closest("li.code");
    if (!li) return;
    if (event.target.closest(".fold")) fold(li, !li.classList.contains("folded"));
    else if (event.target.closest(".name")) select(li);
  });
  document.getElementById("cb-filter").addEventListener("input", (event) => filter(event.target.value));
  document.getElementById("cb-fold").addEventListener("click", () => codes.forEach((li) => fold(li, true)));
  document.getElementById("cb-unfold").addEventListener("click", () => codes.forEach((li) => fold(li, false)));
  action.addEventListener("change", showFields);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = (id) => document.getElementById(id).value;
    const colour = document.getElementById("cb-no-colour").checked ? "" : value("cb-colour");
    const change = {action: action.value, code: value("cb-code")};
    if (action.value === "create") Object.assign(change, {name: value("cb-name"), parent: value("cb-parent"),
      kind: value("cb-kind"), description: value("cb-description"), colour});
    if (action.value === "rename") change.name = value("cb-name");
    if (action.value === "move") change.parent = value("cb-parent");
    if (action.value === "merge") change.into = value("cb-into");
    if (action.value === "recolour") change.colour = colour;
    const result = await qualcode.post("/api/codebook/edit", change);
    const done = Object.entries(result.changes).filter(([, names]) => names.length)
      .map(([kind, names]) => `${kind}: ${names.join(", ")}`).join("; ");
    sessionStorage.setItem("qualcode-codebook-said", done);
    location.reload();
  });

  const said = sessionStorage.getItem("qualcode-codebook-said");
  if (said) { qualcode.say(said); sessionStorage.removeItem("qualcode-codebook-said"); }
  showFields();
})();
