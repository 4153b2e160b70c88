"""Errors that know their HTTP status and OGC code, turned into one JSON shape (or a page) at the edge."""
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from dataclasses import replace

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from .i18n import Message, language_arg, message, messages, text_direction, text_of
from .security import is_frameable


@dataclass(frozen=True)
class FieldError:
    """One problem with one field, optionally of one feature (0-based index in the upload)."""

    field: str
    message: str
    feature: int | None = None
    # The catalogue message the text was written from, to write it again in another language; not part of what
    # the error says, so not compared.
    text: Message | None = dataclass_field(default=None, compare=False)

    def to_json(self) -> dict:
        """Return the error as it appears in the `errors` list of the JSON body."""
        body = {"field": self.field, "message": self.message}
        if self.feature is not None:
            body = {"feature": self.feature, **body}
        return body

    def __str__(self) -> str:
        where = f"feature {self.feature}, " if self.feature is not None else ""
        return f"{where}{self.field}: {self.message}"


def field_error(field: str, key: str, **values) -> FieldError:
    """Return a FieldError written from the catalogue's `field_errors[key]` in English; the edge writes it
    again in the request's language."""
    return said(field, message(f"field_errors.{key}", **values))


def said(field: str, text: Message, feature: int | None = None) -> FieldError:
    """Return a FieldError saying a catalogue message, in English until the edge writes it in the request's
    language."""
    return FieldError(field, text_of(text, "en"), feature, text)


class Problem(ValueError):
    """What is wrong with a value, as a catalogue message of `field_errors` (its English text is the str)."""

    def __init__(self, key: str, **values):
        self.text = message(f"field_errors.{key}", **values)
        super().__init__(text_of(self.text, "en"))


def problem_error(field: str, problem: Problem, feature: int | None = None) -> FieldError:
    """Return the FieldError that says a Problem about `field`."""
    return said(field, problem.text, feature)


class WebmapError(Exception):
    """Base of all errors shown to users; subclasses set the status and OGC exception code."""

    status = 400
    code = "InvalidParameterValue"
    by_status = False  # described by its HTTP status alone (Werkzeug's errors, the safety net), not by its text

    def __init__(self, description: str | Message, errors: list[FieldError] | tuple = ()):
        # A description written from the catalogue (`error_texts`) keeps its message, to be written again in the
        # request's language; a fixed English one is looked up in `error_descriptions` instead.
        self.text = description if isinstance(description, Message) else None
        self.description = text_of(description, "en") if self.text else description
        super().__init__(self.description)
        self.errors = list(errors)

    def to_json(self) -> dict:
        """Return the one JSON error body every API route uses."""
        return {
            "code": self.code,
            "description": self.description,
            "errors": [e.to_json() for e in self.errors],
        }


class InvalidParameter(WebmapError):
    """A query parameter has a value that cannot be used."""


class BadRequest(WebmapError):
    """The request body cannot be parsed at all."""

    code = "BadRequest"


class Unauthorized(WebmapError):
    """No valid credentials were sent."""

    status, code = 401, "Unauthorized"


class Forbidden(WebmapError):
    """The credentials are valid but their role may not do this."""

    status, code = 403, "Forbidden"


class NotFound(WebmapError):
    """The requested resource does not exist."""

    status, code = 404, "NotFound"


class Gone(WebmapError):
    """The resource existed and was deleted on purpose; the description says when and why."""

    status, code = 410, "Gone"


class Conflict(WebmapError):
    """The request cannot be carried out in the data's current state (e.g. undoing a superseded batch)."""

    status, code = 409, "Conflict"


class PayloadTooLarge(WebmapError):
    """The request body is larger than the configured limit."""

    status, code = 413, "PayloadTooLarge"


class UnsupportedMediaType(WebmapError):
    """The request body is in a format webmap does not read."""

    status, code = 415, "UnsupportedMediaType"


class InvalidContent(WebmapError):
    """The body parses, but its content breaks the rules; `errors` names each problem."""

    status, code = 422, "InvalidContent"


class FormatNotImplemented(WebmapError):
    """The response format asked for is one webmap does not produce."""

    status, code = 501, "NotImplemented"


LANGUAGES = ("en", "ar")  # the catalogue's

# Werkzeug raises these before a view runs; they get the same shape as our own errors.
_HTTP_CODES = {404: "NotFound", 405: "MethodNotAllowed", 413: "PayloadTooLarge", 400: "BadRequest"}


def _wants_json() -> bool:
    """Decide whether the error goes back as JSON (API, map-data, image and statistics data routes) or as a page."""
    return request.path.startswith(("/api", "/oembed", "/map-data", "/map.png", "/stats."))


def translate_error(error: WebmapError, lang: str) -> WebmapError:
    """Put the error's description into the request's language: by HTTP status for the errors described by
    status alone, else by its English text (as gettext keys messages), else it stays as it is; and the field
    errors written from the catalogue."""
    text = messages(lang)
    error.errors = [replace(e, message=text_of(e.text, lang)) if e.text else e for e in error.errors]
    if error.by_status:
        error.description = text.get("http_errors", {}).get(str(error.status), error.description)
    elif error.text:
        error.description = text_of(error.text, lang)
    else:
        error.description = text.get("error_descriptions", {}).get(error.description, error.description)
    return error


def error_language() -> str:
    """Return the language an error is written in: for the read and write API the one its Accept-Language
    header prefers (English without one, as the API has no `lang` parameter); elsewhere the `lang` parameter,
    as the pages and their data requests choose it (English by default)."""
    if request.path.startswith("/api"):
        return accepted_language(request.accept_languages)
    return language_arg(request.args.get("lang")) or "en"


def accepted_language(accepted) -> str:
    """Return the first language of an Accept-Language header, best quality first, that the catalogue has, by its
    primary tag (`ar-SY` is Arabic, `en-GB` English); English for `*`, for none of them and without a header."""
    for value, quality in accepted:
        primary = value.replace("_", "-").split("-")[0].lower()
        if quality > 0 and primary in LANGUAGES:
            return primary
        if value == "*":
            break
    return "en"


def error_response(error: WebmapError) -> Response:
    """Render an error as the JSON body or the HTML page the request expects, in the request's language."""
    lang = error_language()
    translate_error(error, lang)
    if _wants_json():
        response = jsonify(error.to_json())
        response.status_code = error.status
        response.headers["Content-Language"] = lang
        if request.path.startswith("/api"):
            response.vary.add("Accept-Language")
        return response
    page = render_template("error.html", error=error, framed=is_frameable(), lang=lang, dir=text_direction(lang),
                           t=messages(lang))
    return Response(page, status=error.status, mimetype="text/html")


def _from_http_exception(exc: HTTPException) -> WebmapError:
    """Wrap a Werkzeug HTTP exception so it is answered in webmap's error shape."""
    error = WebmapError(exc.description or exc.name)
    error.status = exc.code or 500
    error.code = _HTTP_CODES.get(exc.code, exc.name.replace(" ", ""))
    error.by_status = True
    return error


def _http_error_response(exc: HTTPException) -> Response:
    """Answer a Werkzeug HTTP exception in webmap's shape, keeping the headers it must carry (Allow on a 405)."""
    response = error_response(_from_http_exception(exc))
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def init_app(app: Flask) -> None:
    """Register the handlers that turn every error into webmap's error shape."""
    app.register_error_handler(WebmapError, error_response)
    app.register_error_handler(HTTPException, _http_error_response)

    @app.errorhandler(Exception)
    def _unexpected(exc):  # pragma: no cover - the safety net itself
        app.logger.exception("unhandled error")
        error = WebmapError("An unexpected error occurred; it has been logged.")
        error.status, error.code, error.by_status = 500, "ServerError", True
        return error_response(error)
