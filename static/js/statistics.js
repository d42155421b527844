/* The public statistics page: awards and cases per district and year as bar charts, from
 * the page's #chart-data. */
(function () {
  "use strict";
  const node = document.getElementById("chart-data");
  if (!node || typeof Chart === "undefined") return;
  const data = JSON.parse(node.textContent);
  const colours = ["#b3261e", "#e8875b", "#f2c14e", "#5b8e7d", "#3c6e9f", "#7a5c99"];
  // Every district keeps its label: the chart grows with the rows instead of skipping names
  // on a phone (a CSSOM height, which the page's style policy allows).
  const draw = (id, sets) => {
    const canvas = document.getElementById(id);
    const box = document.createElement("div");
    box.style.position = "relative";
    box.style.height = (data.labels.length * Math.max(sets.length, 1) * 14 + 80) + "px";
    canvas.replaceWith(box);
    box.appendChild(canvas);
    return new Chart(canvas, {
      type: "bar",
      data: {labels: data.labels, datasets: sets.map((s, i) => ({...s, backgroundColor: colours[i % colours.length]}))},
      options: {
        indexAxis: "y", responsive: true, maintainAspectRatio: false,
        scales: {x: {beginAtZero: true, ticks: {precision: 0}}, y: {ticks: {autoSkip: false}}},
      },
    });
  };
  draw("awards-chart", data.awards);
  // Only years filed here have submission counts; without them there is no second chart.
  if (data.cases.length && document.getElementById("cases-chart")) draw("cases-chart", data.cases);
})();
