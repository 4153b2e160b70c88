/* Everything a map page shows that comes from stored data (incidents, reference layers, their names and
   attributions) arrives as one JSON block, never inside the page's script: this reads it, draws the
   reference layers with their tooltips and permanent labels, the layer control and the attributions, and
   publishes the map and its layers as window.webmapView for the page's other scripts. Every stored string becomes text. */
(function () {
  "use strict";

  var DATA_ELEMENT = "webmap-map-data";
  var LEAFLET_PREFIX = '<a href="https://leafletjs.com">Leaflet</a>';
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

  function tooltip(properties, fields) {
    var box = document.createElement("div");
    box.className = "webmap-tooltip";
    box.setAttribute("dir", "auto");
    fields.forEach(function (name) {
      var value = properties[name];
      if (value === undefined || value === null || value === "") { return; }
      var line = document.createElement("div");
      line.textContent = String(value);
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
    L.control.layers(null, overlays, { collapsed: true }).addTo(map);
    metricScale(data.controls).addTo(map);
    translateControls(map, data.controls);
    labels.update();
    window.webmapView = { map: map, layers: layers };
  }

  window.webmapMapData = { pageData: pageData, drawReference: drawReference };
}());
