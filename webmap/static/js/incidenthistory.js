/* The history's small maps: for each move, the earlier location hollow, the later filled, joined by a line. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("history-map-data").textContent);
  document.querySelectorAll(".history-map").forEach(function (holder) {
    var move = data.moves[Number(holder.getAttribute("data-move"))];
    if (!move) { return; }
    var before = [move.before[1], move.before[0]], after = [move.after[1], move.after[0]];
    var map = L.map(holder, { keyboard: false, scrollWheelZoom: false, attributionControl: Boolean(data.tiles) });
    if (data.tiles) {
      L.tileLayer(data.tiles.url, { attribution: data.tiles.attribution, maxZoom: data.tiles.max_zoom }).addTo(map);
    }
    L.polyline([before, after], { color: "#555555", weight: 2, dashArray: "4 4", interactive: false }).addTo(map);
    L.circleMarker(before, { radius: 7, color: "#1d2b36", weight: 2, fill: false, interactive: false }).addTo(map);
    L.circleMarker(after, { radius: 7, color: "#ffffff", weight: 2, fillColor: "#1d2b36", fillOpacity: 1, interactive: false }).addTo(map);
    map.fitBounds(L.latLngBounds([before, after]).pad(0.5), { maxZoom: 14 });
  });
}());
