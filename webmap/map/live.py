"""The map's incident layer that loads incidents by view from the data endpoints (no incident in the HTML)."""
from dataclasses import dataclass

import folium
from folium.elements import JSCSSMixin
from jinja2 import Template

# Interface text the live map's scripts show, by message key.
TEXT_KEYS = (
    "matches", "in_view", "cluster_title", "cluster_approximate", "cluster_types", "clause_separator", "stats_comma",
    "loading",
    "load_failed", "list_partial", "list_empty", "play", "pause", "timeline_bin", "sort_ascending",
    "sort_descending", "sample_note", "synthetic_note", "date_invalid", "range_invalid", "map_description",
    "list_separator",
)


@dataclass(frozen=True)
class IncidentSource:
    """Where the map loads incidents from, the filters it starts with and what it can show at once."""

    view_url: str
    list_url: str
    summary_url: str
    filters: dict  # query-string arguments of the starting filters
    summary: dict  # the starting filters' summary, so the first paint needs no request for it
    list_page: int  # rows the incident list shows at a time
    scripts: tuple[str, ...]  # app-origin URLs of the scripts that run the live map, in load order

    def config(self, text: dict) -> dict:
        """Return what the browser script needs besides the incident styles."""
        return {"view_url": self.view_url, "list_url": self.list_url, "summary_url": self.summary_url,
                "filters": self.filters, "summary": self.summary, "list_page": self.list_page,
                "text": {key: text[key] for key in TEXT_KEYS}}


class LiveIncidentLayer(JSCSSMixin, folium.MacroElement):
    """Hands the incident group to webmap's live-map script, which fills it for the view and the filters
    (its configuration, with the starting filters, comes from the page's data block)."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "webmapLive.start({{ this._parent.get_name() }}, {{ this.group.get_name() }}, "
        "webmapMapData.pageData().config);"
        "{% endmacro %}"
    )

    def __init__(self, group: folium.FeatureGroup, scripts: list[str]):
        super().__init__()
        self._name = "LiveIncidentLayer"
        self.group = group
        self.default_js = [(f"webmap_live_{n}", url) for n, url in enumerate(scripts)]
