/* What the full map and embeds share to show /map-data/view: the box of the view they ask for, and cluster
   markers (a count inside a ring of event-type colours, each arc as long as that type's share; selecting one,
   by click, Enter or Space, zooms to its incidents). */
(function () {
  "use strict";

  var FALLBACK_MAX_ZOOM = 18;
  var RING_RADIUS = 100 / (2 * Math.PI);  // a circumference of 100: arcs are drawn in percent

  function format(template, values) { return webmapTimeline.format(template, values); }

  function number(value) { return webmapTimeline.number(value); }

  function clamp(value, low, high) { return Math.min(Math.max(value, low), high); }

  function abbreviate(count) {
    if (count >= 1000000) { return (count / 1000000).toFixed(count >= 10000000 ? 0 : 1) + "M"; }
    if (count >= 10000) { return Math.round(count / 1000) + "k"; }
    return number(count);
  }

  function zoomTo(map, cluster) {
    var bounds = L.latLngBounds([cluster.bounds[1], cluster.bounds[0]], [cluster.bounds[3], cluster.bounds[2]]);
    var most = isFinite(map.getMaxZoom()) ? map.getMaxZoom() : FALLBACK_MAX_ZOOM;
    var fit = map.getBoundsZoom(bounds, false, L.point(40, 40));
    map.setView(bounds.getCenter(), clamp(Math.max(fit, map.getZoom() + 1), 0, most));
  }

  /* The visible box as /map-data takes it: minx,miny,maxx,maxy in degrees, clamped to the world. */
  function viewBox(map) {
    var b = map.getBounds();
    return [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90), clamp(b.getEast(), -180, 180),
      clamp(b.getNorth(), -90, 90)].map(function (v) { return v.toFixed(5); }).join(",");
  }

  /* The circle's circumference is 100 units, so each arc's dash length is its percentage. */
  function typeRing(cluster, config) {
    var ring = webmapTimeline.svgNode("svg", { viewBox: "0 0 36 36", "class": "webmap-cluster-ring", "aria-hidden": "true" });
    var done = 0;
    Object.keys(cluster.event_types).forEach(function (type) {
      var share = cluster.event_types[type] / cluster.count * 100;
      ring.appendChild(webmapTimeline.svgNode("circle", {
        cx: 18, cy: 18, r: RING_RADIUS, fill: "none", "stroke-width": 5, "data-type": type,
        stroke: (config.types[type] || {}).color || "#888",
        "stroke-dasharray": share + " " + (100 - share), "stroke-dashoffset": 25 - done  // from twelve o'clock
      }));
      done += share;
    });
    return ring;
  }

  /* A marker for one cluster; `text` holds cluster_title and cluster_approximate (counted, with their plural
     forms), cluster_types, and the language's clause and list separators (clause_separator, stats_comma). */
  function marker(map, cluster, config, text) {
    var size = cluster.count < 10 ? 28 : cluster.count < 100 ? 32 : cluster.count < 1000 ? 38 : cluster.count < 10000 ? 44 : 50;
    var icon = document.createElement("div");
    icon.className = "webmap-cluster-body";
    var label = document.createElement("span");
    label.textContent = abbreviate(cluster.count);
    icon.appendChild(typeRing(cluster, config));
    icon.appendChild(label);
    var title = webmapTimeline.counted(text.cluster_title, cluster.count);
    if (cluster.approximate) {
      title += text.clause_separator + webmapTimeline.counted(text.cluster_approximate, cluster.approximate);
    }
    title += text.clause_separator + format(text.cluster_types, { types: Object.keys(cluster.event_types).map(function (type) {
      return ((config.types[type] || {}).label || type) + " " + number(cluster.event_types[type]);
    }).join(text.stats_comma) });
    var approximate = cluster.approximate * 2 >= cluster.count ? " webmap-cluster-approximate" : "";
    var drawn = L.marker([cluster.lat, cluster.lon], {
      icon: L.divIcon({ html: icon, className: "webmap-cluster" + approximate, iconSize: [size, size] }),
      title: title, alt: title, keyboard: true, riseOnHover: true
    });
    drawn.on("click", function () { zoomTo(map, cluster); });
    drawn.on("add", function () {
      var element = drawn.getElement();
      element.setAttribute("aria-label", title);
      // Enter or Space zooms in as a click does; the cluster then gives way to what it held, so focus goes
      // to the map, from which Tab reaches them.
      element.addEventListener("keydown", function (event) {
        if (event.key !== "Enter" && event.key !== " ") { return; }
        event.preventDefault();
        zoomTo(map, cluster);
        map.getContainer().focus({ preventScroll: true });
      });
    });
    return drawn;
  }

  window.webmapViewData = { clusterMarker: marker, zoomToCluster: zoomTo, viewBox: viewBox };
}());
