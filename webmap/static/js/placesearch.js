/* The place search box: suggests places of the gazetteer (/map-data/places) as the reader types, in English
   or Arabic, as an ARIA combobox with a listbox (arrow keys, Enter, Escape, or the pointer); the place chosen
   moves the map (a governorate's extent, a town at PLACE_ZOOM), and a button filters the incidents by its
   name. Every name is put on the page as text. */
(function () {
  "use strict";

  var PLACE_ZOOM = 12;
  var TYPING_DELAY = 150;

  var box = document.getElementById("place-search");
  if (!box || !window.webmapView || !window.fetch) { return; }
  var input = document.getElementById("place-search-input");
  var list = document.getElementById("place-search-list");
  var status = document.getElementById("place-search-status");
  var filterButton = document.getElementById("place-search-filter");
  var text = box.dataset;
  var map = window.webmapView.map;
  var places = [];
  var active = -1;
  var timer = null;
  var request = null;
  var chosen = null;

  function fill(template, name) { return template.replace("{name}", name); }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    active = index;
    Array.prototype.forEach.call(list.children, function (option, n) {
      option.setAttribute("aria-selected", n === index ? "true" : "false");
    });
    if (index < 0) {
      input.removeAttribute("aria-activedescendant");
    } else {
      input.setAttribute("aria-activedescendant", list.children[index].id);
      list.children[index].scrollIntoView({ block: "nearest" });
    }
  }

  function option(place, index) {
    var item = document.createElement("li");
    item.id = "place-option-" + index;
    item.setAttribute("role", "option");
    item.setAttribute("aria-selected", "false");
    var name = document.createElement("span");
    name.className = "place-name";
    name.textContent = place.name;
    item.appendChild(name);
    var other = document.createElement("span");
    other.className = "place-other";
    other.setAttribute("dir", "auto");
    other.textContent = " " + place.other_name + (place.kind === "governorate" ? " · " + text.governorate : "");
    item.appendChild(other);
    // mousedown, not click: the input keeps the focus, so the list is not closed first.
    item.addEventListener("mousedown", function (event) {
      event.preventDefault();
      choose(index);
    });
    return item;
  }

  function show(found) {
    places = found;
    list.replaceChildren.apply(list, found.map(option));
    list.hidden = found.length === 0;
    input.setAttribute("aria-expanded", found.length ? "true" : "false");
    highlight(-1);
    status.textContent = found.length ? text.found : text.none;
  }

  function suggest() {
    var typed = input.value.trim();
    if (request) { request.abort(); }
    if (!typed) {
      places = [];
      close();
      status.textContent = "";
      return;
    }
    request = new AbortController();
    var url = text.url + "?" + new URLSearchParams({ q: typed, lang: text.lang }).toString();
    fetch(url, { signal: request.signal, headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { places: [] }; })
      .then(function (body) { show(body.places); })
      .catch(function (error) { if (error.name !== "AbortError") { show([]); } });
  }

  function choose(index) {
    var place = places[index];
    if (!place) { return; }
    chosen = place;
    input.value = place.name;
    close();
    if (place.bbox) {
      map.fitBounds([[place.bbox[1], place.bbox[0]], [place.bbox[3], place.bbox[2]]]);
    } else {
      map.setView([place.point[1], place.point[0]], PLACE_ZOOM);
    }
    status.textContent = fill(text.moved, place.name);
    filterButton.textContent = fill(text.filter, place.name);
    filterButton.hidden = false;
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(suggest, TYPING_DELAY);
  });
  input.addEventListener("keydown", function (event) {
    var open = !list.hidden && places.length > 0;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!open) {
        if (places.length) { show(places); }
        return;
      }
      var last = places.length - 1;
      highlight(event.key === "ArrowDown" ? (active >= last ? 0 : active + 1) : (active <= 0 ? last : active - 1));
    } else if (event.key === "Enter") {
      if (open) {
        event.preventDefault();
        choose(active < 0 ? 0 : active);
      }
    } else if (event.key === "Escape") {
      if (open) {
        event.preventDefault();
        close();
      } else {
        input.value = "";
      }
    }
  });
  input.addEventListener("blur", close);
  filterButton.addEventListener("click", function () {
    var form = document.getElementById("map-filters");
    if (!chosen || !form) { return; }
    form.elements.q.value = chosen.name;
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  });
  box.hidden = false;
}());
