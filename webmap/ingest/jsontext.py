"""Parsing untrusted JSON text: UTF-8 only, standard constants only, and a bounded nesting depth."""
import json

import numpy as np

from ..core.errors import BadRequest
from ..core.i18n import message

# A MultiPolygon inside a Feature inside a collection is 7 levels deep; the rest is room for
# nested properties. Anything deeper is refused before Python's recursive parser sees it.
MAX_DEPTH = 64

# Every byte except brackets and quotes, deleted before the depth is counted.
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}"')
_OPEN = (ord("["), ord("{"))
_CLOSE = (ord("]"), ord("}"))


def nesting_depth(data: bytes) -> int:
    """Return the deepest nesting of arrays and objects in JSON text, ignoring brackets inside strings."""
    # Escaped backslashes and quotes cannot delimit strings; an empty pair of quotes encloses
    # nothing, so dropping it keeps the inside/outside parity of every remaining byte. Most files
    # have no backslash at all, and one search for it is cheaper than the two replacements.
    if b"\\" in data:
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    skeleton = data.translate(None, _NOT_STRUCTURE).replace(b'""', b"")
    marks = np.frombuffer(skeleton, np.uint8)
    steps = np.isin(marks, _OPEN).astype(np.int32) - np.isin(marks, _CLOSE)
    if b'"' in skeleton:
        quotes = marks == ord('"')
        steps[(np.cumsum(quotes) - quotes) % 2 == 1] = 0
    return int(np.cumsum(steps).max(initial=0))


def _reject_constant(name: str):
    """Refuse NaN and Infinity, which JSON (RFC 8259) does not allow."""
    raise ValueError(f"{name} is not a JSON value")


def parse_json(data: bytes, what: str = "JSON"):
    """Parse JSON bytes, raising BadRequest with the reason (and place) when they are not valid JSON."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest(message("error_texts.not_utf8_json", what=what, byte=exc.start)) from exc
    depth = nesting_depth(data)
    if depth > MAX_DEPTH:
        raise BadRequest(message("error_texts.json_too_deep", what=what, depth=depth, most=MAX_DEPTH))
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError as exc:
        raise BadRequest(message("error_texts.json_too_deep_to_read", what=what)) from exc
    except json.JSONDecodeError as exc:
        raise BadRequest(message("error_texts.json_invalid_at", what=what, detail=exc.msg, line=exc.lineno,
                                 column=exc.colno)) from exc
    except ValueError as exc:  # NaN/Infinity, or an integer with thousands of digits
        raise BadRequest(message("error_texts.json_invalid", what=what, detail=exc)) from exc
