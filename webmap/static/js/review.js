/* The map beside the review list: the submissions of the list, from the page's JSON block, drawn as markers
   whose tooltips are text nodes; selecting one brings its row into view and focus. */
(function () {
  "use strict";

  var element = document.getElementById("review-map");
  var data = JSON.parse(document.getElementById("review-map-data").textContent);
  var map = L.map(element, {attributionControl: true});
  if (data.tiles) {
    L.tileLayer(data.tiles.url, {attribution: data.tiles.attribution, maxZoom: data.tiles.max_zoom}).addTo(map);
  }

  function tooltipFor(feature) {
    var node = document.createElement("span");
    node.setAttribute("dir", "auto");
    node.textContent = feature.properties.title || String(feature.id);
    return node;
  }

  function showRow(feature) {
    var rows = document.querySelectorAll("#review-list .review-item");
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].getAttribute("data-id") === String(feature.id)) {
        rows[i].setAttribute("tabindex", "-1");
        rows[i].scrollIntoView({block: "nearest"});
        rows[i].focus();
      }
    }
  }

  var layer = L.geoJSON({type: "FeatureCollection", features: data.features}, {
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, {radius: 7, color: "#7a3b00", weight: 2, fillColor: "#f0a030", fillOpacity: 0.8});
    },
    style: function () { return {color: "#7a3b00", weight: 2}; },
    onEachFeature: function (feature, item) {
      item.bindTooltip(tooltipFor(feature));
      item.on("click", function () { showRow(feature); });
    }
  }).addTo(map);
  element.setAttribute("data-markers", String(data.features.length));

  if (data.features.length) {
    map.fitBounds(layer.getBounds(), {maxZoom: 12, padding: [20, 20]});
  } else {
    map.setView([data.view[0], data.view[1]], data.view[2]);
  }
}());
