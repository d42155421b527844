/* The round's publishing page: poll the notice files' progress (#documents, data-status-url)
 * until every one is done or failed, then reload. */
(function () {
  "use strict";
  const list = document.getElementById("documents");
  if (!list) return;
  const busy = () => [...list.querySelectorAll("[data-format] .doc-state")].some(
    (el) => !el.querySelector("a") && !el.closest("li").querySelector(".doc-error"));
  if (!busy()) return;
  const timer = setInterval(async () => {
    const response = await fetch(list.dataset.statusUrl, {headers: {"Accept": "application/json"}});
    if (!response.ok) return;
    const data = await response.json();
    let pending = false;
    for (const doc of data.documents) {
      const item = list.querySelector(`[data-format="${doc.format}"]`);
      if (!item) continue;
      item.querySelector(".progress-bar").style.width = doc.progress + "%";
      item.querySelector(".progress").setAttribute("aria-valuenow", doc.progress);
      item.querySelector(".doc-state").textContent = doc.status_display;
      if (doc.ready || doc.status === "failed") continue;
      pending = true;
    }
    if (!pending) { clearInterval(timer); window.location.reload(); }
  }, 1000);
})();
