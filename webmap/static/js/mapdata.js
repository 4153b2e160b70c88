/* Everything a map page shows that comes from stored data (incidents, reference layers, their names and
   attributions) arrives as one JSON block, never inside the page's script: this reads it, draws the
   reference layers with their tooltips and permanent labels, the layer control and the attributions, and
   publishes the map and its layers as window.webmapView for the page's other scripts. Every stored string becomes text. */
(function () {
  "use strict";

  var DATA_ELEMENT = "webmap-map-data";
  var LEAFLET_PREFIX = '<a href="https://leafletjs.com">Leaflet</a>';
  var CREDITS_MARGIN = 32;  // pixels between the open credits and the scale bar, the button and the map's edge
  var parsed = null;

  function pageData() {
    if (parsed === null) { parsed = JSON.parse(document.getElementById(DATA_ELEMENT).textContent); }
    return parsed;
  }

  /* Leaflet's layer control and attribution insert their strings as HTML, so stored names go in escaped. */
  function escapeHtml(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  var ARABIC_LETTER = /[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]/;
  var LATIN_LETTER = /[A-Za-z\u00c0-\u024f]/;

  /* Stored text among the page's words: a <bdi> keeps its own direction (an English place name in an Arabic
     row), and its language, told by its script as on the server, lets screen readers read it right. */
  function dataText(text) {
    var node = document.createElement("bdi");
    var value = String(text);
    node.textContent = value;
    node.setAttribute("dir", "auto");
    if (ARABIC_LETTER.test(value)) { node.setAttribute("lang", "ar"); }
    else if (LATIN_LETTER.test(value)) { node.setAttribute("lang", "en"); }
    return node;
  }

  /* An ISO day as the page's language writes it (25 February 2025, 25 شباط/فبراير 2025); ISO stays in
     addresses and inputs. Anything that is not an ISO day is left as it is. */
  function dayText(iso) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(iso));
    if (!parts) { return iso; }
    return Number(parts[3]) + " " + pageData().months[Number(parts[2]) - 1] + " " + parts[1];
  }

  /* The same day in a <time> element that keeps it in ISO for machines. */
  function dayNode(iso) {
    var node = document.createElement("time");
    node.setAttribute("datetime", iso);
    node.textContent = dayText(iso);
    return node;
  }

  function tooltip(properties, fields) {
    var box = document.createElement("div");
    box.className = "webmap-tooltip";
    box.setAttribute("dir", "auto");
    fields.forEach(function (name) {
      var value = properties[name];
      if (value === undefined || value === null || value === "") { return; }
      var line = document.createElement("div");
      line.appendChild(dataText(value));
      box.appendChild(line);
    });
    return box;
  }

  function referenceLayer(layer) {
    return L.geoJSON(layer.data, {
      style: function () { return layer.style; },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, Object.assign({ radius: 3 }, layer.style));
      },
      onEachFeature: function (feature, drawn) {
        // Reference shapes are described by the legend and their labels: out of the Tab order, though
        // they keep their tooltips for the mouse.
        drawn.on("add", function () {
          var element = drawn.getElement();
          if (element) { element.setAttribute("tabindex", "-1"); }
        });
        if (layer.tooltip_fields.length) {
          drawn.bindTooltip(function () { return tooltip(feature.properties || {}, layer.tooltip_fields); },
            { sticky: true });
        }
      }
    });
  }

  /* Leaflet's scale writes "20 km" in Latin, which a right-to-left page shows as "km 20": this one is metric
     only and writes its distance with the page's own unit ("20 كم"). */
  function metricScale(words) {
    var Scale = L.Control.Scale.extend({
      _updateScale: function (scale, text, ratio) {
        var parts = text.split(" ");
        var unit = parts[1] === "km" ? words.scale_km : words.scale_m;
        L.Control.Scale.prototype._updateScale.call(this, scale, unit.replace("{count}", parts[0]), ratio);
      }
    });
    return new Scale({ imperial: false });
  }

  function name(element, words) {
    if (element) { element.setAttribute("title", words); element.setAttribute("aria-label", words); }
  }

  /* Leaflet's controls name their buttons in English: they take the page's words instead. */
  function translateControls(map, words) {
    var container = map.getContainer();
    name(container.querySelector(".leaflet-control-zoom-in"), words.zoom_in);
    name(container.querySelector(".leaflet-control-zoom-out"), words.zoom_out);
    name(container.querySelector(".leaflet-control-layers-toggle"), words.layers_control);
    map.on("popupopen", function (event) {
      name(event.popup.getElement().querySelector(".leaflet-popup-close-button"), words.close_popup);
    });
  }

  /* Folds the attribution into a "©" button that opens it in full: one small square in the corner until asked
     for, then every credit on as many lines as it takes, never wider than the room beside the scale bar. */
  function compactAttribution(map, label) {
    var attribution = map.attributionControl.getContainer();
    var Credits = L.Control.extend({
      options: { position: "bottomright" },
      onAdd: function () {
        var box = L.DomUtil.create("div", "webmap-credits");
        var button = L.DomUtil.create("button", "webmap-credits-toggle", box);
        button.type = "button";
        button.textContent = "©";
        button.title = label;
        button.setAttribute("aria-label", label);
        button.setAttribute("aria-expanded", "false");
        attribution.id = "webmap-credits-text";
        button.setAttribute("aria-controls", attribution.id);
        box.appendChild(attribution);
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.on(button, "click", function () {
          var open = button.getAttribute("aria-expanded") !== "true";
          button.setAttribute("aria-expanded", String(open));
          box.classList.toggle("webmap-credits-open", open);
          fit();
        });
        function fit() {
          var frame = map.getContainer().getBoundingClientRect();
          var scale = map.getContainer().querySelector(".leaflet-control-scale");
          var scaleEnd = scale && scale.offsetWidth ? scale.getBoundingClientRect().right - frame.left : 0;
          attribution.style.maxWidth = Math.max(frame.width - scaleEnd - button.offsetWidth - CREDITS_MARGIN, 100) + "px";
        }
        map.on("resize", fit);
        return box;
      }
    });
    new Credits().addTo(map);
  }

  /* Draws the reference layers under the incident group (already on the map), then the controls. */
  function drawReference(map, incidentGroup) {
    var data = pageData();
    var overlays = {};
    var layers = {};
    var labels = new webmapLabels.Labels(map);
    overlays[escapeHtml(data.incidents_name)] = incidentGroup;
    data.layers.forEach(function (layer) {
      var drawn = referenceLayer(layer);
      labels.add(drawn, layer.labels, layer.style.color);
      if (layer.shown) { drawn.addTo(map); }
      layers[layer.id] = drawn;
      overlays[escapeHtml(layer.title)] = drawn;
    });
    // Leaflet's default prefix carries a national flag; a map of a contested front keeps it plain.
    map.attributionControl.setPrefix(LEAFLET_PREFIX);
    data.attributions.forEach(function (text) { map.attributionControl.addAttribution(escapeHtml(text)); });
    compactAttribution(map, data.credits_name);
    L.control.layers(null, overlays, { collapsed: true }).addTo(map);
    metricScale(data.controls).addTo(map);
    translateControls(map, data.controls);
    labels.update();
    window.webmapView = { map: map, layers: layers };
  }

  window.webmapMapData = { pageData: pageData, drawReference: drawReference, dataText: dataText,
    dayText: dayText, dayNode: dayNode };
}());
