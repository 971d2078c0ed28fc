/*
 * Draws "guided vs reported" on a company page with the vendored Chart.js: each fiscal year's
 * reported quarters as stacked bars, and the company's guidance for the same year as a band
 * (low to high) behind them. The numbers come from the JSON data block the server writes next to
 * the chart's table; the table stays in the page (collapsed once the chart is drawn), so nothing
 * depends on this script. Quarters differ by fill pattern as well as colour, the band is hatched,
 * and the chart reads from the keyboard (focus it and use the arrow keys).
 *
 * This script is loaded with `defer` before the chart library, so it draws on DOMContentLoaded,
 * which fires once every deferred script has run.
 */
(function () {
  "use strict";

  /* Okabe-Ito colours, distinguishable with the common colour-vision deficiencies. */
  var QUARTERS = ["#0072B2", "#56B4E9", "#009E73", "#332288"];
  var MUTED = "#8a939e";
  var BAND = "rgba(230, 159, 0, 0.28)";
  var BAND_EDGE = "#B36B00";
  var TEXT = "#1b1f24";
  var GRID = "#d5dae1";

  function billions(raw) {
    return raw === null || raw === "" ? null : parseFloat(raw) / 1e9;
  }

  function usdTick(value) {
    return "$" + Number(value).toLocaleString("en-GB", { maximumFractionDigits: 1 }) + "bn";
  }

  /* A fill that differs by shape, not only by colour: plain, stripes, dots, lines, cross-hatch. */
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
    ctx.strokeStyle = "rgba(255, 255, 255, 0.8)";
    ctx.fillStyle = "rgba(255, 255, 255, 0.8)";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    if (kind === 1) {
      ctx.moveTo(0, size);
      ctx.lineTo(size, 0);
      ctx.stroke();
    } else if (kind === 2) {
      ctx.arc(size / 2, size / 2, 1.6, 0, Math.PI * 2);
      ctx.fill();
    } else if (kind === 3) {
      ctx.moveTo(0, size / 2);
      ctx.lineTo(size, size / 2);
      ctx.stroke();
    } else {
      ctx.moveTo(0, 0);
      ctx.lineTo(size, size);
      ctx.moveTo(size, 0);
      ctx.lineTo(0, size);
      ctx.stroke();
    }
    return ctx.createPattern(tile, "repeat");
  }

  function bandFill() {
    var size = 10;
    var tile = document.createElement("canvas");
    tile.width = size;
    tile.height = size;
    var ctx = tile.getContext("2d");
    ctx.fillStyle = BAND;
    ctx.fillRect(0, 0, size, size);
    ctx.strokeStyle = "rgba(179, 107, 0, 0.45)";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(0, size);
    ctx.lineTo(size, 0);
    ctx.stroke();
    return ctx.createPattern(tile, "repeat");
  }

  function datasetsFor(data) {
    var quarters = data.series.map(function (series, index) {
      return {
        label: series.label,
        data: series.values.map(billions),
        display: series.display,
        stack: "reported",
        order: 1,
        /* The part of a year not split into quarters is grey and hatched, apart from the quarters. */
        backgroundColor: series.muted ? pattern(MUTED, 4) : pattern(QUARTERS[index % QUARTERS.length], index),
        borderColor: TEXT,
        borderWidth: 1,
        barPercentage: 0.45,
        categoryPercentage: 0.9,
      };
    });
    var band = {
      label: data.band.label,
      data: data.band.low.map(function (low, index) {
        var high = data.band.high[index];
        return low === "" ? null : [billions(low), billions(high)];
      }),
      display: data.band.display,
      grouped: false,
      order: 2,
      backgroundColor: bandFill(),
      borderColor: BAND_EDGE,
      borderWidth: 2,
      borderSkipped: false,
      barPercentage: 1,
      categoryPercentage: 0.9,
      isBand: true,
    };
    return quarters.concat([band]);
  }

  function readoutText(data, index) {
    var parts = data.series
      .filter(function (series) {
        return series.values[index] !== "";
      })
      .map(function (series) {
        return series.label + " " + series.display[index];
      });
    return (
      data.categories[index] +
      ": " +
      (parts.length ? parts.join(", ") : "nothing reported") +
      "; reported so far " +
      data.reportedSoFar[index] +
      "; guidance " +
      data.band.display[index]
    );
  }

  function makeKeyboardReadable(canvas, chart, data, readout) {
    var position = -1;
    function show(index) {
      position = index;
      var active = [];
      chart.data.datasets.forEach(function (dataset, datasetIndex) {
        if (dataset.data[index] !== null) {
          active.push({ datasetIndex: datasetIndex, index: index });
        }
      });
      chart.setActiveElements(active);
      chart.tooltip.setActiveElements(active, { x: 0, y: 0 });
      chart.update();
      readout.textContent = readoutText(data, index);
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
        readout.textContent = "Use the arrow keys to read each year.";
      }
    });
  }

  function draw(container) {
    var Chart = window.Chart;
    var script = document.getElementById(container.getAttribute("data-guided-chart"));
    var canvas = container.querySelector("canvas");
    if (!script || !canvas) {
      return;
    }
    var data = JSON.parse(script.textContent);
    container.hidden = false;
    var chart = new Chart(canvas, {
      type: "bar",
      data: { labels: data.categories, datasets: datasetsFor(data) },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { stacked: true, title: { display: true, text: data.categoryLabel }, grid: { display: false } },
          y: {
            stacked: true,
            beginAtZero: true,
            title: { display: true, text: "USD, billions" },
            ticks: { callback: usdTick },
            grid: { color: GRID },
          },
        },
        plugins: {
          legend: { display: true, position: "bottom", labels: { boxWidth: 18, boxHeight: 14 } },
          tooltip: {
            callbacks: {
              label: function (item) {
                return item.dataset.label + ": " + item.dataset.display[item.dataIndex];
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
    if (typeof window.Chart === "undefined") {
      return;
    }
    document.querySelectorAll("[data-guided-chart]").forEach(draw);
  });
})();
