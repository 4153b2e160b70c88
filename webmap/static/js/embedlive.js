/* The embed's incidents, loaded by view as on the full map: after every move it asks /map-data/view for the
   visible box and zoom (with the embed's filters and, when pinned, its data version) and draws the clusters
   and the incidents one by one. Markers that stay in view stay, with any open popup. The embed has no
   filters, timeline or list to keep in step. */
(function () {
  "use strict";

  var MOVE_DELAY = 150;
  var CROWDED = 100;  // incidents drawn at once above which uncertainty circles lose their fill
  var PANE = "webmapIncidents";  // incident lines, areas and circles: above the reference layers, below markers

  function start(map, group, config) {
    var live = config.live;
    var container = map.getContainer();
    var clusterLayer = L.layerGroup().addTo(group);
    var drawn = {};  // incident id -> its layer in `incidents`
    var version = null, zoomDrawn = null, request = null, timer = null, asked = null;
    if (!map.getPane(PANE)) { map.createPane(PANE).style.zIndex = 450; }
    var options = { crowded: false, pane: PANE, added: function (feature, layer) {
      drawn[feature.id] = layer;
      layer.drawnAtZoom = zoomDrawn;  // lines and areas come simplified for the zoom they were asked at
    } };
    var incidents = webmapIncidents.draw(group, { type: "FeatureCollection", features: [] }, config, options);

    function render(data, zoom) {
      clusterLayer.clearLayers();
      data.clusters.forEach(function (cluster) {
        webmapViewData.clusterMarker(map, cluster, config, live.text).addTo(clusterLayer);
      });
      var next = {};
      data.features.forEach(function (feature) { next[feature.id] = true; });
      Object.keys(drawn).forEach(function (id) {
        var coarser = drawn[id].feature.geometry.type !== "Point" && drawn[id].drawnAtZoom < zoom;
        if (!next[id] || data.data_version !== version || coarser) {
          webmapIncidents.remove(group, incidents, drawn[id]);
          delete drawn[id];
        }
      });
      options.crowded = data.features.length > CROWDED;
      zoomDrawn = zoom;
      incidents.addData(data.features.filter(function (feature) { return !drawn[feature.id]; }));
      version = data.data_version;
      container.setAttribute("data-in-view", String(data.in_view));
      container.setAttribute("data-view-state", "ready");
    }

    function load() {
      var size = map.getSize();
      if (!size.x || !size.y) { return; }
      var zoom = Math.round(map.getZoom());
      var params = new URLSearchParams(live.filters);
      params.set("bbox", webmapViewData.viewBox(map));
      params.set("zoom", String(zoom));
      var url = live.view_url + "?" + params.toString().replace(/%2C/g, ",");
      if (url === asked) { return; }  // the opening fit and the first load name the same view
      asked = url;
      if (request) { request.abort(); }
      request = new AbortController();
      container.setAttribute("data-view-state", "loading");
      fetch(url, {
        signal: request.signal, headers: { Accept: "application/json" }
      }).then(function (response) {
        if (!response.ok) { throw new Error(live.text.load_failed); }
        return response.json();
      }).then(function (data) { render(data, zoom); }, function (error) {
        if (error.name !== "AbortError") {
          asked = null;
          container.setAttribute("data-view-state", "failed");
        }
      });
    }

    webmapIncidents.fillLegend(config);
    map.on("moveend", function () {
      clearTimeout(timer);
      timer = setTimeout(load, MOVE_DELAY);
    });
    // After the rest of the map's set-up script, which may still fit the map to the embed's box.
    setTimeout(load, 0);
  }

  window.webmapLive = { start: start };
}());
