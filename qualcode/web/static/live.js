// Live updates: pages that show what others code call qualcode.live(handler); one
// EventSource per page then hears from /api/events when someone else changed the project
// (in blind mode only of one's own changes, and of the switch itself). The handler decides
// what to do: show the change at once, or, in the middle of an edit, qualcode.liveNotice().
"use strict";
(() => {
  const handlers = [];
  const box = document.getElementById("live-notice");
  let source = null;
  function open() {
    if (source || !window.EventSource) return;
    source = new EventSource("/api/events");
    source.addEventListener("ready", () => { document.documentElement.dataset.live = "open"; });
    source.addEventListener("error", () => { document.documentElement.dataset.live = "closed"; });
    source.addEventListener("change", (event) => {
      let data;
      try { data = JSON.parse(event.data); } catch (error) { return; }
      if (!data.others) return;  // only one's own changes: the page that made them shows them
      for (const handler of handlers) handler(data);
    });
  }
  qualcode.live = (handler) => { handlers.push(handler); open(); };
  qualcode.liveNotice = () => { if (box) box.hidden = false; };
  qualcode.liveText = {updated: box ? box.dataset.updated : ""};
  const again = document.getElementById("live-reload");
  if (again) again.addEventListener("click", () => location.reload());
  window.addEventListener("pagehide", () => { if (source) source.close(); });
})();
