"""HTTP caching tied to the data version: ETag, Last-Modified, Cache-Control and 304 answers."""
from datetime import datetime

from flask import Response, request


def version_etag(data_version: int, *variant: str) -> str:
    """Return a strong ETag for a representation of data version `data_version` (plus what else it varies on)."""
    return "-".join(["v" + str(data_version), *variant])


def cache_for_version(response: Response, etag: str, last_modified: str | None, max_age: int,
                      shared_max_age: int | None = None) -> Response:
    """Label a response with its ETag and freshness, and turn it into a 304 if the client's copy matches."""
    response.set_etag(etag)
    if last_modified:
        response.last_modified = datetime.fromisoformat(last_modified)
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    if shared_max_age is not None:
        response.cache_control.s_maxage = shared_max_age
    return response.make_conditional(request)


def client_has(etag: str) -> bool:
    """Tell whether the request's If-None-Match names `etag`, so a 304 can be sent before any rendering."""
    return request.if_none_match.contains_weak(etag)
