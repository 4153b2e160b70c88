/* The list of matching incidents in the map's view: a row per incident, sortable by date, usable by
   keyboard (rows take focus; Enter or Space shows the incident on the map; arrow keys move between rows).
   Every value reaches the page as a text node. */
(function () {
  "use strict";

  function cell(row, text, className) {
    var td = document.createElement("td");
    if (text !== null && text !== undefined) { td.textContent = String(text); }
    if (className) { td.className = className; }
    row.appendChild(td);
    return td;
  }

  /* handlers: activate(feature), sort(descending), more(), dismiss() (Escape: close the incident's popup). */
  function IncidentList(section, config, handlers) {
    this.section = section;
    this.config = config;
    this.text = config.live.text;
    this.handlers = handlers;
    this.body = section.querySelector("tbody");
    this.status = section.querySelector(".incident-list-status");
    this.moreButton = section.querySelector(".incident-list-more");
    this.sortButton = section.querySelector(".incident-list-sort");
    this.features = {};
    this.rows = {};
    this.descending = true;
    section.hidden = false;
    this.sortButton.addEventListener("click", function () {
      this.descending = !this.descending;
      this.sortButton.parentNode.setAttribute("aria-sort", this.descending ? "descending" : "ascending");
      this.sortButton.title = this.descending ? this.text.sort_descending : this.text.sort_ascending;
      handlers.sort(this.descending);
    }.bind(this));
    this.moreButton.addEventListener("click", function () { handlers.more(); });
    this.body.addEventListener("click", function (event) {
      var row = event.target.closest("tr[data-id]");
      if (row) { this.activate(row); }
    }.bind(this));
    this.body.addEventListener("keydown", this.keydown.bind(this));
  }

  IncidentList.prototype.keydown = function (event) {
    var row = event.target.closest("tr[data-id]");
    if (!row) { return; }
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      this.activate(row);
    } else if (event.key === "Escape") {
      this.handlers.dismiss();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      var next = event.key === "ArrowDown" ? row.nextElementSibling : row.previousElementSibling;
      if (next) { event.preventDefault(); next.focus(); }
    }
  };

  IncidentList.prototype.activate = function (row) {
    this.handlers.activate(this.features[row.getAttribute("data-id")]);
  };

  IncidentList.prototype.row = function (feature) {
    var props = feature.properties, config = this.config;
    var typeStyle = config.types[props.event_type] || config.types.other;
    var precision = config.precision[props.precision];
    var row = document.createElement("tr");
    row.tabIndex = 0;
    row.setAttribute("data-id", feature.id);
    var when = cell(row, null, "incident-date");
    when.appendChild(webmapMapData.dayNode(props.date));
    if (props.end_date && props.end_date !== props.date) {
      when.appendChild(document.createTextNode(" – "));
      when.appendChild(webmapMapData.dayNode(props.end_date));
    }
    var kind = cell(row, null, "incident-type");
    kind.appendChild(webmapIncidents.markerSvg(typeStyle, precision || { hollow: true }));
    kind.appendChild(document.createTextNode(" " + typeStyle.label));
    var about = cell(row, null, "incident-title");
    var place = webmapIncidents.locationText(props);
    about.appendChild(webmapMapData.dataText(props.title || place || feature.id));
    var detail = [webmapIncidents.governorateText(props, config), precision ? precision.label : null,
      webmapIncidents.positionText(props, config)].filter(Boolean).join(" · ");
    if (detail || place) {
      // The place is stored text (often English): isolated, so an Arabic row keeps its order around it.
      var small = document.createElement("small");
      if (place) { small.appendChild(webmapMapData.dataText(place)); }
      small.appendChild(document.createTextNode((place && detail ? " · " : "") + detail));
      about.appendChild(document.createElement("br"));
      about.appendChild(small);
    }
    var correction = webmapIncidents.correctionNode(props, config, "small");
    if (correction) {
      about.appendChild(document.createElement("br"));
      about.appendChild(correction);
    }
    var links = webmapIncidents.incidentLinks(feature.id, props);
    if (links && links.querySelector(".webmap-edit-link")) {
      // In a row only the edit link: the row itself shows the incident, whose popup links its history.
      var edit = links.querySelector(".webmap-edit-link");
      edit.addEventListener("click", function (event) { event.stopPropagation(); });
      edit.addEventListener("keydown", function (event) { event.stopPropagation(); });
      about.appendChild(document.createTextNode(" "));
      about.appendChild(edit);
    }
    return row;
  };

  /* Shows `features` (already in order), replacing the rows or appending to them; `total` is how many are
     in view, so the status can say when the list holds only some of them. */
  IncidentList.prototype.show = function (features, total, append) {
    // A row with focus keeps it when the rows are redrawn (showing an incident moves the map, which lists
    // the new view): otherwise focus would fall to the page and the arrow keys stop moving along the list.
    var focused = document.activeElement && this.body.contains(document.activeElement)
      ? document.activeElement.getAttribute("data-id") : null;
    if (!append) {
      while (this.body.firstChild) { this.body.removeChild(this.body.firstChild); }
      this.features = {};
      this.rows = {};
    }
    features.forEach(function (feature) {
      var row = this.row(feature);
      this.features[feature.id] = feature;
      this.rows[feature.id] = row;
      this.body.appendChild(row);
    }, this);
    if (focused !== null && this.rows[focused] && document.activeElement !== this.rows[focused]) {
      this.rows[focused].focus({ preventScroll: true });
    }
    var shown = Object.keys(this.rows).length;
    this.moreButton.hidden = shown >= total;
    this.status.textContent = total === 0 ? this.text.list_empty
      : shown < total ? webmapTimeline.counted(this.text.list_partial, shown, { total: webmapTimeline.number(total) }) : "";
  };

  /* Marks the row of incident `id` (if listed) as the selected one and scrolls it into view. */
  IncidentList.prototype.highlight = function (id) {
    Object.keys(this.rows).forEach(function (key) {
      this.rows[key].classList.toggle("selected", key === id);
      if (key === id) { this.rows[key].setAttribute("aria-current", "true"); } else { this.rows[key].removeAttribute("aria-current"); }
    }, this);
    if (this.rows[id]) { this.rows[id].scrollIntoView({ block: "nearest" }); }
  };

  window.webmapList = { IncidentList: IncidentList };
}());
