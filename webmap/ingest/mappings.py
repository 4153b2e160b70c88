"""Column layouts: how the properties or columns of a file map onto webmap's canonical incident properties."""
from ..model import CANONICAL_PROPERTIES


def _combine_sources(sources, url):
    """Return the sources with a `source_url` added as one more item."""
    if url is None or (isinstance(url, str) and not url.strip()):
        return sources
    if sources is None or (isinstance(sources, str) and not sources.strip()):
        return [url]
    return [*sources, url] if isinstance(sources, list) else [sources, url]


def generic_values(properties: dict) -> tuple[dict, dict]:
    """Split properties named like webmap's own into canonical values and extra ones (`source_url` joins sources)."""
    values, extra = {}, {}
    for name, value in properties.items():
        (values if name in CANONICAL_PROPERTIES else extra)[name] = value
    if "source_url" in extra:
        values["sources"] = _combine_sources(values.get("sources"), extra.pop("source_url"))
    return values, extra
