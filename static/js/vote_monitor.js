/* Staff's vote monitor: the chart of votes over time, refreshed with the tally every 15 s
 * while the vote is open. Reads the first figures from the page (#timeline-data) and the
 * refresh URL from the canvas (data-url, data-live when the vote is open). */
(function () {
  "use strict";
  const canvas = document.getElementById("vote-chart");
  const node = document.getElementById("timeline-data");
  if (!canvas || !node || typeof Chart === "undefined") return;
  const colors = ["#a61b1b", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
  const data = JSON.parse(node.textContent);
  const style = (ds, i) => Object.assign(ds, {borderColor: colors[i % colors.length], backgroundColor: colors[i % colors.length], tension: 0.2, pointRadius: data.labels.length > 30 ? 0 : 3, borderWidth: 2});
  data.datasets.forEach(style);
  const chart = new Chart(canvas, {
    type: "line", data: data,
    options: {animation: false, maintainAspectRatio: false, plugins: {legend: {position: "bottom", labels: {boxWidth: 12}}},
              scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}
  });
  async function refresh() {
    try {
      const response = await fetch(canvas.dataset.url, {headers: {"Accept": "application/json"}});
      if (!response.ok) return;
      const fresh = await response.json();
      fresh.timeline.datasets.forEach(style);
      chart.data = fresh.timeline; chart.update();
      for (const row of fresh.tally) {
        const tr = document.querySelector(`#tally tr[data-case="${row.case}"]`);
        if (tr) { tr.querySelector(".votes").textContent = row.votes; tr.querySelector(".voided").textContent = row.voided; }
      }
      document.getElementById("tally-updated").textContent = new Date().toLocaleTimeString("zh-CN");
    } catch (e) { /* keep the last figures */ }
  }
  if (canvas.hasAttribute("data-live")) setInterval(refresh, 15000);
})();
