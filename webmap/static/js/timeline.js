/* The timeline: a bar per week or month of matching incidents. Dragging across the bars (or clicking one)
   chooses a date range, and so do the arrow keys on the focused chart; the play button steps that range
   forward one bar at a time. It only reports the chosen dates: the live map applies them. Time runs the way
   the page reads: left to right in English, right to left in Arabic (earliest on the right), as the
   statistics charts do; months and days are written as the page's language writes them. */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var HEIGHT = 60;
  var STEP_MS = 1200;
  var MAX_TICKS = 4;  // month labels under the bars, at most
  var TICK_STEPS = [1, 2, 3, 6, 12, 24, 60, 120];  // months between labels: each divides the years evenly
  var TICK_GAP = 8;  // pixels at least between one label's end and the next one's start
  var FALLBACK_WIDTH = 300;  // the chart's width while its panel is hidden (the phone's closed sheet)
  var DAY_MS = 86400000;

  function svgNode(tag, attributes) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attributes).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    return node;
  }

  function days(iso) { return Date.parse(iso + "T00:00:00Z") / DAY_MS; }

  function rightToLeft() { return document.documentElement.dir === "rtl"; }

  /* A month ("YYYY-MM") as an axis label: Feb 2025, شباط/فبراير 2025. */
  function monthText(month) {
    var parts = month.split("-");
    return webmapMapData.pageData().months_short[Number(parts[1]) - 1] + " " + parts[0];
  }

  /* Where months begin along the bars, as {month: "YYYY-MM", at: percent of the width from where time starts}:
     at most MAX_TICKS, on months a whole step apart (every 3 months: January, April, July, October), the
     smallest step whose labels (`widthOf(month)` pixels) do not touch on a chart `width` pixels wide; a last
     label that would run off the chart is left out. */
  function monthTicks(bins, width, widthOf) {
    var starts = [];
    bins.forEach(function (bin, n) {
      var month = bin.end.slice(0, 7);
      if (n > 0 && bins[n - 1].end.slice(0, 7) === month) { return; }
      var first = Math.max(days(month + "-01"), days(bin.start));
      var within = (first - days(bin.start)) / (days(bin.end) - days(bin.start) + 1);
      starts.push({ month: month, at: (n + within) / bins.length * 100 });
    });
    var fitting = function (step) {
      var chosen = starts.filter(function (tick) {
        var parts = tick.month.split("-");
        return (Number(parts[0]) * 12 + Number(parts[1]) - 1) % step === 0;
      }).filter(function (tick) { return tick.at / 100 * width + widthOf(tick.month) <= width; });
      var apart = chosen.every(function (tick, n) {
        return n === 0 || chosen[n - 1].at / 100 * width + widthOf(chosen[n - 1].month) + TICK_GAP <= tick.at / 100 * width;
      });
      return apart && chosen.length <= MAX_TICKS ? chosen : null;
    };
    for (var n = 0; n < TICK_STEPS.length; n += 1) {
      var chosen = fitting(TICK_STEPS[n]);
      if (chosen) { return chosen; }
    }
    return [];
  }

  var measure = null;

  /* The width in pixels `text` takes in the font of `element` (measured even while it is hidden). */
  function textWidth(text, element) {
    if (!measure) { measure = document.createElement("canvas").getContext("2d"); }
    var style = getComputedStyle(element);
    measure.font = style.fontStyle + " " + style.fontWeight + " " + style.fontSize + " " + style.fontFamily;
    return measure.measureText(text).width;
  }

  var numberFormat = null;

  /* A count in the page's language with its thousands separators, in Western digits in Arabic too (as the
     ISO dates, coordinates and the API's numbers are), so one screen never mixes two sets of digits. */
  function number(value) {
    if (!numberFormat) { numberFormat = new Intl.NumberFormat((document.documentElement.lang || "en") + "-u-nu-latn"); }
    return numberFormat.format(value);
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) { return key in values ? values[key] : whole; });
  }

  /* A counted message: `forms` holds its CLDR plural forms (one, other; Arabic adds zero, two, few, many), and
     Intl.PluralRules in the page's language picks one as Babel does on the server. */
  function counted(forms, count, values) {
    var category = new Intl.PluralRules(document.documentElement.lang || "en").select(count);
    return format(forms[category] || forms.other, Object.assign({ count: number(count) }, values));
  }

  /* section: the #timeline element; text: interface strings; onChange(start, end) gets ISO dates or nulls. */
  function Timeline(section, text, onChange) {
    this.section = section;
    this.text = text;
    this.onChange = onChange;
    this.chart = section.querySelector(".timeline-chart");
    this.rangeLabel = section.querySelector(".timeline-range");
    this.playButton = section.querySelector(".timeline-play");
    this.ticks = section.querySelector(".timeline-ticks");
    this.bins = [];
    this.start = null;
    this.end = null;
    this.timer = null;
    this.dragFrom = null;
    section.hidden = false;
    this.chart.setAttribute("height", String(HEIGHT));
    this.chart.setAttribute("tabindex", "0");
    this.chart.addEventListener("keydown", this.keyDown.bind(this));
    this.chart.addEventListener("pointerdown", this.pointerDown.bind(this));
    this.chart.addEventListener("pointermove", this.pointerMove.bind(this));
    this.chart.addEventListener("pointerup", this.pointerUp.bind(this));
    this.playButton.addEventListener("click", this.togglePlay.bind(this));
    section.querySelector(".timeline-all").addEventListener("click", function () {
      this.stop();
      this.choose(null, null);
    }.bind(this));
  }

  /* Draws the bins ({start, end, count}) with the range [start, end] (ISO dates or null) highlighted. */
  Timeline.prototype.render = function (timeline, start, end) {
    this.bins = timeline.bins;
    this.start = start;
    this.end = end;
    this.draw(this.selectedBins());
  };

  Timeline.prototype.selectedBins = function () {
    var start = this.start, end = this.end;
    var first = -1, last = -1;
    this.bins.forEach(function (bin, n) {
      if ((!start || bin.end >= start) && (!end || bin.start <= end)) {
        if (first < 0) { first = n; }
        last = n;
      }
    });
    return [first, last];
  };

  Timeline.prototype.draw = function (selected) {
    var chart = this.chart, bins = this.bins, text = this.text;
    while (chart.firstChild) { chart.removeChild(chart.firstChild); }
    var width = Math.max(bins.length, 1);
    chart.setAttribute("viewBox", "0 0 " + width + " " + HEIGHT);
    var most = bins.reduce(function (top, bin) { return Math.max(top, bin.count); }, 0) || 1;
    var whole = !this.start && !this.end;
    var rtl = rightToLeft();
    bins.forEach(function (bin, n) {
      var inRange = whole || (n >= selected[0] && n <= selected[1]);
      var height = bin.count ? Math.max(2, HEIGHT * Math.sqrt(bin.count / most)) : 0;
      var bar = svgNode("rect", {
        x: (rtl ? width - 1 - n : n) + 0.08, y: HEIGHT - height, width: 0.84, height: height,
        "class": "timeline-bar" + (inRange ? " timeline-bar-selected" : "")
      });
      var title = svgNode("title", {});
      title.textContent = counted(text.timeline_bin, bin.count, { start: webmapMapData.dayText(bin.start), end: webmapMapData.dayText(bin.end) });
      bar.appendChild(title);
      chart.appendChild(bar);
    });
    this.drawTicks();
    var shown = bins.length ? webmapMapData.dayText(this.start || bins[0].start) + " – "
      + webmapMapData.dayText(this.end || bins[bins.length - 1].end) : "";
    this.rangeLabel.textContent = shown;
    chart.setAttribute("aria-valuemin", "0");
    chart.setAttribute("aria-valuemax", String(Math.max(bins.length - 1, 0)));
    chart.setAttribute("aria-valuenow", String(whole ? 0 : Math.max(selected[0], 0)));
    chart.setAttribute("aria-valuetext", shown);
  };

  Timeline.prototype.drawTicks = function () {
    var ticks = this.ticks;
    while (ticks.firstChild) { ticks.removeChild(ticks.firstChild); }
    var sample = document.createElement("span");
    sample.className = "timeline-tick";
    ticks.appendChild(sample);
    var padding = parseFloat(getComputedStyle(sample).paddingInlineStart) || 0;
    var widthOf = function (month) { return textWidth(monthText(month), sample) + padding + 1; };
    var width = this.chart.getBoundingClientRect().width || FALLBACK_WIDTH;
    ticks.removeChild(sample);
    // The ticks' box reads the page's way, so inset-inline-start counts from where time starts.
    monthTicks(this.bins, width, widthOf).forEach(function (tick) {
      var label = document.createElement("span");
      label.className = "timeline-tick";
      label.style.insetInlineStart = tick.at + "%";
      label.textContent = monthText(tick.month);
      ticks.appendChild(label);
    });
  };

  Timeline.prototype.binAt = function (event) {
    var box = this.chart.getBoundingClientRect();
    var along = (event.clientX - box.left) / box.width;
    var n = Math.floor((rightToLeft() ? 1 - along : along) * this.bins.length);
    return Math.min(Math.max(n, 0), this.bins.length - 1);
  };

  Timeline.prototype.pointerDown = function (event) {
    if (!this.bins.length) { return; }
    this.stop();
    this.dragFrom = this.binAt(event);
    this.chart.setPointerCapture(event.pointerId);
    this.draw([this.dragFrom, this.dragFrom]);
  };

  Timeline.prototype.pointerMove = function (event) {
    if (this.dragFrom === null) { return; }
    var here = this.binAt(event);
    this.draw([Math.min(this.dragFrom, here), Math.max(this.dragFrom, here)]);
  };

  Timeline.prototype.pointerUp = function (event) {
    if (this.dragFrom === null) { return; }
    var here = this.binAt(event);
    var first = Math.min(this.dragFrom, here), last = Math.max(this.dragFrom, here);
    this.dragFrom = null;
    this.choose(this.bins[first].start, this.bins[last].end);
  };

  /* Keys on the focused chart: arrows move the chosen bars the way they point, later to the right in English
     and to the left in Arabic (from the first or last bar when none is chosen),
     Shift with an arrow moves the range's end, Home and End move the range to the first or last bars,
     Escape chooses all dates again. With Alt, Ctrl or Meta the key is the browser's (Alt+Left: back). */
  var MOVES = { ArrowLeft: -1, ArrowRight: 1, Home: -Infinity, End: Infinity };
  var MOVES_RTL = { ArrowLeft: 1, ArrowRight: -1, Home: -Infinity, End: Infinity };  // left is later

  Timeline.prototype.keyDown = function (event) {
    if (!this.bins.length || !(event.key in MOVES || event.key === "Escape")) { return; }
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    event.preventDefault();
    this.stop();
    if (event.key === "Escape") { this.choose(null, null); return; }
    var last = this.bins.length - 1, move = (rightToLeft() ? MOVES_RTL : MOVES)[event.key];
    // Dates typed in the fields may cover no bar at all: then the keys start afresh, as with none.
    var selected = this.start || this.end ? this.selectedBins() : null;
    if (selected && selected[0] < 0) { selected = null; }
    var first, end;
    if (!selected) {
      first = end = move === 1 || move === -Infinity ? 0 : last;  // a step forward in time starts at the first bar
    } else if (event.shiftKey && isFinite(move)) {
      first = selected[0];
      end = Math.min(Math.max(selected[1] + move, first), last);
    } else {
      var span = selected[1] - selected[0];
      first = Math.min(Math.max(selected[0] + move, 0), last - span);
      end = first + span;
    }
    this.choose(this.bins[first].start, this.bins[end].end);
  };

  Timeline.prototype.choose = function (start, end) {
    this.start = start;
    this.end = end;
    this.draw(this.selectedBins());
    this.onChange(start, end);
  };

  /* Play moves the chosen range (one bar if none) forward a bar at a time, and stops at the last bar. */
  Timeline.prototype.togglePlay = function () {
    if (this.timer) { this.stop(); return; }
    if (!this.bins.length) { return; }
    var chosen = Boolean(this.start || this.end);
    var selected = this.selectedBins();
    var span = chosen ? Math.max(selected[1] - selected[0], 0) : 0;
    // From the chosen range onwards; from the first bar when nothing is chosen or the range is at the end.
    var first = chosen && selected[1] < this.bins.length - 1 ? selected[0] : -1;
    var step = function () {
      first += 1;
      var last = Math.min(first + span, this.bins.length - 1);
      this.choose(this.bins[first].start, this.bins[last].end);
      if (last >= this.bins.length - 1) { this.stop(); }
    }.bind(this);
    this.playButton.textContent = this.text.pause;
    this.playButton.setAttribute("aria-pressed", "true");
    this.timer = setInterval(step, STEP_MS);
    step();
  };

  Timeline.prototype.stop = function () {
    if (this.timer) { clearInterval(this.timer); }
    this.timer = null;
    this.playButton.textContent = this.text.play;
    this.playButton.setAttribute("aria-pressed", "false");
  };

  window.webmapTimeline = { Timeline: Timeline, format: format, number: number, counted: counted, svgNode: svgNode };
}());
