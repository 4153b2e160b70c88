/* The incident edit form: source rows added and removed, and the location set by dragging the marker on a
   small map or by typing coordinates (each follows the other). Without scripts the form works as it is. */
(function () {
  "use strict";

  function renumber(list) {
    var rows = list.querySelectorAll(".source-row");
    rows.forEach(function (row, index) {
      var n = String(index + 1);
      row.querySelector("input").setAttribute("aria-label", list.getAttribute("data-row").replace("{n}", n));
      var remove = row.querySelector("button");
      if (remove) { remove.setAttribute("aria-label", list.getAttribute("data-remove").replace("{n}", n)); }
    });
  }

  function addRemoveButton(list, row) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "source-remove";
    button.textContent = "×";
    button.addEventListener("click", function () {
      var next = row.nextElementSibling || row.previousElementSibling;
      row.parentNode.removeChild(row);
      renumber(list);
      var focus = next ? next.querySelector("input") : document.querySelector(".source-add");
      if (focus) { focus.focus(); }
    });
    row.appendChild(button);
  }

  function sourceRows() {
    var list = document.querySelector(".source-rows");
    var add = document.querySelector(".source-add");
    if (!list || !add) { return; }
    // With scripts, one empty row is enough: more come with the button.
    var rows = list.querySelectorAll(".source-row");
    for (var i = rows.length - 1; i > 0 && !rows[i].querySelector("input").value && !rows[i - 1].querySelector("input").value; i--) {
      list.removeChild(rows[i]);
    }
    list.querySelectorAll(".source-row").forEach(function (row) { addRemoveButton(list, row); });
    add.hidden = false;
    add.addEventListener("click", function () {
      var row = document.createElement("li");
      row.className = "source-row";
      var input = document.createElement("input");
      input.type = "text";
      input.name = "sources";
      input.dir = "auto";
      row.appendChild(input);
      addRemoveButton(list, row);
      list.appendChild(row);
      renumber(list);
      input.focus();
    });
    renumber(list);
  }

  function coordinate(input, limit) {
    var value = Number(input.value.trim());
    return input.value.trim() !== "" && isFinite(value) && Math.abs(value) <= limit ? value : null;
  }

  function locationMap() {
    var holder = document.getElementById("edit-map-data");
    if (!holder || !window.L) { return; }
    var data = JSON.parse(holder.textContent);
    var latInput = document.getElementById("field-latitude");
    var lonInput = document.getElementById("field-longitude");
    var lat = coordinate(latInput, 90), lon = coordinate(lonInput, 180);
    var start = lat !== null && lon !== null ? [lat, lon] : [33, 36];
    var map = L.map("edit-map", { keyboard: true }).setView(start, 10);
    if (data.tiles) {
      L.tileLayer(data.tiles.url, { attribution: data.tiles.attribution, maxZoom: data.tiles.max_zoom }).addTo(map);
    }
    var marker = L.marker(start, { draggable: true, keyboard: true, title: data.text.map, alt: data.text.map }).addTo(map);
    function typed() {
      var la = coordinate(latInput, 90), lo = coordinate(lonInput, 180);
      if (la !== null && lo !== null) { marker.setLatLng([la, lo]); map.panTo([la, lo]); }
    }
    function placed(latlng) {
      marker.setLatLng(latlng);
      latInput.value = latlng.lat.toFixed(6);
      lonInput.value = latlng.lng.toFixed(6);
    }
    marker.on("dragend", function () { placed(marker.getLatLng()); });
    map.on("click", function (event) { placed(event.latlng); });
    latInput.addEventListener("input", typed);
    lonInput.addEventListener("input", typed);
  }

  sourceRows();
  locationMap();
}());
