"""The site's public address (WEBMAP_PUBLIC_URL), put in front of every request so absolute links name it."""
from urllib.parse import urlsplit

from flask import Flask, request

from .errors import BadRequest, field_error


class PublicAddress:
    """WSGI middleware making every request look addressed to the public URL.

    Flask builds absolute links (`url_for(..., _external=True)`, `request.url_root`) and the embed's cache key
    from the request's scheme and Host header, which a client chooses. Setting them here, once, covers every
    such link, and the oEmbed check that compares a URL with `request.host`.
    """

    def __init__(self, wsgi_app, public_url: str):
        parts = urlsplit(public_url)
        self.wsgi_app = wsgi_app
        self.scheme, self.host = parts.scheme, parts.netloc

    def __call__(self, environ, start_response):
        """Hand the request on as if it had been sent to the public address."""
        environ["wsgi.url_scheme"] = self.scheme
        environ["HTTP_HOST"] = self.host
        return self.wsgi_app(environ, start_response)


def _require_valid_host() -> None:
    """Refuse a request whose Host header is no host name (Werkzeug reads it as empty) instead of linking to it."""
    if not request.host:
        raise BadRequest("The Host header is not a valid host name.",
                         [field_error("Host", "host_name")])


def init_app(app: Flask) -> None:
    """Put the public address in front of the whole app (the embed revalidation shortcut included) if it is set;
    otherwise links follow the Host header, so at least refuse one that is not a host name."""
    if app.config.get("PUBLIC_URL"):
        app.wsgi_app = PublicAddress(app.wsgi_app, app.config["PUBLIC_URL"])
    else:
        app.before_request(_require_valid_host)
