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
    labels.update();
    window.webmapView = { map: map, layers: layers };
  }

  window.webmapMapData = { pageData: pageData, drawReference: drawReference };
}());
