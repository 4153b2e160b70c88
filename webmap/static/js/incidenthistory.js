/* The history's small maps: for each move, the earlier location hollow, the later filled, joined by a line, on
   paper. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("history-map-data").textContent);
  document.querySelectorAll(".history-map").forEach(function (holder) {
    var move = data.moves[Number(holder.getAttribute("data-move"))];
    if (!move) { return; }
    var before = [move.before[1], move.before[0]], after = [move.after[1], move.after[0]];
    // A picture, not a control (its text says how far it moved): nothing in it takes focus or a click, and it
    // draws no basemap, so it owes no credit line.
    var map = L.map(holder, { keyboard: false, dragging: false, scrollWheelZoom: false, doubleClickZoom: false,
      boxZoom: false, touchZoom: false, zoomControl: false, attributionControl: false });
    L.polyline([before, after], { color: "#555555", weight: 2, dashArray: "4 4", interactive: false }).addTo(map);
    L.circleMarker(before, { radius: 7, color: "#1d2b36", weight: 2, fill: false, interactive: false }).addTo(map);
    L.circleMarker(after, { radius: 7, color: "#ffffff", weight: 2, fillColor: "#1d2b36", fillOpacity: 1, interactive: false }).addTo(map);
    map.fitBounds(L.latLngBounds([before, after]).pad(0.5), { maxZoom: 14 });
  });
}());
