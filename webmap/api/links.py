"""The API's URLs and link objects, built from its base URL: pure, no request."""
from dataclasses import dataclass
from urllib.parse import quote, urlencode

# The media types each representation is served as; the first is the one a response carries.
JSON = ("application/json",)
GEOJSON = ("application/geo+json", "application/json")
HTML = ("text/html",)
CSV = ("text/csv",)
GEOPACKAGE = ("application/geopackage+sqlite3",)
OPENAPI = ("application/vnd.oai.openapi+json;version=3.0", "application/json")
JSON_SCHEMA = ("application/schema+json", "application/json")

FORMAT_TITLES = {"json": "JSON", "html": "HTML", "csv": "CSV"}


def link(href: str, rel: str, media_type: str, title: str) -> dict:
    """Return one OGC link object."""
    return {"href": href, "rel": rel, "type": media_type, "title": title}


@dataclass(frozen=True)
class Urls:
    """Absolute URLs of the API's resources under `base` (e.g. http://127.0.0.1:5000/api)."""

    base: str
    about: str  # the page listing every source, licence and precision

    def to(self, path: str = "", args: dict | None = None) -> str:
        """Return the URL of `path` under the API with the query `args` (None values left out)."""
        query = urlencode({k: v for k, v in (args or {}).items() if v is not None}, doseq=True)
        return self.base + path + (f"?{query}" if query else "")

    def collection(self, collection_id: str, tail: str = "", args: dict | None = None) -> str:
        """Return the URL of a collection, or of `tail` (e.g. /items) under it."""
        return self.to(f"/collections/{quote(collection_id, safe='')}{tail}", args)

    def item(self, collection_id: str, feature_id, args: dict | None = None) -> str:
        """Return the URL of one feature."""
        return self.collection(collection_id, f"/items/{quote(str(feature_id), safe='')}", args)

    def alternates(self, url_for_format, formats: dict[str, tuple[str, ...]], current: str) -> list[dict]:
        """Return the self link and an alternate link for every other format of the same resource."""
        return [
            link(url_for_format(name), "self" if name == current else "alternate", types[0],
                 f"This document as {FORMAT_TITLES[name]}")
            for name, types in formats.items()
        ]
