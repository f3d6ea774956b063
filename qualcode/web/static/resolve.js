// The disagreement review: one click per piece resolves it (a POST with the CSRF header);
// the page is then made again, where it was. Every text goes in with textContent.
"use strict";
(() => {
  const section = document.getElementById("resolve");
  const text = JSON.parse(document.getElementById("resolve-text").textContent);
  const {source, a, b} = section.dataset;
  const saved = sessionStorage.getItem("qualcode-resolve-scroll");
  if (saved) { window.scrollTo(0, Number(saved)); sessionStorage.removeItem("qualcode-resolve-scroll"); }
  const said = sessionStorage.getItem("qualcode-resolve-said");
  if (said) { qualcode.say(said); sessionStorage.removeItem("qualcode-resolve-said"); }
  let busy = false;
  for (const button of section.querySelectorAll("button.choice")) {
    button.addEventListener("click", async () => {
      if (busy) return;
      busy = true;
      const row = button.closest("tr.piece");
      try {
        const done = await qualcode.post("/api/resolve", {
          source, a, b, start: Number(row.dataset.start), end: Number(row.dataset.end), choice: button.dataset.choice,
        });
        sessionStorage.setItem("qualcode-resolve-scroll", String(window.scrollY));
        sessionStorage.setItem("qualcode-resolve-said", text.done.replace("{codes}", done.agreed.join(", ") || text.nothing));
        location.reload();
      } catch (error) {
        busy = false;  // qualcode.post said what went wrong
      }
    });
  }
  // Someone else changed codings: the pieces may have moved; say so, never reload under a click.
  if (qualcode.live) qualcode.live(() => qualcode.liveNotice());
})();
