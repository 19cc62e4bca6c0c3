// Draws the support report's charts from the figures the page embeds as JSON.
(function () {
  "use strict";
  var source = document.getElementById("support-chart-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var style = getComputedStyle(document.documentElement);
  var primary = style.getPropertyValue("--bs-primary").trim() || "#0d6efd";
  var warning = style.getPropertyValue("--bs-warning").trim() || "#ffc107";
  var options = { responsive: true, animation: false, plugins: { legend: { display: false } } };
  new Chart(document.getElementById("chart-backlog"), {
    type: "bar",
    data: { labels: data.backlog.labels, datasets: [{ data: data.backlog.values, backgroundColor: warning }] },
    options: options,
  });
  new Chart(document.getElementById("chart-channels"), {
    type: "bar",
    data: { labels: data.channels.labels, datasets: [{ data: data.channels.values, backgroundColor: primary }] },
    options: options,
  });
})();
