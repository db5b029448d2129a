/* Charts of the portal (Chart.js): every <canvas data-chart="ID"> is drawn from the JSON of
   <script type="application/json" id="ID"> (core.charts.Chart.data(), passed by json_script).
   Right to left on Persian pages (value axis on the right, categories from the right, legend
   and tooltips RTL) with Persian digits and grouping on axes and in tooltips. Floating bars
   ([low, high]) carry a median marker when the dataset has `medians`. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;

  // Colour-blind safe, dark enough on white for the 3:1 of graphics (WCAG 1.4.11).
  var PALETTE = ["#0b5cad", "#b35c00", "#1b7f4b", "#8e3b9e", "#b8304f", "#4d6b00", "#00758f", "#6c5a00", "#5b5f97", "#7a3e12"];

  function colour(index, alpha) {
    var hex = PALETTE[index % PALETTE.length];
    if (alpha === undefined) return hex;
    var n = parseInt(hex.slice(1), 16);
    return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + alpha + ")";
  }

  // Long category labels wrap onto a few short lines instead of being cut at the edge.
  function wrap(label, width) {
    if (label.length <= width) return label;
    var lines = [], line = "";
    label.split(" ").forEach(function (word) {
      if (line && (line + " " + word).length > width) { lines.push(line); line = word; }
      else line = line ? line + " " + word : word;
    });
    if (line) lines.push(line);
    return lines;
  }

  var medianMarker = {
    id: "medianMarker",
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      chart.data.datasets.forEach(function (dataset, index) {
        if (!dataset.medians) return;
        if (!chart.isDatasetVisible(index)) return;
        var meta = chart.getDatasetMeta(index);
        var horizontal = chart.options.indexAxis === "y";
        meta.data.forEach(function (bar, i) {
          var median = dataset.medians[i];
          if (median === null || median === undefined || !dataset.data[i]) return;
          var p = bar.getProps(["x", "y", "width", "height"], true);
          var at = meta.vScale.getPixelForValue(median);
          ctx.save();
          ctx.strokeStyle = "#111";
          ctx.lineWidth = 3;
          ctx.beginPath();
          if (horizontal) { ctx.moveTo(at, p.y - p.height / 2); ctx.lineTo(at, p.y + p.height / 2); }
          else { ctx.moveTo(p.x - p.width / 2, at); ctx.lineTo(p.x + p.width / 2, at); }
          ctx.stroke();
          ctx.restore();
        });
      });
    }
  };

  // Bars of a range start near the lowest figure drawn, not at zero.
  function rangeMin(datasets) {
    var values = [];
    datasets.forEach(function (d) {
      d.data.concat(d.medians || []).forEach(function (v) {
        if (Array.isArray(v)) values.push(v[0], v[1]);
        else if (v !== null && v !== undefined) values.push(v);
      });
    });
    if (!values.length) return undefined;
    var low = Math.min.apply(null, values), high = Math.max.apply(null, values);
    var step = Math.pow(10, Math.floor(Math.log10(Math.max(high - low, high * 0.05, 1))));
    return Math.max(0, Math.floor((low - (high - low) * 0.08) / step) * step);
  }

  function build(canvas) {
    var node = document.getElementById(canvas.getAttribute("data-chart"));
    if (!node) return;
    var spec = JSON.parse(node.textContent);
    var rtl = spec.persian;
    var numbers = new Intl.NumberFormat(rtl ? "fa-IR" : "en-US", { maximumFractionDigits: 1 });
    var format = function (v) { return v === null || v === undefined ? "—" : numbers.format(v); };
    var horizontal = spec.horizontal;
    // A horizontal chart's height follows its rows: set by the page (core.charts.Chart.height_step).
    var datasets = spec.datasets.map(function (d, index) {
      var c = d.color === undefined ? index : d.color;
      var line = d.type === "line" || (spec.kind === "line" && d.type !== "bar");
      return Object.assign({}, d, {
        type: d.type || spec.kind,
        backgroundColor: line ? colour(c) : colour(c, d.medians ? 0.45 : 0.85),
        borderColor: colour(c),
        borderWidth: line ? 2 : 1,
        pointRadius: d.showLine === false ? 6 : 3,
        pointStyle: d.showLine === false ? "rectRot" : "circle",
        spanGaps: true,
        borderSkipped: false
      });
    });
    var categoryAxis = {
      reverse: rtl && !horizontal,
      offset: true,  // half a step of room at both ends: the first and last labels are never cut
      position: horizontal ? (rtl ? "right" : "left") : "bottom",
      stacked: spec.stacked,
      grid: { display: false },
      ticks: {
        autoSkip: !horizontal && spec.labels.length > 6,
        maxRotation: 0,
        callback: function (value) { return wrap(this.getLabelForValue(value), horizontal ? 16 : 12); }
      }
    };
    var valueAxis = {
      reverse: rtl && horizontal,
      position: horizontal ? "bottom" : (rtl ? "right" : "left"),
      beginAtZero: spec.minZero,
      stacked: spec.stacked,
      title: { display: !!spec.unit, text: spec.unit },
      ticks: { callback: function (v) { return format(v); }, maxTicksLimit: horizontal ? 5 : 7, precision: 0 }
    };
    if (!spec.minZero) valueAxis.min = rangeMin(spec.datasets.filter(function (d) { return !d.hidden; }));
    var chart = new Chart(canvas, {
      type: spec.kind,
      data: { labels: spec.labels, datasets: datasets },
      plugins: [medianMarker],
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        locale: rtl ? "fa-IR" : "en-US",
        indexAxis: horizontal ? "y" : "x",
        layout: { padding: { left: 8, right: 8, top: 4 } },
        interaction: { mode: "index", intersect: false, axis: horizontal ? "y" : "x" },
        plugins: {
          legend: {
            display: spec.datasets.length > 1,
            rtl: rtl,
            textDirection: rtl ? "rtl" : "ltr",
            labels: {
              boxWidth: 12,
              // with a group chooser, the legend names only what is drawn
              filter: function (item) { return !(spec.groups && item.hidden); }
            }
          },
          tooltip: {
            rtl: rtl,
            textDirection: rtl ? "rtl" : "ltr",
            callbacks: {
              label: function (ctx) {
                var raw = ctx.raw;
                var text;
                if (Array.isArray(raw)) {
                  text = format(raw[0]) + " – " + format(raw[1]);
                  var m = ctx.dataset.medians && ctx.dataset.medians[ctx.dataIndex];
                  if (m !== null && m !== undefined && spec.medianLabel) text = spec.medianLabel + " " + format(m) + " · " + text;
                } else {
                  text = format(raw);
                }
                return ctx.dataset.label + ": " + text + (spec.unit ? " " + spec.unit : "");
              }
            }
          }
        },
        scales: horizontal ? { y: categoryAxis, x: valueAxis } : { x: categoryAxis, y: valueAxis }
      }
    });
    canvas.chart = chart;
    if (spec.groups && spec.groups.length > 1) addGroupChooser(canvas, chart, spec);
  }

  // One group of datasets at a time (e.g. one product's retail and wholesale lines), chosen in
  // a labelled list above the chart: a long legend would leave no room for the chart on a phone.
  function addGroupChooser(canvas, chart, spec) {
    var id = canvas.getAttribute("data-chart") + "-group";
    var wrap = document.createElement("div");
    wrap.className = "d-flex flex-wrap gap-2 align-items-center mb-2 chart-group";
    var label = document.createElement("label");
    label.className = "form-label mb-0 small";
    label.htmlFor = id;
    label.textContent = spec.groupLabel;
    var select = document.createElement("select");
    select.className = "form-select form-select-sm w-auto mw-100";
    select.id = id;
    spec.groups.forEach(function (group, index) {
      var option = document.createElement("option");
      option.value = String(index);
      option.textContent = group.label;
      select.appendChild(option);
    });
    var current = spec.groups.findIndex(function (group) {
      return group.datasets.some(function (i) { return !spec.datasets[i].hidden; });
    });
    select.value = String(Math.max(0, current));
    select.addEventListener("change", function () {
      var shown = spec.groups[Number(select.value)].datasets;
      chart.data.datasets.forEach(function (dataset, i) { chart.setDatasetVisibility(i, shown.indexOf(i) !== -1); });
      if (!spec.minZero) {
        var axis = spec.horizontal ? chart.options.scales.x : chart.options.scales.y;
        axis.min = rangeMin(shown.map(function (i) { return spec.datasets[i]; }));
      }
      chart.update();
    });
    wrap.appendChild(label);
    wrap.appendChild(select);
    canvas.parentNode.parentNode.insertBefore(wrap, canvas.parentNode);
  }

  function start() {
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = "#343a40";
    document.querySelectorAll("canvas[data-chart]").forEach(build);
  }
  // The labels are measured with the page's font: wait for it, or the first label is cut.
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(start);
  else start();
})();
