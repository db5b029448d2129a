/* Unit prices: the submit form (net grams only for box/piece, one submission per click),
   the review queue (tick all) and the report chart (Chart.js). */
(function () {
  "use strict";

  // Net grams only matter for a box or a piece.
  var unit = document.querySelector(".price-form select[name=unit]");
  var grams = document.querySelector(".price-form .js-grams");
  function toggleGrams() {
    if (unit && grams) grams.classList.toggle("d-none", unit.value === "kg" && !grams.querySelector(".invalid-feedback"));
  }
  if (unit) {
    unit.addEventListener("change", toggleGrams);
    toggleGrams();
  }

  // A second click while the first is being sent does nothing (the server also refuses
  // a second row; this just keeps the page calm).
  document.querySelectorAll("form").forEach(function (form) {
    var button = form.querySelector(".js-once");
    if (!button) return;
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      button.setAttribute("aria-disabled", "true");
      button.classList.add("disabled");
    });
  });

  var checkAll = document.querySelector(".js-check-all");
  if (checkAll) {
    checkAll.addEventListener("click", function () {
      var boxes = document.querySelectorAll("input[name=ids][form=bulk-review]");
      var all = Array.prototype.every.call(boxes, function (b) { return b.checked; });
      boxes.forEach(function (b) { b.checked = !all; });
    });
  }

  var dataNode = document.getElementById("price-chart-data");
  var canvas = document.getElementById("price-chart");
  if (!dataNode || !canvas || typeof Chart === "undefined") return;
  var data = JSON.parse(dataNode.textContent);
  var locale = data.persian ? "fa-IR" : "en-US";
  var numbers = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  var select = document.getElementById("chart-series");
  data.series.forEach(function (series, index) {
    var option = document.createElement("option");
    option.value = String(index);
    option.textContent = series.label;
    select.appendChild(option);
  });
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  var chart = null;
  function draw() {
    var series = data.series[Number(select.value) || 0];
    var datasets = [
      { label: data.text.q3, data: series.q3, borderColor: "rgba(13,110,253,0.35)", backgroundColor: "rgba(13,110,253,0.12)", fill: "+1", pointRadius: 0, spanGaps: true },
      { label: data.text.q1, data: series.q1, borderColor: "rgba(13,110,253,0.35)", backgroundColor: "rgba(13,110,253,0.12)", fill: false, pointRadius: 0, spanGaps: true },
      { label: data.text.median, data: series.median, borderColor: "#b35c00", backgroundColor: "#b35c00", borderWidth: 3, fill: false, spanGaps: true }
    ];
    if (chart) chart.destroy();
    chart = new Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        locale: locale,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { rtl: data.persian, labels: { boxWidth: 12 } },
          tooltip: {
            rtl: data.persian,
            callbacks: {
              label: function (ctx) { return ctx.dataset.label + ": " + numbers.format(ctx.parsed.y) + " " + data.text.toman; }
            }
          }
        },
        scales: {
          x: { reverse: data.persian },
          y: { position: data.persian ? "right" : "left", title: { display: true, text: data.text.toman }, ticks: { callback: function (v) { return numbers.format(v); } } }
        }
      }
    });
  }
  select.addEventListener("change", draw);
  draw();
})();
