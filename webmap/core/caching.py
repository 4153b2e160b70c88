"""HTTP caching tied to the data version: ETag, Last-Modified, Cache-Control and 304 answers."""
from datetime import datetime

from flask import Response, request
from werkzeug.http import http_date, quote_etag


def version_etag(data_version: int, *variant: str) -> str:
    """Return a strong ETag for a representation of data version `data_version` (plus what else it varies on)."""
    return "-".join(["v" + str(data_version), *variant])


def validator_headers(etag: str, max_age: int, shared_max_age: int | None = None) -> list[tuple[str, str]]:
    """Return the ETag and Cache-Control headers, as plain strings: this runs on every revalidation."""
    cache_control = f"public, max-age={max_age}"
    if shared_max_age is not None:
        cache_control += f", s-maxage={shared_max_age}"
    return [("ETag", quote_etag(etag)), ("Cache-Control", cache_control)]


def _label(response: Response, etag: str, last_modified: str | None, max_age: int,
           shared_max_age: int | None) -> Response:
    """Set the validators and freshness headers."""
    for name, value in validator_headers(etag, max_age, shared_max_age):
        response.headers[name] = value
    if last_modified:
        response.headers["Last-Modified"] = http_date(datetime.fromisoformat(last_modified))
    return response


def cache_for_version(response: Response, etag: str, last_modified: str | None, max_age: int,
                      shared_max_age: int | None = None) -> Response:
    """Label a response with its ETag and freshness, and turn it into a 304 if the client's copy matches."""
    return _label(response, etag, last_modified, max_age, shared_max_age).make_conditional(request)
