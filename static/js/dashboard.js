// The dashboard's charts (templates/stats/dashboard.html): one line chart per rate, drawn by the vendored Chart.js
// from the json_script element "dashboard-chart"; the table under each chart carries the same figures.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("dashboard-chart");
    if (!source || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var red = getComputedStyle(document.documentElement).getPropertyValue("--red").trim() || "#a4161a";
    document.querySelectorAll("canvas[data-rate]").forEach(function (canvas) {
      var values = data.series[canvas.dataset.rate] || [];
      new window.Chart(canvas, {
        type: "line",
        data: {
          labels: data.months,
          datasets: [{ label: canvas.dataset.label, data: values, borderColor: red, backgroundColor: red, spanGaps: true, tension: 0.2 }]
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: false } },
          scales: { y: { min: 0, max: 100, ticks: { callback: function (v) { return v + " %"; } } } }
        }
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
