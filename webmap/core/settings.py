"""Every setting webmap reads, declared once with its environment variable, default and help."""
import math
import re
from dataclasses import dataclass
from typing import Callable, Mapping
from urllib.parse import urlsplit

from .bbox import parse_bbox, parse_coordinate


@dataclass(frozen=True)
class Setting:
    """One configuration value: its Flask config key, environment variable, default and help text."""

    key: str
    env: str
    default: object
    help: str
    parse: Callable[[str], object] = str


def _megabytes(text: str) -> int:
    """Parse a size in megabytes into bytes."""
    return int(float(text) * 1024 * 1024)


def _switch(text: str) -> bool:
    """Parse an `on`/`off` setting (also `1`/`0`, `true`/`false`, `yes`/`no`), refusing anything else."""
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected on or off, got {text!r}")


def _flag(text: str) -> bool:
    """Parse a yes/no setting (`1`, `true`, `yes`, `on` mean yes)."""
    return text.strip().lower() in ("1", "true", "yes", "on")


class SettingError(ValueError):
    """A setting's environment value that cannot be used, with the variable named."""


def _view(text: str) -> tuple[float, float, int]:
    """Parse `latitude,longitude,zoom` into numbers within their ranges (zoom a whole number, 0 to 18)."""
    parts = text.split(",")
    if len(parts) != 3:
        raise ValueError(f"expected latitude,longitude,zoom (e.g. 32.95,36.15,9), got {text!r}")
    zoom = parts[2].strip()
    if not (zoom.isascii() and zoom.isdigit()) or int(zoom) > 18:
        raise ValueError(f"the zoom {zoom!r} is not a whole number from 0 to 18")
    return parse_coordinate(parts[0], -90, 90), parse_coordinate(parts[1], -180, 180), int(zoom)


def _whole(text: str) -> int:
    """Parse a whole number of at least 0."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        raise ValueError(f"expected a whole number (0 or more), got {text!r}")
    return int(text)


def _positive(text: str) -> int:
    """Parse a whole number of at least 1."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise ValueError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def _kilometres(text: str) -> float:
    """Parse a distance in km of at least 0 (a decimal number)."""
    try:
        value = float(text.strip())
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"expected a distance in km, 0 or more (e.g. 2 or 0.5), got {text!r}")
    return value


# A DNS name or an IPv4 address, or an IPv6 address in brackets, with an optional port.
_HOST_AND_PORT = re.compile(r"(?:\[[0-9a-f:.]+\]|[a-z0-9-]+(?:\.[a-z0-9-]+)*)(?::([0-9]{1,5}))?")


def _public_url(text: str) -> str:
    """Parse the site's public address, `http(s)://host[:port]`, into its canonical form (no trailing slash)."""
    parts = urlsplit(text.strip())
    netloc = parts.netloc.lower()
    host = _HOST_AND_PORT.fullmatch(netloc)
    if (parts.scheme not in ("http", "https") or not host or int(host.group(1) or 0) > 65535
            or parts.path not in ("", "/") or "?" in text or "#" in text):
        raise ValueError(f"WEBMAP_PUBLIC_URL must be http:// or https:// and a host with an optional port, with "
                         f"nothing after it (such as https://maps.example.org); got {text!r}")
    return f"{parts.scheme}://{netloc}"


SETTINGS = (
    Setting(
        "DATABASE_URL", "DATABASE_URL", None,
        "Where incidents are stored, as a URL: `sqlite:////abs/path/webmap.db` (three slashes "
        "plus the absolute path). Default: `webmap.db` in the instance folder. This version stores data only in "
        "SQLite; a PostgreSQL URL is refused with a message.",
    ),
    Setting(
        "SECRET_KEY", "WEBMAP_SECRET_KEY", None,
        "Key that signs sessions and CSRF tokens. Default: a random key created once and kept in "
        "the instance folder (`secret_key`), so every server process shares it.",
    ),
    Setting(
        "TILES", "WEBMAP_TILES", "OpenStreetMap",
        "Basemap: a tile URL template with `{z}/{x}/{y}`, a named provider (`OpenStreetMap`, "
        "`CartoDB.Positron`, any xyzservices name), or `none` for no basemap: then no page makes any request to "
        "another host.",
    ),
    Setting(
        "TILES_ATTRIBUTION", "WEBMAP_TILES_ATTRIBUTION", "",
        "Attribution shown for a custom tile URL template (named providers bring their own).",
    ),
    Setting(
        "INITIAL_VIEW", "WEBMAP_VIEW", (32.95, 36.15, 9),
        "The map's initial view as `latitude,longitude,zoom`.",
        _view,
    ),
    Setting(
        "MAX_PAGE_INCIDENTS", "WEBMAP_MAX_PAGE_INCIDENTS", 500,
        "Most incidents the map receives one by one for the area in view; when more match there, it "
        "receives counts per grid cell (clusters) and the list shows them a page at a time.",
        _positive,
    ),
    Setting(
        "EMBED_FRAME_ANCESTORS", "WEBMAP_EMBED_FRAME_ANCESTORS", "*",
        "Which sites may frame embeddable pages (a CSP `frame-ancestors` source list, e.g. "
        "`https://news.example`); every other page refuses to be framed.",
    ),
    Setting(
        "EMBED_CACHE_MB", "WEBMAP_EMBED_CACHE_MB", 64 * 1024 * 1024,
        "Memory each server process keeps for rendered embeds, in megabytes (least recently used dropped "
        "first; `0` turns the cache off).",
        _megabytes,
    ),
    Setting(
        "MAX_CONTENT_LENGTH", "WEBMAP_MAX_UPLOAD_MB", 25 * 1024 * 1024,
        "Largest request body accepted, in megabytes; larger ones get HTTP 413 before the body is read.",
        _megabytes,
    ),
    Setting(
        "MAX_VERTICES", "WEBMAP_MAX_VERTICES", 10_000,
        "Most positions (vertices) one incident's geometry may have; imports refuse a feature with more "
        "(HTTP 422), so one huge polygon cannot bloat every map and page that shows it.",
        _positive,
    ),
    Setting(
        "MAX_LAYER_VERTICES", "WEBMAP_MAX_LAYER_VERTICES", 200_000,
        "Most positions (vertices) all the features of one editor's reference layer may have together (each "
        "feature is also held to `WEBMAP_MAX_VERTICES`); a larger layer is refused (HTTP 422).",
        _positive,
    ),
    Setting(
        "CLIENT_TIMEOUT", "WEBMAP_CLIENT_TIMEOUT", 15,
        "Seconds `webmap serve` keeps a connection whose client sends nothing (in the middle of a request or "
        "between requests); a request must also arrive within this time plus a second per 500 bytes. Either way "
        "the connection is closed.",
        _positive,
    ),
    Setting(
        "REGION_BBOX", "WEBMAP_REGION_BBOX", (34.0, 29.0, 43.0, 38.0),
        "The region incidents must lie in, as `minlon,minlat,maxlon,maxlat` (WGS84). Imports refuse "
        "features outside it and ask whether latitude and longitude were swapped when swapping would put "
        "them inside. The default covers the Levant east of 34°E, so swapped coordinates of southern "
        "Syria fall outside it and are caught.",
        parse_bbox,
    ),
    Setting(
        "LOGIN_ATTEMPTS", "WEBMAP_LOGIN_ATTEMPTS", 10,
        "Failed log-ins allowed under one account name in 15 minutes; the next attempt is refused (HTTP 429, "
        "with the minutes to wait) until the oldest of them is 15 minutes old. Counted in the database, so "
        "every server process shares the count. `0` turns the limit off.",
        _whole,
    ),
    Setting(
        "DUPLICATE_DAYS", "WEBMAP_DUPLICATE_DAYS", 1,
        "Days apart two incidents of one event type may be and still be flagged as possible duplicates when "
        "either is written (`0`: only on the same day; an incident over several days counts from its nearest "
        "day). Editors merge them or mark them distinct on `/duplicates`.",
        _whole,
    ),
    Setting(
        "DUPLICATE_KM", "WEBMAP_DUPLICATE_KM", 2.0,
        "Kilometres apart (great-circle) two incidents of one event type may be and still be flagged as possible "
        "duplicates, together with `WEBMAP_DUPLICATE_DAYS`. `0` flags nothing.",
        _kilometres,
    ),
    Setting(
        "PUBLIC_URL", "WEBMAP_PUBLIC_URL", None,
        "The address readers reach the site at, `http(s)://host[:port]` with nothing after it (e.g. "
        "`https://maps.example.org`): every absolute link (embeds, oEmbed, share snippets, the API's links) names "
        "it, whatever Host header a request carries, and oEmbed accepts only map URLs on it. Unset, links follow "
        "each request's Host header, so the server must sit behind a proxy that sets it to the site's own name; "
        "set it in every deployment reachable from outside.",
        _public_url,
    ),
    Setting(
        "SESSION_COOKIE_SECURE", "WEBMAP_SECURE_COOKIES", False,
        "Send the login session cookie only over HTTPS. Turn on (`1`) wherever the site is served over "
        "HTTPS, which every deployment with accounts should be.",
        _flag,
    ),
    Setting(
        "REVIEW", "WEBMAP_REVIEW", False,
        "Review before publishing: `off` (the default) publishes every write at once; `on` holds contributors' "
        "uploads for an editor's review (`/review`), unseen by the public until an editor publishes them. "
        "Editors' and admins' writes publish at once either way.",
        _switch,
    ),
)


def setting_default(key: str):
    """Return a setting's default, for code that runs without an app (bundled data, scripts)."""
    return next(s.default for s in SETTINGS if s.key == key)


def environ_text(setting: Setting, value) -> str:
    """Return a value as it would be written in the setting's environment variable."""
    if value is None:
        return ""
    if setting.parse is _megabytes:
        return f"{value / 2**20:g}"
    if isinstance(value, tuple):
        return ",".join(f"{part:g}" for part in value)
    if setting.parse is _switch:
        return "on" if value else "off"
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def settings_from_environ(environ: Mapping[str, str]) -> dict:
    """Build the config mapping: each setting's environment value if set, else its default."""
    config = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        try:
            config[setting.key] = setting.default if raw in (None, "") else setting.parse(raw)
        except ValueError as error:
            raise SettingError(f"{setting.env}: {error}") from None
    return config
