// Draws the sales dashboard's two charts from the figures the page embeds as JSON.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var style = getComputedStyle(document.documentElement);
  var primary = style.getPropertyValue("--bs-primary").trim() || "#0d6efd";
  var muted = style.getPropertyValue("--bs-secondary").trim() || "#6c757d";
  var success = style.getPropertyValue("--bs-success").trim() || "#198754";
  new Chart(document.getElementById("chart-stages"), {
    type: "bar",
    data: {
      labels: data.stages.labels,
      datasets: [
        { label: data.labels.amount, data: data.stages.amount, backgroundColor: muted },
        { label: data.labels.weighted, data: data.stages.weighted, backgroundColor: primary },
      ],
    },
    options: { responsive: true, animation: false },
  });
  new Chart(document.getElementById("chart-months"), {
    type: "bar",
    data: {
      labels: data.months.labels,
      datasets: [
        { label: data.labels.revenue, data: data.months.revenue, backgroundColor: success },
        { label: data.labels.target, data: data.months.target, backgroundColor: muted },
      ],
    },
    options: { responsive: true, animation: false },
  });
})();
