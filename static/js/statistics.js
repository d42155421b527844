/* The public statistics page: awards and cases per district and year as bar charts, from
 * the page's #chart-data. */
(function () {
  "use strict";
  const node = document.getElementById("chart-data");
  if (!node || typeof Chart === "undefined") return;
  const data = JSON.parse(node.textContent);
  const colours = ["#b3261e", "#e8875b", "#f2c14e", "#5b8e7d", "#3c6e9f", "#7a5c99"];
  const draw = (id, sets) => new Chart(document.getElementById(id), {
    type: "bar",
    data: {labels: data.labels, datasets: sets.map((s, i) => ({...s, backgroundColor: colours[i % colours.length]}))},
    options: {indexAxis: "y", responsive: true, scales: {x: {beginAtZero: true, ticks: {precision: 0}}}},
  });
  draw("awards-chart", data.awards);
  // Only years filed here have submission counts; without them there is no second chart.
  if (data.cases.length && document.getElementById("cases-chart")) draw("cases-chart", data.cases);
})();
