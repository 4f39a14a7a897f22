/* The dashboard's charts: each <canvas data-chart="ID"> is drawn by Chart.js from the JSON
   in <script id="ID"> (built by reporting/views.py: Chart.spec). Readable without colour:
   every bar carries its value as text, series differ by pattern or point shape and dash,
   and each chart has its data table under it. */
(function () {
  "use strict";

  var INK = "#0f172a";
  var GRID = "#e2e8f0";
  var PALETTE = ["#1d4ed8", "#0f766e", "#b45309", "#7c3aed", "#be123c", "#475569"];
  // Meaning, not rank: the SLA chart's series are coloured by what happened.
  var TONES = {
    in_time: "#15803d", late: "#b45309", overdue: "#b91c1c", pending: "#94a3b8",
    goal: "#cbd5e1", expected: "#93c5fd", actual: "#1d4ed8"
  };
  var LANGUAGE = document.documentElement.lang || "en";
  var PATTERNS = ["solid", "stripes", "dots", "cross", "solid", "stripes"];
  var POINTS = ["circle", "triangle", "rect", "rectRot", "star", "crossRot"];
  var DASHES = [[], [6, 4], [2, 3], [10, 3, 2, 3]];
  var SPECS = new WeakMap();  // canvas -> its spec, for the plugins below

  function number(value, digits) {
    return new Intl.NumberFormat(LANGUAGE, { maximumFractionDigits: digits }).format(value);
  }

  function formatter(spec) {
    return function (value) {
      if (value === null || value === undefined) return "—";
      switch (spec.unit) {
        case "percent":
          return new Intl.NumberFormat(LANGUAGE, { style: "percent", maximumFractionDigits: 1 }).format(value);
        case "money":
          if (!spec.currency) return number(value, value >= 100 ? 0 : 2);
          return new Intl.NumberFormat(LANGUAGE, {
            style: "currency", currency: spec.currency, maximumFractionDigits: value >= 100 ? 0 : 2
          }).format(value);
        case "hours": return number(value, 1) + " h";
        default: return number(value, 1);
      }
    };
  }

  function pattern(color, kind) {
    if (kind === "solid") return color;
    var tile = document.createElement("canvas");
    tile.width = tile.height = 8;
    var ctx = tile.getContext("2d");
    ctx.fillStyle = color;
    ctx.fillRect(0, 0, 8, 8);
    ctx.strokeStyle = ctx.fillStyle = "rgba(255,255,255,0.6)";
    ctx.lineWidth = 2;
    if (kind === "stripes" || kind === "cross") {
      ctx.beginPath(); ctx.moveTo(-2, 10); ctx.lineTo(10, -2); ctx.stroke();
    }
    if (kind === "cross") {
      ctx.beginPath(); ctx.moveTo(-2, -2); ctx.lineTo(10, 10); ctx.stroke();
    }
    if (kind === "dots") {
      ctx.beginPath(); ctx.arc(4, 4, 1.6, 0, 2 * Math.PI); ctx.fill();
    }
    return ctx.createPattern(tile, "repeat");
  }

  function colorOf(series, index) {
    return TONES[series.tone] || PALETTE[index % PALETTE.length];
  }

  /* Values (and notes: "42% of leads", "over the SLA") written on the bars. */
  var valueLabels = {
    id: "valueLabels",
    afterDatasetsDraw: function (chart) {
      var spec = SPECS.get(chart.canvas);
      if (!spec || spec.kind !== "bar") return;
      var ctx = chart.ctx;
      var format = formatter(spec);
      var ends = [];
      ctx.save();
      ctx.font = "600 12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
      ctx.textBaseline = "middle";
      chart.data.datasets.forEach(function (dataset, i) {
        var meta = chart.getDatasetMeta(i);
        if (meta.hidden) return;
        var series = spec.series[i];
        meta.data.forEach(function (bar, j) {
          var value = series.values[j];
          if (value === null || value === undefined) return;
          if (spec.stacked) {
            ends[j] = Math.max(ends[j] || 0, bar.x);
            var width = Math.abs(bar.x - bar.base);
            var text = format(value);
            if (value && ctx.measureText(text).width + 8 < width) {
              ctx.fillStyle = "#fff";
              ctx.textAlign = "center";
              ctx.fillText(text, (bar.x + bar.base) / 2, bar.y);
            }
            return;
          }
          var label = format(value) + (series.notes[j] ? "  ·  " + series.notes[j] : "");
          ctx.fillStyle = INK;
          if (spec.horizontal) {
            ctx.textAlign = "left";
            ctx.fillText(label, bar.x + 6, bar.y);
          } else {
            ctx.textAlign = "center";
            ctx.fillText(label, bar.x, bar.y - 9);
          }
        });
      });
      if (spec.stacked && spec.series[0].notes.length) {
        ctx.fillStyle = INK;
        ctx.textAlign = "left";
        chart.getDatasetMeta(0).data.forEach(function (bar, j) {
          if (ends[j] !== undefined) ctx.fillText(spec.series[0].notes[j], ends[j] + 6, bar.y);
        });
      }
      ctx.restore();
    }
  };

  /* A reference line across the values axis (the SLA), labelled in words. */
  var ruleLine = {
    id: "ruleLine",
    afterDatasetsDraw: function (chart) {
      var spec = SPECS.get(chart.canvas);
      if (!spec || !spec.rule) return;
      var scale = chart.scales[spec.horizontal ? "x" : "y"];
      var area = chart.chartArea;
      var at = scale.getPixelForValue(spec.rule.value);
      var ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = "#b91c1c";
      ctx.lineWidth = 2;
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      if (spec.horizontal) { ctx.moveTo(at, area.top); ctx.lineTo(at, area.bottom); }
      else { ctx.moveTo(area.left, at); ctx.lineTo(area.right, at); }
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = "#b91c1c";
      ctx.font = "700 12px system-ui, sans-serif";
      ctx.textAlign = spec.horizontal ? "center" : "right";
      ctx.textBaseline = "bottom";
      if (spec.horizontal) ctx.fillText(spec.rule.label, at, area.top - 2);
      else ctx.fillText(spec.rule.label, area.right, at - 3);
      ctx.restore();
    }
  };

  function datasets(spec) {
    return spec.series.map(function (series, i) {
      var color = colorOf(series, i);
      if (spec.kind === "line") {
        return {
          label: series.label, data: series.values, borderColor: color, backgroundColor: color,
          pointStyle: POINTS[i % POINTS.length], pointRadius: 5, pointHoverRadius: 7,
          borderDash: DASHES[i % DASHES.length], borderWidth: 2.5, spanGaps: true, tension: 0.2
        };
      }
      return {
        label: series.label, data: series.values,
        backgroundColor: pattern(color, spec.stacked ? PATTERNS[i % 4] : PATTERNS[i]),
        borderColor: color, borderWidth: 1, borderRadius: 3,
        maxBarThickness: spec.stacked ? 22 : 18, categoryPercentage: 0.8, barPercentage: 0.9
      };
    });
  }

  function options(spec, width) {
    var format = formatter(spec);
    var values = spec.horizontal ? "x" : "y";
    var categories = spec.horizontal ? "y" : "x";
    var labelled = spec.kind === "bar" && !spec.stacked;
    var scales = {};
    scales[values] = {
      beginAtZero: true, stacked: spec.stacked, grid: { color: GRID },
      ticks: { color: "#475569", callback: function (v) { return format(v); }, maxTicksLimit: 6 }
    };
    if (spec.rule) scales[values].suggestedMax = spec.rule.value * 1.15;
    scales[categories] = {
      stacked: spec.stacked, grid: { display: false },
      ticks: { color: INK, font: { weight: 600 }, autoSkip: !spec.horizontal }
    };
    var room = spec.horizontal && (labelled || spec.stacked) ? Math.min(170, width * 0.36) : 12;
    return {
      indexAxis: spec.horizontal ? "y" : "x",
      responsive: true,
      maintainAspectRatio: false,
      animation: { duration: 250 },
      layout: { padding: { right: room, top: spec.rule || (labelled && !spec.horizontal) ? 18 : 4 } },
      scales: scales,
      interaction: { mode: spec.kind === "line" ? "index" : "nearest", intersect: false },
      plugins: {
        legend: {
          display: spec.series.length > 1, position: "bottom",
          labels: { color: INK, usePointStyle: spec.kind === "line", boxWidth: 16, padding: 14 }
        },
        tooltip: {
          callbacks: {
            label: function (item) {
              var series = spec.series[item.datasetIndex];
              var note = series.notes[item.dataIndex];
              return series.label + ": " + format(item.raw) + (note ? " (" + note + ")" : "");
            }
          }
        }
      }
    };
  }

  function draw(canvas) {
    if (canvas.dataset.drawn || !window.Chart) return;
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    SPECS.set(canvas, spec);
    new window.Chart(canvas, {
      type: spec.kind,
      data: { labels: spec.labels, datasets: datasets(spec) },
      options: options(spec, canvas.parentNode.clientWidth),
      plugins: [valueLabels, ruleLine]
    });
    canvas.dataset.drawn = "true";
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var panel = event.target.closest ? event.target.closest("[aria-busy]") : null;
    if (panel) panel.removeAttribute("aria-busy");
    drawAll(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
})();
