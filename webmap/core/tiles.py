"""Resolving the WEBMAP_TILES setting into a basemap URL, its attribution and the host it loads from."""
from dataclasses import dataclass
from urllib.parse import urlsplit

import xyzservices.providers

# Short names people type, mapped to xyzservices' full provider names.
_ALIASES = {"openstreetmap": "OpenStreetMap.Mapnik", "osm": "OpenStreetMap.Mapnik"}


@dataclass(frozen=True)
class TileSource:
    """A basemap: its URL template, HTML attribution and maximum zoom."""

    url: str
    attribution: str
    max_zoom: int = 18

    def origin(self) -> str:
        """Return the scheme and host tiles load from, for the Content-Security-Policy."""
        parts = urlsplit(self.url.replace("{s}", "*"))
        return f"{parts.scheme}://{parts.netloc}"


def resolve_tiles(setting: str, attribution: str = "") -> TileSource | None:
    """Return the basemap a setting names, or None for `none`; raise ValueError if it names nothing."""
    text = (setting or "").strip()
    if text.lower() in ("", "none"):
        return None
    if "{z}" in text:
        if not text.startswith(("https://", "http://")):
            raise ValueError(f"WEBMAP_TILES URL must start with http(s)://: {text!r}")
        if not attribution:
            raise ValueError("a custom WEBMAP_TILES URL needs WEBMAP_TILES_ATTRIBUTION (the tile licence)")
        return TileSource(text, attribution)
    name = _ALIASES.get(text.lower(), text)
    try:
        provider = xyzservices.providers.query_name(name)
    except ValueError:
        raise ValueError(f"WEBMAP_TILES names no known tile provider: {text!r}") from None
    return TileSource(provider.build_url(), attribution or provider.html_attribution, provider.get("max_zoom", 18))
