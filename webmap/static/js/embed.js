/* Opens the embed's legend when the frame is large enough to show it beside the map. */
(function () {
  "use strict";
  var legend = document.querySelector(".embed-legend");
  if (legend && window.innerWidth >= 800 && window.innerHeight >= 500) { legend.open = true; }
}());
