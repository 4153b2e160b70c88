"""The request body limit, enforced from the Content-Length header before any body is read."""
from flask import Flask, current_app, request

from .errors import PayloadTooLarge


def _megabytes(size: int) -> str:
    """Format a byte count in megabytes for messages."""
    return f"{size / (1024 * 1024):.3g} MB"


def check_body_size(content_length: int | None, limit: int | None) -> None:
    """Raise PayloadTooLarge if a declared body length exceeds the limit."""
    if limit and content_length and content_length > limit:
        raise PayloadTooLarge(
            f"The request body is {_megabytes(content_length)}; the largest accepted is {_megabytes(limit)} "
            "(setting WEBMAP_MAX_UPLOAD_MB)."
        )


def init_app(app: Flask) -> None:
    """Refuse oversized bodies before anything (CSRF checks included) reads them.

    Bodies sent without a Content-Length are cut off by Werkzeug at MAX_CONTENT_LENGTH while being read.
    """

    @app.before_request
    def _reject_oversized_body():
        check_body_size(request.content_length, current_app.config.get("MAX_CONTENT_LENGTH"))
