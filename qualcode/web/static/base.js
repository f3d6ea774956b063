// Shared by every page: every change is a POST with the page's CSRF value in a header.
"use strict";
const qualcode = {
  csrf: document.querySelector('meta[name="csrf"]').content,
  async post(url, data) {
    const response = await fetch(url, {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": qualcode.csrf},
      body: JSON.stringify(data || {}),
      credentials: "same-origin",
    });
    const body = await response.json().catch(() => ({error: response.statusText}));
    if (!response.ok) {
      qualcode.say(body.error || response.statusText, true);
      throw new Error(body.error || response.statusText);
    }
    return body;
  },
  say(text, isError) {
    const status = document.getElementById("status");
    status.textContent = text;  // textContent: never HTML
    status.className = isError ? "error" : "ok";
  },
};
document.getElementById("coder-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  await qualcode.post("/coder", {coder: document.getElementById("coder").value});
  location.reload();
});
// The owner's blind mode switch (team server): confirmed first, then the page is made again.
const blindToggle = document.getElementById("blind-toggle");
if (blindToggle) {
  blindToggle.addEventListener("click", async () => {
    if (!window.confirm(blindToggle.dataset.confirm)) return;
    await qualcode.post("/api/blind", {on: blindToggle.dataset.on === "true"});
    location.reload();
  });
}
