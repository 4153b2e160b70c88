/* The live map: loads the incidents of the current view and filters from /map-data (clusters when many,
   incidents one by one when few), applies filter changes without reloading the page, keeps the address
   bar a shareable link (history.replaceState), and links the incident list with the markers. */
(function () {
  "use strict";

  var FILTERS = ["start", "end", "type", "verification", "precision", "batch", "zone", "governorate",
    "distance_alpha_km", "distance_bravo_km", "q"];
  var LISTS = ["type", "verification", "precision", "batch", "zone", "governorate"];
  var TEXTS = ["start", "end", "q"];
  var RANGES = ["distance_alpha_km", "distance_bravo_km"];  // two inputs each, min then max; `min,max` in the URL
  var FACETS = {
    type: "event_types", verification: "verification", precision: "precision", zone: "zones", governorate: "governorates"
  };
  var FOCUS_ZOOM = 13;  // zoom a list row brings its incident to, if the map is further out
  var MOVE_DELAY = 150;
  var CHANGE_DELAY = 200;
  var CROWDED = 100;  // incidents drawn at once above which uncertainty circles lose their fill
  var PANE = "webmapIncidents";  // incident lines, areas and circles: above the reference layers, below markers
  var ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
  var DRAWER = "screen and (max-width: 700px)";  // as in webmap.css: the panel becomes a sheet over the map
  var SMALL_MAP = { width: 600, height: 500 };  // below either, the key to the lines starts folded

  function format(template, values) { return webmapTimeline.format(template, values); }

  function counted(forms, count, values) { return webmapTimeline.counted(forms, count, values); }

  function number(value) { return webmapTimeline.number(value); }

  /* Whether `text` is a real calendar day written YYYY-MM-DD. */
  function isoDate(text) {
    if (!ISO_DATE.test(text)) { return false; }
    var day = new Date(text + "T00:00:00Z");
    return !isNaN(day.getTime()) && day.toISOString().slice(0, 10) === text;
  }

  /* A query string with commas left readable (type=airstrike,raid). */
  function encoded(params) { return params.toString().replace(/%2C/g, ","); }

  function byDate(descending) {
    return function (a, b) {
      var order = a.properties.date < b.properties.date ? -1 : a.properties.date > b.properties.date ? 1
        : String(a.id) < String(b.id) ? -1 : String(a.id) > String(b.id) ? 1 : 0;
      return descending ? -order : order;
    };
  }

  function start(map, group, config) {
    var live = config.live, text = live.text;
    var form = document.getElementById("map-filters");
    var countNode = document.getElementById("incident-count");
    var viewCountNode = document.getElementById("incident-view-count");
    var notes = { illustrative: document.getElementById("sample-note"), synthetic: document.getElementById("synthetic-note") };
    var noteText = { illustrative: text.sample_note, synthetic: text.synthetic_note };
    var languageLink = document.querySelector(".topbar a[lang]");
    var container = map.getContainer();
    var description = document.getElementById("map-description");
    var clusterLayer = L.layerGroup().addTo(group);
    var focusLayer = L.layerGroup().addTo(group);  // the selected incident, when it is inside a cluster
    var drawn = {};  // incident id -> its layer in `incidents`
    if (!map.getPane(PANE)) { map.createPane(PANE).style.zIndex = 450; }
    var drawOptions = { crowded: false, pane: PANE, added: function (feature, layer) {
      drawn[feature.id] = layer;
      layer.drawnAtZoom = state.zoom;  // lines and areas come simplified for the zoom they were asked at
    } };
    var incidents = webmapIncidents.draw(group, { type: "FeatureCollection", features: [] }, config, drawOptions);
    var focus = null;  // the selected incident's layer in focusLayer
    var timers = {};
    var requests = {};
    var removing = false;  // popups closing because their marker is being replaced, not by the user
    var state = {
      args: live.filters, descending: true, version: null, zoom: null, clustered: false, sorted: [],
      inView: 0, listed: 0, selected: null, popupFor: null, marked: null,
      listBox: null,  // the view the list's rows come from
      back: null  // the view before a list row moved the map, while the list is held on it
    };
    var held = document.querySelector(".incident-list-held");
    var printFilters = document.getElementById("print-filters");

    function schedule(name, action, delay) {
      clearTimeout(timers[name]);
      timers[name] = setTimeout(action, delay);
    }

    function query(extra) {
      var params = new URLSearchParams();
      Object.keys(state.args).forEach(function (key) { params.set(key, state.args[key]); });
      Object.keys(extra || {}).forEach(function (key) { params.set(key, extra[key]); });
      return encoded(params);
    }

    /* Fetches JSON, cancelling the previous request of the same kind; rejects with the server's reasons. */
    function fetchJson(kind, url) {
      if (requests[kind]) { requests[kind].abort(); }
      var controller = new AbortController();
      requests[kind] = controller;
      return fetch(url, { signal: controller.signal, headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.json().then(function (body) {
            if (!response.ok) {
              (body.errors || []).forEach(function (e) { showFieldError(e.field, e.message); });
              var reasons = (body.errors || []).map(function (e) { return e.field + ": " + e.message; });
              throw new Error(reasons.length ? reasons.join("; ") : body.description);
            }
            return body;
          });
        });
    }

    function failed(error) {
      if (error.name === "AbortError") { return; }
      viewCountNode.textContent = error.message || text.load_failed;
      viewCountNode.classList.add("warning");
      container.setAttribute("data-view-state", "failed");
    }

    function formArgs() {
      var data = new FormData(form), args = {};
      TEXTS.forEach(function (key) {
        var value = String(data.get(key) || "").trim();
        if (value) { args[key] = value; }
      });
      LISTS.forEach(function (key) {
        var values = data.getAll(key);
        if (values.length) { args[key] = values.join(","); }
      });
      RANGES.forEach(function (key) {
        var ends = data.getAll(key).map(function (value) { return String(value).trim(); });
        if (ends.join("")) { args[key] = ends.join(","); }
      });
      return args;
    }

    /* Shows a field's problem beside it, marking its inputs invalid (an empty message clears both). */
    function showFieldError(key, message) {
      var node = document.getElementById(key + "-error");
      if (!node) { return false; }
      node.textContent = message;
      node.hidden = !message;
      form.querySelectorAll("input[name='" + key + "']").forEach(function (input) {
        if (message) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
      });
      return true;
    }

    /* Checks each range before asking the server: a number the browser cannot read, or a max below the min. */
    function rangesValid() {
      var valid = true;
      RANGES.forEach(function (key) {
        var inputs = form.querySelectorAll("input[name='" + key + "']");
        var node = document.getElementById(key + "-error");
        var message = "";
        if (Array.prototype.some.call(inputs, function (input) { return input.validity && input.validity.badInput; })) {
          message = inputs[0].validationMessage || inputs[1].validationMessage;
        } else if (inputs.length === 2 && inputs[0].value !== "" && inputs[1].value !== ""
                   && Number(inputs[0].value) > Number(inputs[1].value)) {
          message = node ? node.getAttribute("data-reversed") : "";
        }
        showFieldError(key, message);
        if (message) { valid = false; }
      });
      return valid;
    }

    /* Rewrites the address: the filters, then the view, then any other parameter as it was (lang, ...). */
    function writeUrl() {
      var params = new URLSearchParams();
      Object.keys(state.args).forEach(function (key) { params.set(key, state.args[key]); });
      var center = map.getCenter();
      params.set("lat", center.lat.toFixed(5));
      params.set("lon", center.lng.toFixed(5));
      params.set("zoom", String(map.getZoom()));
      // A view given as a box is now given by its centre and zoom.
      var kept = FILTERS.concat(["lat", "lon", "zoom", "bbox"]);
      new URLSearchParams(location.search).forEach(function (value, key) {
        if (kept.indexOf(key) < 0) { params.append(key, value); }
      });
      var search = encoded(params);
      history.replaceState(history.state, "", location.pathname + (search ? "?" + search : "") + location.hash);
      if (languageLink) {
        var other = new URL(languageLink.href, location.href).searchParams.get("lang");
        params.set("lang", other);
        languageLink.href = location.pathname + "?" + encoded(params);
      }
    }

    function restoreView() {
      var params = new URLSearchParams(location.search);
      var lat = parseFloat(params.get("lat")), lon = parseFloat(params.get("lon"));
      var zoom = parseInt(params.get("zoom"), 10);
      var center = map.getCenter(), level = map.getZoom();
      if (isFinite(lat) && isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) { center = L.latLng(lat, lon); }
      if (isFinite(zoom) && zoom >= 0 && zoom <= 22) { level = zoom; }
      if (!center.equals(map.getCenter()) || level !== map.getZoom()) { map.setView(center, level, { animate: false }); }
    }

    /* "Raid: 3, Airstrike: 1": the counts of `counts` other than zero, restricted to the filter's choices
       when it has some (the summary counts each facet as if its own filter were unset). */
    function countList(counts, names, chosen) {
      var keep = chosen ? chosen.split(",") : null;
      return Object.keys(counts).filter(function (key) {
        return counts[key] > 0 && (!keep || keep.indexOf(key) >= 0);
      }).map(function (key) { return (names[key] || key) + ": " + number(counts[key]); }).join(text.list_separator) || "0";
    }

    /* What the map shows, in words, for screen readers (read out politely as the filters change). */
    function describe(summary) {
      var typeNames = {};
      Object.keys(config.types).forEach(function (key) { typeNames[key] = config.types[key].label; });
      description.textContent = format(text.map_description, {
        count: number(summary.matched),
        types: countList(summary.event_types, typeNames, state.args.type),
        zones: countList(summary.zones, config.zones, state.args.zone)
      });
    }

    function renderSummary(summary) {
      describe(summary);
      countNode.textContent = counted(text.matches, summary.matched);
      countNode.setAttribute("data-count", String(summary.matched));
      form.querySelectorAll(".facet-count").forEach(function (slot) {
        var counts = summary[FACETS[slot.getAttribute("data-facet")]] || {};
        slot.textContent = number(counts[slot.getAttribute("data-value")] || 0);
      });
      Object.keys(notes).forEach(function (kind) {
        if (!notes[kind]) { return; }
        notes[kind].hidden = !summary[kind];
        notes[kind].textContent = counted(noteText[kind], summary[kind]);
      });
      timeline.render(summary.timeline, state.args.start || null, state.args.end || null);
      // The share dialog offers what the reader now sees, not what the page first opened with.
      document.dispatchEvent(new CustomEvent("webmap:filters", {
        detail: { args: Object.assign({}, state.args), bounds: summary.bounds || [], title: summary.title }
      }));
    }

    function loadSummary() {
      var lang = document.documentElement.lang === "ar" ? { lang: "ar" } : {};
      fetchJson("summary", live.summary_url + "?" + query(lang)).then(renderSummary, failed);
    }

    function loadView() {
      var size = map.getSize();
      if (!size.x || !size.y) { return; }
      container.setAttribute("data-view-state", "loading");
      viewCountNode.textContent = text.loading;
      var zoom = Math.round(map.getZoom()), box = webmapViewData.viewBox(map);
      fetchJson("view", live.view_url + "?" + query({
        bbox: box, zoom: zoom, sort: state.descending ? "-date" : "date"
      })).then(function (data) { renderView(data, zoom, box); }, failed);
    }

    function loadList(append) {
      fetchJson("list", live.list_url + "?" + query({
        bbox: state.listBox || webmapViewData.viewBox(map), sort: state.descending ? "-date" : "date", offset: append ? state.listed : 0
      })).then(function (page) { showListPage(page.features, page.total, append); }, failed);
    }

    function showListPage(features, total, append) {
      state.listed = (append ? state.listed : 0) + features.length;
      list.show(features, total, append);
      if (state.selected) { list.highlight(String(state.selected.id)); }
    }

    /* Lists the drawn incidents (all those in view) a page at a time, in the chosen order. */
    function listDrawn(append) {
      var from = append ? state.listed : 0;
      showListPage(state.sorted.slice(from, from + live.list_page), state.inView, append);
    }

    function markSelected(layer) {
      if (state.marked && state.marked.getElement()) { state.marked.getElement().classList.remove("webmap-selected"); }
      state.marked = layer;
      if (layer && layer.getElement()) { layer.getElement().classList.add("webmap-selected"); }
    }

    /* Links an incident layer's popups with the selection and the list. */
    function watch(drawnLayer) {
      drawnLayer.on("popupopen", function (event) {
        var layer = event.propagatedFrom;
        state.selected = layer.feature;
        state.popupFor = layer.feature.id;
        markSelected(layer);
        list.highlight(String(layer.feature.id));
      });
      drawnLayer.on("popupclose", function (event) {
        if (!removing && state.popupFor === event.propagatedFrom.feature.id) { state.popupFor = null; }
      });
      return drawnLayer;
    }

    function clearFocus() {
      removing = true;
      focusLayer.clearLayers();
      removing = false;
      focus = null;
    }

    /* Shows the selected incident: its own marker if drawn, else a marker of its own over the clusters. */
    function showSelected() {
      if (!state.selected) { return null; }
      var id = state.selected.id, layer = drawn[id];
      if (layer) {
        clearFocus();
      } else {
        if (!focus || focus.feature.id !== id) {
          clearFocus();
          var collection = { type: "FeatureCollection", features: [state.selected] };
          focus = watch(webmapIncidents.draw(focusLayer, collection, config, { pane: PANE })).getLayers()[0];
        }
        layer = focus;
      }
      markSelected(layer);
      list.highlight(String(id));
      if (state.popupFor === id && !layer.isPopupOpen()) { layer.openPopup(); }
      return layer;
    }

    function clearSelection() {
      state.selected = null;
      state.popupFor = null;
      markSelected(null);
      clearFocus();
      map.closePopup();
    }

    function renderView(data, zoom, box) {
      clusterLayer.clearLayers();
      data.clusters.forEach(function (cluster) { webmapViewData.clusterMarker(map, cluster, config, text).addTo(clusterLayer); });
      var next = {};
      data.features.forEach(function (feature) { next[feature.id] = true; });
      removing = true;
      Object.keys(drawn).forEach(function (id) {
        // Keep markers that stay in view (an open popup stays open), unless the data changed since, or a line
        // or area was simplified for a lower zoom than this one (its finer outline has just arrived).
        var coarser = drawn[id].feature.geometry.type !== "Point" && drawn[id].drawnAtZoom < zoom;
        if (!next[id] || data.data_version !== state.version || coarser) {
          webmapIncidents.remove(group, incidents, drawn[id]);
          delete drawn[id];
        }
      });
      removing = false;
      drawOptions.crowded = data.features.length > CROWDED;
      state.zoom = zoom;
      incidents.addData(data.features.filter(function (feature) { return !drawn[feature.id]; }));
      state.version = data.data_version;
      if (!state.back) {  // a held list keeps the rows of the view it was chosen from
        state.listBox = box;
        state.clustered = data.clustered;
        state.inView = data.in_view;
        state.sorted = data.clustered ? [] : data.features.slice().sort(byDate(state.descending));
        if (data.clustered) {
          showListPage(data.list.features, data.list.total, false);
        } else {
          listDrawn(false);
        }
      }
      viewCountNode.textContent = counted(text.in_view, data.in_view);
      viewCountNode.classList.remove("warning");
      showSelected();
      container.setAttribute("data-view-state", "ready");
    }

    /* Shows beside each date field why it cannot be used (not a YYYY-MM-DD day; "To" before "From"), and
       tells whether both can. */
    function checkDates(args) {
      var problems = {};
      ["start", "end"].forEach(function (key) {
        if (args[key] && !isoDate(args[key])) { problems[key] = text.date_invalid; }
      });
      if (!problems.start && !problems.end && args.start && args.end && args.end < args.start) {
        problems.end = text.range_invalid;
      }
      ["start", "end"].forEach(function (key) { showFieldError(key, problems[key] || ""); });
      return !problems.start && !problems.end;
    }

    /* The filters in words, for the printed page: the dates, then each group's chosen values. */
    function describeFilters() {
      var parts = [];
      var dates = ["start", "end"].filter(function (key) { return state.args[key]; });
      if (dates.length) {
        parts.push(dates.map(function (key) {
          return form.elements[key].closest("label").firstChild.textContent.trim() + " " + state.args[key];
        }).join(" "));
      }
      form.querySelectorAll("fieldset.choices").forEach(function (fieldset) {
        var chosen = Array.prototype.map.call(fieldset.querySelectorAll("input:checked"), function (input) {
          var label = input.closest("label").cloneNode(true);
          label.querySelectorAll(".facet-count").forEach(function (count) { count.remove(); });
          return label.textContent.trim();
        });
        if (chosen.length) { parts.push(fieldset.querySelector("legend").textContent.trim() + ": " + chosen.join(", ")); }
      });
      printFilters.textContent = parts.length ? format(printFilters.getAttribute("data-template"), { filters: parts.join("; ") })
        : printFilters.getAttribute("data-none");
    }

    /* Lets the list follow the view again, and forgets the view to go back to. */
    function releaseList() {
      state.back = null;
      held.hidden = true;
    }

    function apply() {
      var args = formArgs();
      // An unusable date or distance range changes nothing: the results, the count and the address stay on the
      // last good one. Both are checked, so every field with a problem says so at once.
      var datesUsable = checkDates(args);
      if (!rangesValid() || !datesUsable) { return; }
      state.args = args;
      releaseList();
      clearSelection();
      writeUrl();
      describeFilters();
      loadSummary();
      loadView();
    }

    var drawer = {
      toggle: document.getElementById("panel-toggle"),
      panel: document.getElementById("map-panel"),
      narrow: window.matchMedia(DRAWER),
      set: function (open) {
        document.body.classList.toggle("panel-open", open);
        drawer.toggle.setAttribute("aria-expanded", String(open));
      }
    };

    /* Shows a listed incident on the map, its popup opened once the map has moved there (so the popup pans
       fully into view); the list keeps its rows, and offers the way back to the view they came from. An
       incident not yet drawn on its own gets its popup when the new view is drawn, on the marker that stays. */
    function activate(feature) {
      if (!state.back) { state.back = { center: map.getCenter(), zoom: map.getZoom() }; }
      held.hidden = false;
      if (drawer.narrow.matches) { drawer.set(false); }
      state.selected = feature;
      state.popupFor = null;
      var layer = showSelected();
      if (layer.getLatLng) {
        map.setView(layer.getLatLng(), Math.max(map.getZoom(), FOCUS_ZOOM), { animate: false });
      } else {
        map.fitBounds(layer.getBounds(), { maxZoom: Math.max(map.getZoom(), FOCUS_ZOOM), animate: false });
      }
      state.popupFor = feature.id;
      if (drawn[feature.id]) { layer.openPopup(); }
    }

    function goBack() {
      var back = state.back;
      releaseList();
      clearSelection();
      map.setView(back.center, back.zoom, { animate: false });
      container.focus();
    }

    /* On narrow screens the panel is a sheet over the map, opened and closed by the button in the header. */
    function startDrawer() {
      drawer.toggle.hidden = false;
      document.body.classList.add("has-drawer");
      // On a phone the map has just grown into the panel's old place: Leaflet measures it again (only then,
      // as measuring forgets the exact centre the page was opened at).
      var size = map.getSize();
      if (container.clientWidth !== size.x || container.clientHeight !== size.y) { map.invalidateSize({ animate: false }); }
      drawer.panel.setAttribute("tabindex", "-1");
      drawer.toggle.addEventListener("click", function () {
        var open = drawer.toggle.getAttribute("aria-expanded") !== "true";
        drawer.set(open);
        if (open) { drawer.panel.focus(); }
      });
      drawer.panel.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && drawer.narrow.matches) {
          drawer.set(false);
          drawer.toggle.focus();
        }
      });
      // Tab past the sheet's end goes on to the map, which the open sheet would hide: it steps aside, so what
      // has focus is in sight. Back into the header (above the sheet) it stays open.
      drawer.panel.addEventListener("focusout", function (event) {
        var next = event.relatedTarget;
        if (next && drawer.narrow.matches && container.contains(next)) { drawer.set(false); }
      });
    }

    /* Paper has its own page size: the map is redrawn for it, with the key to the lines open, and for the
       screen again afterwards, with the key as it was. */
    function startPrint(key) {
      var print = window.matchMedia("print"), keyWasOpen = null;
      var resize = function (event) {
        // Before "beforeprint" has run, the print media query does not match yet.
        var printing = event.type === "beforeprint" || (event.type !== "afterprint" && print.matches);
        if (key && printing && keyWasOpen === null) {
          keyWasOpen = key.open;
          key.open = true;
        } else if (key && !printing && keyWasOpen !== null) {
          key.open = keyWasOpen;
          keyWasOpen = null;
        }
        map.invalidateSize({ animate: false });
      };
      print.addEventListener("change", resize);
      window.addEventListener("beforeprint", resize);
      window.addEventListener("afterprint", resize);
    }

    var list = new webmapList.IncidentList(document.getElementById("incident-list"), config, {
      activate: activate,
      sort: function (descending) {
        state.descending = descending;
        if (state.clustered) {
          loadList(false);
        } else {
          state.sorted.sort(byDate(descending));
          listDrawn(false);
        }
      },
      more: function () {
        if (state.clustered) { loadList(true); } else { listDrawn(true); }
      },
      dismiss: function () { map.closePopup(); }
    });
    var timeline = new webmapTimeline.Timeline(document.getElementById("timeline"), text, function (first, last) {
      form.elements.start.value = first || "";
      form.elements.end.value = last || "";
      apply();
    });

    watch(incidents);
    webmapIncidents.fillLegend(config);
    renderSummary(live.summary);
    startDrawer();
    restoreView();
    describeFilters();
    held.querySelector(".incident-list-back").addEventListener("click", goBack);
    var key = document.querySelector(".map-key");
    if (key && (container.clientWidth < SMALL_MAP.width || container.clientHeight < SMALL_MAP.height)) { key.open = false; }
    startPrint(key);
    form.noValidate = true;  // the dates are checked here, with messages in the page's language beside each field
    form.addEventListener("change", function (event) {
      if (event.target.name === "start" || event.target.name === "end") { timeline.stop(); }
      schedule("apply", apply, CHANGE_DELAY);
    });
    // A date applies as soon as it is whole (or cleared), without waiting for the field to lose focus.
    form.addEventListener("input", function (event) {
      var name = event.target.name, value = event.target.value.trim();
      if ((name === "start" || name === "end") && (value === "" || isoDate(value))) {
        timeline.stop();
        schedule("apply", apply, CHANGE_DELAY);
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      apply();
    });
    map.on("moveend", function () {
      writeUrl();
      schedule("view", loadView, MOVE_DELAY);
    });
    // Now, so the answer is on its way while the rest of the map is drawn; if that script still moves the
    // map, moveend asks again for the new view.
    loadView();
  }

  window.webmapLive = { start: start };
}());
