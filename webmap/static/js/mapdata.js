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
    labels.update();
    window.webmapView = { map: map, layers: layers };
  }

  window.webmapMapData = { pageData: pageData, drawReference: drawReference };
}());
