"""Response headers that keep pages from being framed or loading anything from another host."""
from flask import Flask, current_app, request

from .tiles import TileSource


def allow_framing(view):
    """Mark a view as embeddable: other sites may show it in an iframe."""
    view.webmap_frameable = True
    return view


def content_security_policy(tiles: TileSource | None, frame_ancestors: str) -> str:
    """Return the CSP: everything from this origin, tiles from their host, framing as given."""
    images = "'self' data:" + (f" {tiles.origin()}" if tiles else "")
    # Folium writes its map set-up as inline script and style, hence 'unsafe-inline'.
    return "; ".join([
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src {images}",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        f"frame-ancestors {frame_ancestors}",
    ])


def is_frameable() -> bool:
    """Tell whether the view answering this request may be framed."""
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "webmap_frameable", False))


def _frame_ancestors(allowed: str) -> str:
    """Return who may frame embeddable pages: the allow-list plus this site (the share dialog's preview)."""
    allowed = allowed.strip() or "'none'"
    return allowed if allowed == "*" else f"'self' {allowed}"


def security_headers(app: Flask, frameable: bool) -> dict[str, str]:
    """Return the security headers of a response, framable (embeds) or not."""
    ancestors = _frame_ancestors(app.config.get("EMBED_FRAME_ANCESTORS", "*")) if frameable else "'none'"
    headers = {
        "Content-Security-Policy": content_security_policy(app.config["TILE_SOURCE"], ancestors),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }
    if not frameable:
        headers["X-Frame-Options"] = "DENY"
    return headers


def init_app(app: Flask) -> None:
    """Add the security headers to every response."""

    @app.after_request
    def _security_headers(response):
        for name, value in security_headers(app, is_frameable()).items():
            if name == "Content-Security-Policy":
                response.headers.setdefault(name, value)
            else:
                response.headers[name] = value
        return response
