"""Response headers that keep pages from being framed, running scripts they did not write, or loading
anything from another host."""
from flask import Flask, current_app, g, request

from .tiles import TileSource


def allow_framing(view):
    """Mark a view as embeddable: other sites may show it in an iframe."""
    view.webmap_frameable = True
    return view


def allow_inline_scripts(script_hashes: tuple[str, ...]) -> None:
    """Let this response run exactly these inline scripts (CSP hashes of the page's map set-up)."""
    g.webmap_script_hashes = script_hashes


def content_security_policy(tiles: TileSource | None, frame_ancestors: str,
                            script_hashes: tuple[str, ...] = ()) -> str:
    """Return the CSP: everything from this origin, tiles from their host, framing as given, and no inline
    script but the ones whose hashes are given."""
    images = "'self' data:" + (f" {tiles.origin()}" if tiles else "")
    # Folium writes its map set-up as inline script, allowed by hash; Folium and Leaflet also write inline
    # styles, which cannot run code, hence 'unsafe-inline' for styles only.
    return "; ".join([
        "default-src 'self'",
        " ".join(["script-src 'self'", *script_hashes]),
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


def security_headers(app: Flask, frameable: bool, script_hashes: tuple[str, ...] = ()) -> dict[str, str]:
    """Return the security headers of a response, framable (embeds) or not."""
    ancestors = _frame_ancestors(app.config.get("EMBED_FRAME_ANCESTORS", "*")) if frameable else "'none'"
    headers = {
        "Content-Security-Policy": content_security_policy(app.config["TILE_SOURCE"], ancestors, script_hashes),
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
        headers = security_headers(app, is_frameable(), g.get("webmap_script_hashes", ()))
        if response.status_code == 304:
            # A 304 refreshes the headers of the browser's stored copy, whose inline scripts the policy
            # without their hashes would block: the stored copy keeps the policy it came with.
            del headers["Content-Security-Policy"]
        response.headers.update(headers)
        return response
