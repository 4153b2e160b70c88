/* Permanent labels of the reference layers (the 1974 lines and zones, governorates, towns), drawn in a map
   pane of their own that takes no clicks and no keyboard focus. After every move or zoom, and whenever a
   layer is shown or hidden, the labels are placed in rank order and any label that would overlap one
   already placed, or a control or the key over the map, or whose zoom has not been reached, is hidden. Label text is set as text, never HTML. */
(function () {
  "use strict";

  var PANE = "webmapLabels";  // above the reference layers and incident areas, below incident markers
  var PANE_Z = 460;
  var GAP = 2;  // pixels kept clear around every placed label
  var OBSTACLES = ".leaflet-control, .map-key";  // boxes over the map that would hide a label beneath them

  function overlaps(a, b) {
    return a.left < b.right + GAP && b.left < a.right + GAP && a.top < b.bottom + GAP && b.top < a.bottom + GAP;
  }

  /* Holds the labels of one map and keeps them from colliding. */
  function Labels(map) {
    this.map = map;
    this.markers = [];
    if (!map.getPane(PANE)) {
      var pane = map.createPane(PANE);
      pane.style.zIndex = PANE_Z;
      pane.style.pointerEvents = "none";
    }
    this.update = this.update.bind(this);
    map.on("moveend overlayadd overlayremove resize", this.update);
    // The key folds open and shut; toggle does not bubble, so it is caught on its way down.
    document.addEventListener("toggle", this.update, true);
  }

  /* Adds labels ({text, lon, lat, rank, kind, place, min_zoom}) to a layer group, so they show and hide
     with it; `color` tints the labels of lines, which name a line drawn in that colour. */
  Labels.prototype.add = function (group, labels, color) {
    labels.forEach(function (label) {
      var text = document.createElement("span");
      text.className = "webmap-label webmap-label-" + label.kind + " webmap-label-" + label.place;
      text.setAttribute("dir", "auto");
      text.textContent = label.text;
      if (label.kind === "line" && color) { text.style.color = color; }
      var marker = L.marker([label.lat, label.lon], {
        icon: L.divIcon({ html: text, className: "webmap-label-anchor", iconSize: null }),
        pane: PANE, interactive: false, keyboard: false
      });
      marker.label = label;
      group.addLayer(marker);
      this.markers.push(marker);
    }, this);
    this.markers.sort(function (a, b) { return b.label.rank - a.label.rank; });
  };

  /* Measures every label on the map first and then shows or hides them, so the page lays out once. */
  Labels.prototype.update = function () {
    var map = this.map, zoom = map.getZoom(), view = map.getContainer().getBoundingClientRect();
    var shown = this.markers.filter(function (marker) { return map.hasLayer(marker) && marker.getElement(); });
    var boxes = shown.map(function (marker) { return marker.getElement().firstChild.getBoundingClientRect(); });
    var placed = Array.prototype.map.call(document.querySelectorAll(OBSTACLES), function (element) {
      return element.getBoundingClientRect();
    }).filter(function (box) { return box.width && box.height; });
    shown.forEach(function (marker, n) {
      var box = boxes[n];
      var visible = zoom >= marker.label.min_zoom && overlaps(box, view)
        && !placed.some(function (other) { return overlaps(box, other); });
      if (visible) { placed.push(box); }
      marker.getElement().classList.toggle("webmap-label-hidden", !visible);
    });
    // Says which view the labels were last placed for, so a reader (or a test) knows they are current.
    map.getContainer().setAttribute("data-labels-view", zoom + "/" + map.getCenter().lat.toFixed(3) + "/"
      + map.getCenter().lng.toFixed(3));
  };

  window.webmapLabels = { Labels: Labels };
}());
