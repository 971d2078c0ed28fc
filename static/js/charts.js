/*
 * Draws the page's charts with the vendored Chart.js from the JSON data blocks the server
 * writes next to each chart's table. The table stays in the page (collapsed once the chart
 * is drawn), so nothing depends on this script or on telling colours apart:
 *  - every series has its own fill pattern as well as its colour;
 *  - a company has one colour in every chart, sent with the data (capex/colours.py: Paul Tol's
 *    colour-blind-safe "muted" scheme); charts of other things use the site's blue;
 *  - "Unspecified" and "Other" are grey and hatched;
 *  - each chart can be read from the keyboard: focus it and use the arrow keys.
 */
(function () {
  "use strict";

  if (typeof window.Chart === "undefined") {
    return;
  }
  var Chart = window.Chart;

  /* For a chart of something other than companies: one blue, not among the companies' colours. */
  var DEFAULT_COLOUR = "#0072B2";
  var MUTED = "#8a939e";
  var TEXT = "#1b1f24";
  var GRID = "#d5dae1";

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = TEXT;
  Chart.defaults.animation = false;

  /* A fill that differs by shape, not only by colour. */
  function pattern(color, kind) {
    if (kind === 0) {
      return color;
    }
    var size = 8;
    var tile = document.createElement("canvas");
    tile.width = size;
    tile.height = size;
    var ctx = tile.getContext("2d");
    ctx.fillStyle = color;
    ctx.fillRect(0, 0, size, size);
    ctx.strokeStyle = "rgba(255, 255, 255, 0.85)";
    ctx.fillStyle = "rgba(255, 255, 255, 0.85)";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    switch (kind % 5) {
      case 1: /* diagonal stripes */
        ctx.moveTo(0, size);
        ctx.lineTo(size, 0);
        ctx.moveTo(-size / 2, size / 2);
        ctx.lineTo(size / 2, -size / 2);
        ctx.moveTo(size / 2, size * 1.5);
        ctx.lineTo(size * 1.5, size / 2);
        ctx.stroke();
        break;
      case 2: /* dots */
        ctx.arc(size / 2, size / 2, 1.6, 0, Math.PI * 2);
        ctx.fill();
        break;
      case 3: /* horizontal lines */
        ctx.moveTo(0, size / 2);
        ctx.lineTo(size, size / 2);
        ctx.stroke();
        break;
      case 4: /* cross-hatch */
        ctx.moveTo(0, 0);
        ctx.lineTo(size, size);
        ctx.moveTo(size, 0);
        ctx.lineTo(0, size);
        ctx.stroke();
        break;
      default: /* vertical lines */
        ctx.moveTo(size / 2, 0);
        ctx.lineTo(size / 2, size);
        ctx.stroke();
    }
    return ctx.createPattern(tile, "repeat");
  }

  function billions(raw) {
    return raw === null || raw === "" ? null : parseFloat(raw) / 1e9;
  }

  function percent(raw) {
    return raw === null || raw === "" ? null : parseFloat(raw);
  }

  function usdTick(value) {
    return "$" + Number(value).toLocaleString("en-GB", { maximumFractionDigits: 1 }) + "bn";
  }

  function percentTick(value) {
    return Number(value).toLocaleString("en-GB", { maximumFractionDigits: 0 }) + "%";
  }

  function datasetsFor(data) {
    var single = data.series.length === 1;
    var categoryColours = data.categoryColours || [];
    return data.series.map(function (series, index) {
      var colour = series.colour || DEFAULT_COLOUR;
      var fill;
      if (single) {
        fill = data.categories.map(function (_, position) {
          return data.mutedCategories[position] ? pattern(MUTED, 1) : categoryColours[position] || colour;
        });
      } else {
        fill = series.muted ? pattern(MUTED, 1) : pattern(colour, index);
      }
      return {
        label: series.label,
        data: series.values.map(data.unit === "percent" ? percent : billions),
        display: series.display,
        backgroundColor: fill,
        borderColor: single ? TEXT : series.muted ? MUTED : colour,
        borderWidth: 1,
        maxBarThickness: 56,
      };
    });
  }

  function readoutText(chart, data, index) {
    var parts = chart.data.datasets.map(function (dataset) {
      return (data.series.length > 1 ? dataset.label + " " : "") + dataset.display[index];
    });
    return data.categories[index] + ": " + parts.join(", ");
  }

  function makeKeyboardReadable(canvas, chart, data, readout) {
    var position = -1;
    function show(index) {
      position = index;
      var active = chart.data.datasets
        .map(function (dataset, datasetIndex) {
          return { datasetIndex: datasetIndex, index: index };
        })
        .filter(function (item) {
          return chart.data.datasets[item.datasetIndex].data[index] !== null;
        });
      chart.setActiveElements(active);
      var meta = chart.getDatasetMeta(0);
      var element = meta.data[index];
      chart.tooltip.setActiveElements(active, element ? { x: element.x, y: element.y } : { x: 0, y: 0 });
      chart.update();
      readout.textContent = readoutText(chart, data, index);
    }
    canvas.addEventListener("keydown", function (event) {
      var count = data.categories.length;
      var next = null;
      if (event.key === "ArrowRight" || event.key === "ArrowDown") {
        next = position < count - 1 ? position + 1 : 0;
      } else if (event.key === "ArrowLeft" || event.key === "ArrowUp") {
        next = position > 0 ? position - 1 : count - 1;
      } else if (event.key === "Home") {
        next = 0;
      } else if (event.key === "End") {
        next = count - 1;
      } else if (event.key === "Escape") {
        chart.setActiveElements([]);
        chart.tooltip.setActiveElements([], { x: 0, y: 0 });
        chart.update();
        readout.textContent = "";
        return;
      }
      if (next !== null) {
        event.preventDefault();
        show(next);
      }
    });
    canvas.addEventListener("focus", function () {
      if (position < 0) {
        readout.textContent = "Use the arrow keys to read each value.";
      }
    });
  }

  function draw(container) {
    var script = document.getElementById(container.getAttribute("data-chart"));
    var canvas = container.querySelector("canvas");
    if (!script || !canvas) {
      return;
    }
    var data = JSON.parse(script.textContent);
    var horizontal = data.kind === "hbar";
    var valueAxis = {
      stacked: data.stacked,
      beginAtZero: true,
      max: data.unit === "percent" ? 100 : undefined,
      title: { display: true, text: data.valueLabel },
      ticks: { callback: data.unit === "percent" ? percentTick : usdTick },
      grid: { color: GRID },
    };
    var categoryAxis = {
      stacked: data.stacked,
      title: { display: true, text: data.categoryLabel },
      grid: { display: false },
      ticks: { autoSkip: false },
    };
    container.hidden = false;
    var chart = new Chart(canvas, {
      type: "bar",
      data: { labels: data.categories, datasets: datasetsFor(data) },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
        plugins: {
          legend: {
            display: data.series.length > 1,
            position: "bottom",
            labels: { boxWidth: 18, boxHeight: 14 },
          },
          tooltip: {
            callbacks: {
              label: function (item) {
                var prefix = data.series.length > 1 ? item.dataset.label + ": " : "";
                return prefix + item.dataset.display[item.dataIndex];
              },
            },
          },
        },
      },
    });
    makeKeyboardReadable(canvas, chart, data, container.querySelector(".chart-readout"));
    var details = container.parentElement.querySelector("details.chart-data");
    if (details) {
      details.open = false;
    }
    container.setAttribute("data-rendered", "true");
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(draw);
  });
})();
