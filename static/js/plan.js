/* The indicators' charts (Chart.js): one bar chart per indicator that has one, right to left
   and with Persian digits on Persian pages. Each chart has its table right below it. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  document.querySelectorAll("canvas.js-plan-chart").forEach(function (canvas) {
    var node = document.getElementById(canvas.dataset.source);
    if (!node) return;
    var data = JSON.parse(node.textContent);
    var locale = data.persian ? "fa-IR" : "en-US";
    var numbers = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
    function show(value) {
      if (value === null || value === undefined) return "—";
      return numbers.format(value) + (data.percent ? (data.persian ? "٪" : "%") : "");
    }
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{ label: data.series, data: data.values, backgroundColor: "rgba(179,92,0,0.75)", borderRadius: 3 }]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        locale: locale,
        plugins: {
          legend: { display: true, rtl: data.persian, labels: { boxWidth: 12 } },
          tooltip: { rtl: data.persian, textDirection: data.persian ? "rtl" : "ltr", callbacks: { label: function (ctx) { return data.series + ": " + show(ctx.parsed.y); } } }
        },
        scales: {
          x: { reverse: data.persian, ticks: { autoSkip: false, maxRotation: 60, font: { size: 10 } } },
          y: {
            position: data.persian ? "right" : "left",
            beginAtZero: true,
            suggestedMax: data.percent ? 100 : undefined,
            ticks: { precision: 0, callback: function (v) { return show(v); } }
          }
        }
      }
    });
  });
})();
