/* Draws incidents on a Leaflet map. Every user-supplied string reaches the page as a text node
   (never as HTML), and only http(s) addresses become links. */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  // Room a popup keeps from the map's edges when it pans into view: its title clears the zoom buttons, the
  // layer switcher and the key at the top, and the credits and scale at the bottom; at the sides, a little,
  // so that it fits a phone's width (webmap.css narrows it there).
  var POPUP_PADDING_TOP_LEFT = [10, 80];
  var POPUP_PADDING_BOTTOM_RIGHT = [10, 40];
  var SHAPES = {
    circle: ["circle", { cx: 8, cy: 8, r: 6 }],
    square: ["rect", { x: 2.5, y: 2.5, width: 11, height: 11 }],
    triangle: ["polygon", { points: "8,1.5 14.5,14 1.5,14" }],
    diamond: ["polygon", { points: "8,1 15,8 8,15 1,8" }],
    star: ["polygon", { points: "8,1 10,6 15,6 11,9.5 12.5,15 8,11.5 3.5,15 5,9.5 1,6 6,6" }],
    triangle_down: ["polygon", { points: "1.5,2 14.5,2 8,14.5" }],
    hexagon: ["polygon", { points: "15,8 11.5,14.1 4.5,14.1 1,8 4.5,1.9 11.5,1.9" }],
    cross: ["polygon", { points: "5.5,1 10.5,1 10.5,5.5 15,5.5 15,10.5 10.5,10.5 10.5,15 5.5,15 5.5,10.5 1,10.5 1,5.5 5.5,5.5" }],
    bar: ["rect", { x: 1, y: 4.5, width: 14, height: 7 }]
  };

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function safeLink(text) {
    var value = String(text).trim();
    if (!/^https?:\/\//i.test(value)) { return null; }
    try {
      var url = new URL(value);
      if (url.protocol !== "http:" && url.protocol !== "https:") { return null; }
      var link = element("a", value);
      link.href = url.href;
      link.target = "_blank";
      link.rel = "noopener noreferrer nofollow";
      return link;
    } catch (e) {
      return null;
    }
  }

  function markerSvg(typeStyle, precision) {
    var shape = SHAPES[typeStyle.marker] || SHAPES.circle;
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("width", "16");
    svg.setAttribute("height", "16");
    var path = document.createElementNS(SVG, shape[0]);
    Object.keys(shape[1]).forEach(function (key) { path.setAttribute(key, shape[1][key]); });
    path.setAttribute("stroke", precision.hollow ? typeStyle.color : "#ffffff");
    path.setAttribute("stroke-width", precision.hollow ? "2.5" : "1.5");
    path.setAttribute("fill", precision.hollow ? "none" : typeStyle.color);
    svg.appendChild(path);
    return svg;
  }

  function markerIcon(typeStyle, precision, classes) {
    return L.divIcon({ html: markerSvg(typeStyle, precision), className: classes, iconSize: [16, 16], iconAnchor: [8, 8] });
  }

  function fillLegend(config) {
    var neutral = { color: "#555555", marker: "circle" };
    document.querySelectorAll("[data-legend-type]").forEach(function (slot) {
      var typeStyle = config.types[slot.getAttribute("data-legend-type")];
      if (typeStyle && !slot.firstChild) { slot.appendChild(markerSvg(typeStyle, { hollow: false })); }
    });
    document.querySelectorAll("[data-legend-precision]").forEach(function (slot) {
      var precision = config.precision[slot.getAttribute("data-legend-precision")];
      if (precision && !slot.firstChild) { slot.appendChild(markerSvg(neutral, precision)); }
    });
  }

  function dataText(text) { return webmapMapData.dataText(text); }

  function row(list, label, value) {
    if (value === undefined || value === null || value === "") { return; }
    list.appendChild(element("dt", label));
    var dd = element("dd");
    if (value instanceof Node) { dd.appendChild(value); } else { dd.textContent = String(value); }
    list.appendChild(dd);
  }

  function sourceList(sources) {
    if (!Array.isArray(sources) || sources.length === 0) { return null; }
    var ul = element("ul", null, "webmap-sources");
    sources.forEach(function (source) {
      var li = element("li");
      li.appendChild(safeLink(source) || dataText(source));
      ul.appendChild(li);
    });
    return ul;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }

  /* The incident's place against the 1974 lines in words: within a line's uncertainty it is "near" that
     line (the nearer one), never placed on one side of it. */
  function positionText(props, config) {
    if (!props.zone) { return null; }
    if (props.near_line) {
      var alpha = Math.abs(props.distance_alpha_km) <= Math.abs(props.distance_bravo_km);
      return fill(config.text[alpha ? "near_alpha" : "near_bravo"], { km: props.line_margin_km });
    }
    return config.zones[props.zone] || props.zone;
  }

  function distancesText(props, config) {
    if (props.distance_alpha_km === undefined || props.distance_alpha_km === null) { return null; }
    return fill(config.text.line_distances, {
      alpha: Math.abs(props.distance_alpha_km).toFixed(1), bravo: Math.abs(props.distance_bravo_km).toFixed(1)
    });
  }

  /* The incident's place as stored text: on an Arabic page its Arabic name where the data or the gazetteer give
     one (location_name_ar), else the name as given (often English, marked so by dataText). */
  function locationText(props) {
    var arabic = props.location_name_ar;
    if (document.documentElement.lang === "ar" && typeof arabic === "string" && arabic.trim()) { return arabic; }
    return props.location_name || null;
  }

  function governorateText(props, config) {
    if (!props.governorate) { return null; }
    return (config.governorates || {})[props.governorate] || props.governorate_name || props.governorate;
  }

  function popup(props, config, id) {
    var text = config.text;
    var box = element("div", null, "webmap-popup");
    // The popup reads in the page's direction (an Arabic page's popups are mirrored); stored text keeps its own.
    box.setAttribute("dir", document.documentElement.dir === "rtl" ? "rtl" : "ltr");
    var title = box.appendChild(element("strong", null, "webmap-popup-title"));
    title.appendChild(props.title ? dataText(props.title) : document.createTextNode(config.types[props.event_type].label));
    if (props.synthetic) {
      box.appendChild(element("span", text.synthetic, "webmap-badge"));
    } else if (props.illustrative) {
      box.appendChild(element("span", text.illustrative, "webmap-badge"));
    }
    var list = element("dl");
    var day = webmapMapData.dayText;
    var dates = props.end_date && props.end_date !== props.date ? day(props.date) + " " + text.to + " " + day(props.end_date)
      : day(props.date);
    row(list, text.date, dates);
    row(list, text.type, (config.types[props.event_type] || {}).label || props.event_type);
    var place = locationText(props);
    row(list, text.location, place ? dataText(place) : null);
    row(list, text.governorate, governorateText(props, config));
    row(list, text.position, [positionText(props, config), distancesText(props, config)].filter(Boolean).join(" · "));
    row(list, text.fatalities, props.fatalities);
    var actors = Array.isArray(props.actors) ? props.actors.join("; ") : props.actors;
    row(list, text.actors, actors ? dataText(actors) : null);
    var precision = config.precision[props.precision];
    row(list, text.precision, precision ? precision.label + ": " + precision.explain : props.precision);
    row(list, text.verification, verificationNode(props, config));
    row(list, text.sources, sourceList(props.sources));
    box.appendChild(list);
    if (props.description) {
      box.appendChild(element("p", null, "webmap-popup-description")).appendChild(dataText(props.description));
    }
    var correction = correctionNode(props, config);
    if (correction) { box.appendChild(correction); }
    var links = incidentLinks(id, props);
    if (links) { box.appendChild(links); }
    return box;
  }

  /* The verification state in words, and the editor's grounds for it when there is a note. */
  function verificationNode(props, config) {
    var node = element("span", config.verification[props.verification] || props.verification);
    if (props.verification_note) {
      node.appendChild(document.createTextNode(": "));
      node.appendChild(dataText(props.verification_note));
    }
    return node;
  }

  /* "Corrected on DATE: NOTE" for an incident changed after publication, the note as stored text. */
  function correctionNode(props, config, tag) {
    if (!props.corrected) { return null; }
    var node = element(tag || "p", null, "webmap-correction");
    node.appendChild(document.createTextNode(fill(config.text.corrected_on, { date: webmapMapData.dayText(props.corrected), note: "" })));
    node.appendChild(dataText(props.correction_note || ""));
    return node;
  }

  /* The links the full map page offers with each incident (#webmap-incident-links; embeds have none): its
     history, and its edit form for those who may edit it. */
  function incidentLinks(id, props) {
    var holder = document.getElementById("webmap-incident-links");
    if (!holder || id === undefined || id === null) { return null; }
    var links = JSON.parse(holder.textContent);
    var box = element("p", null, "webmap-incident-links");
    function add(template, label, className) {
      var link = element("a", label, className);
      link.href = template.replace("__ID__", encodeURIComponent(id));
      if (box.firstChild) { box.appendChild(document.createTextNode(" · ")); }
      box.appendChild(link);
    }
    add(links.history, links.text.history, "webmap-history-link");
    if (links.edit && links.protected.indexOf(props.verification) < 0) { add(links.edit, links.text.edit, "webmap-edit-link"); }
    return box;
  }

  /* The incident's marker or line, or the list row it was shown from: where focus returns to. */
  function focusTarget(row, layer) {
    if (row && !row.isConnected) {
      row = document.querySelector('tr[data-id="' + CSS.escape(row.getAttribute("data-id")) + '"]');
    }
    return row || (layer.getElement && layer.getElement());
  }

  /* A popup takes focus as it opens, unless a list row opened it (the row keeps focus, so the arrow keys
     still move along the list); Escape closes it and sends focus back to its marker or row. A row that the
     phone's sheet hid as it stepped aside for the popup cannot keep focus: the popup takes it, and Escape
     sends it to the marker. */
  function enterPopup(popup, layer) {
    var active = document.activeElement;
    var row = active && active.closest ? active.closest("tr[data-id]") : null;
    if (row && !row.getClientRects().length) { row = null; }
    var content = popup.getElement().querySelector(".leaflet-popup-content");
    content.tabIndex = -1;
    popup.getElement().onkeydown = function (event) {
      if (event.key !== "Escape") { return; }
      event.preventDefault();
      event.stopPropagation();
      layer.closePopup();
      var target = focusTarget(row, layer);
      if (target) { target.focus({ preventScroll: true }); }
    };
    if (!row) { content.focus({ preventScroll: true }); }
  }

  /* Draws a FeatureCollection into `group` and returns its L.GeoJSON layer; addData() draws more into it.
     Each child layer carries `.feature`, and a point with an uncertain location its dashed circle as
     `.uncertainty` (drawn in `group`: remove() takes both away). Options, read as each feature is drawn:
     crowded: many incidents share the view, so circles are outlines only (faint fills would add up to a
     solid wash); added(feature, layer): called for each feature drawn; pane: the map pane for lines,
     areas and circles (default: the overlay pane). */
  function draw(group, collection, config, options) {
    var settings = options || {};
    var unknownPrecision = { hollow: true, radius_m: 0 };
    return L.geoJSON(collection, {
      pointToLayer: function (feature, latlng) {
        var props = feature.properties;
        var typeStyle = config.types[props.event_type] || config.types.other;
        var precision = config.precision[props.precision] || unknownPrecision;
        var classes = "webmap-incident webmap-type-" + props.event_type + " webmap-precision-" + (props.precision || "unknown");
        var marker = L.marker(latlng, {
          icon: markerIcon(typeStyle, precision, classes), title: props.title || "", keyboard: true, riseOnHover: true
        });
        if (precision.radius_m > 0) {
          marker.uncertainty = L.circle(latlng, {
            radius: precision.radius_m, color: typeStyle.color, weight: 1, dashArray: "4 4",
            fillOpacity: settings.crowded ? 0 : 0.05, interactive: false, className: "webmap-uncertainty",
            pane: settings.pane || "overlayPane"
          }).addTo(group);
        }
        return marker;
      },
      style: function (feature) {
        var typeStyle = config.types[feature.properties.event_type] || config.types.other;
        return { color: typeStyle.color, weight: 3, fillOpacity: 0.2, className: "webmap-incident",
          pane: settings.pane || "overlayPane" };
      },
      onEachFeature: function (feature, layer) {
        layer.bindPopup(function () { return popup(feature.properties, config, feature.id); }, {
          maxWidth: 320, autoPanPaddingTopLeft: POPUP_PADDING_TOP_LEFT, autoPanPaddingBottomRight: POPUP_PADDING_BOTTOM_RIGHT
        });
        layer.on("popupopen", function (event) { enterPopup(event.popup, layer); });
        if (settings.added) { settings.added(feature, layer); }
      }
    }).addTo(group);
  }

  /* Takes one drawn incident (a child of `drawn`, from draw()) off the map, with its circle. */
  function remove(group, drawn, layer) {
    drawn.removeLayer(layer);
    if (layer.uncertainty) { group.removeLayer(layer.uncertainty); }
  }

  window.webmapIncidents = {
    draw: draw, remove: remove, fillLegend: fillLegend, markerSvg: markerSvg, positionText: positionText,
    governorateText: governorateText, locationText: locationText, correctionNode: correctionNode,
    incidentLinks: incidentLinks
  };
}());
