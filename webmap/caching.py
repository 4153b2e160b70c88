"""HTTP caching tied to the data version: ETag, Last-Modified, Cache-Control and 304 answers."""
from datetime import datetime

from flask import Response, request
from werkzeug.http import http_date, quote_etag


def version_etag(data_version: int, *variant: str) -> str:
    """Return a strong ETag for a representation of data version `data_version` (plus what else it varies on)."""
    return "-".join(["v" + str(data_version), *variant])


def _label(response: Response, etag: str, last_modified: str | None, max_age: int,
           shared_max_age: int | None) -> Response:
    """Set the validators and freshness headers (as plain strings: this runs on every revalidation)."""
    headers = response.headers
    headers["ETag"] = quote_etag(etag)
    if last_modified:
        headers["Last-Modified"] = http_date(datetime.fromisoformat(last_modified))
    cache_control = f"public, max-age={max_age}"
    if shared_max_age is not None:
        cache_control += f", s-maxage={shared_max_age}"
    headers["Cache-Control"] = cache_control
    return response


def cache_for_version(response: Response, etag: str, last_modified: str | None, max_age: int,
                      shared_max_age: int | None = None) -> Response:
    """Label a response with its ETag and freshness, and turn it into a 304 if the client's copy matches."""
    return _label(response, etag, last_modified, max_age, shared_max_age).make_conditional(request)


def client_has(etag: str) -> bool:
    """Tell whether the request's If-None-Match names `etag`, so a 304 can be sent before any rendering."""
    return request.if_none_match.contains_weak(etag)


def not_modified(etag: str, last_modified: str | None, max_age: int, shared_max_age: int | None = None) -> Response:
    """Return the 304 for a client whose copy is current, with the headers the full answer would carry."""
    return _label(Response(status=304), etag, last_modified, max_age, shared_max_age)
