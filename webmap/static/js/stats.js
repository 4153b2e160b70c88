/* The statistics charts: Observable Plot draws each one as SVG from the page's JSON data block (the same
   numbers as the table beside it and the CSV). Changing a filter reloads the page with the new URL, so every
   view of the statistics is a link. Periods are named as the page's language writes them (Feb 2025,
   شباط/فبراير 2025; ISO stays in the data, the URL and the CSV), and on a right-to-left page time runs right to
   left (earliest on the right) with the counts on the right, as the Arabic map's timeline does. */
(function () {
  "use strict";

  var DATA_ELEMENT = "webmap-stats-data";
  var PERIOD_LABEL_PX = 80;  // room for the shortest period label (Feb 2025), with a gap
  var LABEL_CHAR_PX = 6.5;  // about one character of an axis label, to make room for longer ones
  var CATEGORY_CHARTS = { zones: "zone_label", governorates: "governorate_name" };
  // The canvas is left to right (SVG text anchors would flip otherwise): an Arabic label is isolated right to
  // left inside it, so its year stays at its left end.
  var RIGHT_TO_LEFT_ISOLATE = "\u2067", POP_ISOLATE = "\u2069";

  function rightToLeft() { return document.documentElement.dir === "rtl"; }

  function isolated(text) { return rightToLeft() ? RIGHT_TO_LEFT_ISOLATE + text + POP_ISOLATE : text; }

  function records(chart) {
    return chart.rows.map(function (row) {
      var record = {};
      chart.columns.forEach(function (column, n) { record[column] = row[n]; });
      return record;
    });
  }

  /* A count axis: whole-number ticks, and room for 1 when every count is 0; `side` is where it is drawn. */
  function countAxis(values, label, side) {
    var top = Math.max(1, Math.max.apply(null, values.concat([0])));
    var axis = { grid: true, label: label, domain: [0, top], ticks: Math.min(6, top), tickFormat: "d", nice: true };
    return side ? Object.assign(axis, { axis: side }) : axis;
  }

  /* The side of the value axis of a chart over time: where the time axis starts reading. */
  function valueSide() { return rightToLeft() ? "right" : "left"; }

  function stackedTotals(rows) {
    var totals = {};
    rows.forEach(function (r) { totals[r.period_start] = (totals[r.period_start] || 0) + r.incidents; });
    return Object.keys(totals).map(function (k) { return totals[k]; });
  }

  function colourScale(series) {
    return {
      domain: series.map(function (s) { return s.label; }),
      range: series.map(function (s) { return s.color; }),
      legend: series.length > 1
    };
  }

  /* Band positions for every period, but a date under only as many as fit. */
  function periodAxis(chart, rows, width) {
    var starts = [];
    rows.forEach(function (r) { if (starts.indexOf(r.period_start) < 0) { starts.push(r.period_start); } });
    var longest = Math.max.apply(null, starts.map(function (s) { return (chart.period_labels[s] || s).length; }));
    var room = Math.max(PERIOD_LABEL_PX, LABEL_CHAR_PX * longest + 16);
    var every = Math.max(1, Math.ceil(room * starts.length / width));
    return {
      type: chart.chart === "share" ? "point" : "band", domain: starts, label: null, reverse: rightToLeft(),
      ticks: starts.filter(function (s, n) { return n % every === 0; }),
      tickFormat: function (s) { return isolated(chart.period_labels[s] || s); }
    };
  }

  function overTime(chart, rows, width, yLabel) {
    var colour = colourScale(chart.series);
    var x = periodAxis(chart, rows, width);
    if (chart.chart === "timeline") {
      return Plot.plot({ width: width, height: 320, x: x, color: colour,
        y: countAxis(stackedTotals(rows), yLabel, valueSide()),
        marks: [Plot.barY(rows, { x: "period_start", y: "incidents", fill: "event_type_label",
                                  title: function (r) {
                                    return chart.period_labels[r.period_start] + ", " + r.event_type_label + ": " + r.incidents;
                                  } }),
                Plot.ruleY([0])] });
    }
    var long = [];
    rows.forEach(function (r) {
      chart.series.forEach(function (s) {
        // A period without incidents has no share: kept as null, it breaks the line instead of bridging it.
        long.push({ period_start: r.period_start, label: s.label, value: r[s.id] });
      });
    });
    var share = chart.chart === "share";
    var marks = share
      ? [Plot.lineY(long, { x: "period_start", y: "value", stroke: "label", strokeWidth: 2.5 }),
         Plot.dot(long, { x: "period_start", y: "value", fill: "label", r: 2.5 })]
      : [Plot.barY(long, { x: "period_start", y: "value", fill: "label" })];
    return Plot.plot({ width: width, height: 280, x: x, color: colour,
      y: share ? { grid: true, label: "%", domain: [0, 100], axis: valueSide() }
        : countAxis(long.map(function (d) { return d.value; }), chart.series[0].label, valueSide()),
      marks: marks.concat([Plot.ruleY([0])]) });
  }

  function categories(chart, rows, width, yLabel, noneLabel) {
    var key = CATEGORY_CHARTS[chart.chart];
    var named = rows.map(function (r) { return Object.assign({}, r, { label: r[key] || noneLabel }); });
    var longest = Math.max.apply(null, named.map(function (r) { return r.label.length; }).concat([4]));
    var rtl = rightToLeft(), labelRoom = Math.min(width / 2, 12 + 6.5 * longest);
    // Right to left, the names stand at the right and the bars grow leftwards from them.
    var count = countAxis(named.map(function (r) { return r.incidents; }), yLabel);
    return Plot.plot({ width: width, height: 34 + 24 * named.length,
      marginLeft: rtl ? 30 : labelRoom, marginRight: rtl ? labelRoom : 20,
      x: Object.assign(count, { reverse: rtl }),
      y: { domain: named.map(function (r) { return r.label; }), label: null, axis: rtl ? "right" : "left",
           tickFormat: isolated },
      marks: [Plot.barX(named, { y: "label", x: "incidents", fill: chart.series[0].color }),
              Plot.text(named, { y: "label", x: "incidents", text: function (r) { return String(r.incidents); },
                                 dx: rtl ? -4 : 4, textAnchor: rtl ? "end" : "start" }),
              Plot.ruleX([0])] });
  }

  function draw(figure, chart, data) {
    var canvas = figure.querySelector(".chart-canvas");
    var width = Math.max(300, Math.min(canvas.clientWidth || 640, 960));
    var rows = records(chart);
    try {
      var drawn = CATEGORY_CHARTS[chart.chart]
        ? categories(chart, rows, width, data.y_label, data.no_governorate)
        : overTime(chart, rows, width, data.y_label);
      canvas.replaceChildren(drawn);
    } catch (error) {
      figure.querySelector(".chart-error").hidden = false;
      throw error;
    }
  }

  function start() {
    var data = JSON.parse(document.getElementById(DATA_ELEMENT).textContent);
    data.charts.forEach(function (chart) {
      var figure = document.querySelector('[data-chart="' + chart.chart + '"]');
      if (figure) { draw(figure, chart, data); }
    });
    var form = document.getElementById("map-filters");
    if (form) {
      form.addEventListener("change", function () { form.requestSubmit(); });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
