/* The share/embed dialog: a link to the map's current view and an iframe snippet, with a preview. The link
   keeps the view (centre, zoom, visible reference layers) as the reader left it; the embed either fits the
   box of the matching incidents (the default: every one stays in the frame at any width) or keeps that exact
   view, and may carry a title and a caption. */
(function () {
  "use strict";

  var dialog = document.getElementById("share-dialog");
  var opener = document.getElementById("share-open");
  if (!dialog || !opener || !window.webmapView || typeof dialog.showModal !== "function") { return; }

  var field = function (id) { return document.getElementById(id); };
  var data = dialog.dataset;
  var defaultLayers = data.defaultLayers ? data.defaultLayers.split(",") : [];
  var bounds = data.bounds;  // minx,miny,maxx,maxy of the matching incidents; empty when none match
  var pinnedSuffix = data.pinnedTitle.slice(data.title.length);  // " · pinned at version N"

  function escapeAttribute(text) {
    return String(text).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function trim(number, decimals) {
    return String(Number(number.toFixed(decimals)));
  }

  function visibleLayers() {
    var view = window.webmapView;
    return Object.keys(view.layers).filter(function (id) { return view.map.hasLayer(view.layers[id]); });
  }

  function viewArgs() {
    var args = JSON.parse(data.args);
    var layers = visibleLayers();
    if (layers.join(",") !== defaultLayers.join(",")) { args.layers = layers.join(","); }
    var map = window.webmapView.map;
    var center = map.getCenter();
    args.lat = trim(center.lat, 5);
    args.lon = trim(center.lng, 5);
    args.zoom = String(map.getZoom());
    return args;
  }

  function address(base, args) {
    return base + "?" + new URLSearchParams(args).toString();
  }

  function frameSize() {
    var choice = field("share-size").value.split(":");
    return choice[0] === "height"
      ? { height: choice[1], css: "" }
      : { height: null, css: "width:100%;height:auto;aspect-ratio:" + choice[1] };
  }

  function snippet(src, title, size) {
    return '<iframe src="' + escapeAttribute(src) + '" title="' + escapeAttribute(title) + '" width="100%"' +
      (size.height ? ' height="' + size.height + '"' : "") + ' style="border:0' + (size.css ? ";" + size.css : "") + '"' +
      ' loading="lazy" allowfullscreen sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox"></iframe>';
  }

  /* The embed's view: the link's, or the matching incidents' box in place of its centre and zoom. */
  function embedArgs(args) {
    var embed = Object.assign({}, args);
    if (field("share-fit").checked && bounds) {
      delete embed.lat;
      delete embed.lon;
      delete embed.zoom;
      embed.bbox = bounds;
    }
    return embed;
  }

  function captionArg() {
    var choice = field("share-caption").value;
    field("share-caption-text").hidden = choice !== "own";
    return choice === "own" ? field("share-caption-text").value.trim() : choice;
  }

  function refresh() {
    var link = viewArgs();
    field("share-link").value = address(data.mapUrl, link);
    var args = embedArgs(link);
    var pinned = field("share-pin").checked;
    if (!field("share-legend").checked) { args.legend = "0"; }
    if (pinned) { args.as_of = data.version; }
    var title = field("share-title").value.trim(), caption = captionArg();
    if (title) { args.title = title; }
    if (caption) { args.caption = caption; }
    var src = address(data.embedUrl, args);
    var size = frameSize();
    field("share-snippet").value = snippet(src, title || (pinned ? data.pinnedTitle : data.title), size);
    var preview = field("share-preview");
    preview.setAttribute("style", size.height ? "height:" + size.height + "px" : size.css);
    if (preview.getAttribute("src") !== src) {
      // A new frame rather than a new src: a frame whose first page is still loading can ignore the change
      // and keep showing the earlier view (seen in Chromium when pinning right after opening the dialog).
      var fresh = preview.cloneNode(false);
      fresh.setAttribute("src", src);
      preview.replaceWith(fresh);
    }
  }

  function copy(button) {
    var source = field(button.getAttribute("data-copy"));
    var done = function () {
      var label = button.textContent;
      button.textContent = data.copied;
      setTimeout(function () { button.textContent = label; }, 1500);
    };
    source.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  }

  document.addEventListener("webmap:filters", function (event) {
    var args = JSON.parse(data.args), lang = args.lang;
    args = Object.assign({}, event.detail.args);
    if (lang) { args.lang = lang; }
    data.args = JSON.stringify(args);
    bounds = event.detail.bounds.join(",");
    if (event.detail.title) {
      data.title = event.detail.title;
      data.pinnedTitle = event.detail.title + pinnedSuffix;
    }
    if (dialog.open) { refresh(); }
  });

  opener.hidden = false;
  opener.addEventListener("click", function () { refresh(); dialog.showModal(); });
  field("share-close").addEventListener("click", function () { dialog.close(); });
  ["share-fit", "share-exact", "share-pin", "share-legend", "share-size", "share-caption"].forEach(function (id) {
    field(id).addEventListener("change", refresh);
  });
  ["share-title", "share-caption-text"].forEach(function (id) { field(id).addEventListener("change", refresh); });
  dialog.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () { copy(button); });
  });
}());
