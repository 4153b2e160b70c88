"""Whole numbers from request parameters: ASCII digits only, and never more than SQLite can store."""
from .errors import FieldError, InvalidParameter, Problem, problem_error
from .i18n import message

SQL_INTEGER_MAX = 2**63 - 1  # SQLite integers are 64-bit: binding a larger one makes the driver raise
_SHOWN = 40  # characters of a refused value quoted in the message


def _cut(text: str) -> str:
    """Return the start of a refused value, short enough to read in a message."""
    return text if len(text) <= _SHOWN else text[:_SHOWN - 3] + "..."


def whole_number(text: str, maximum: int = SQL_INTEGER_MAX) -> int:
    """Return `text` as a whole number from 0 to `maximum`, or raise Problem (a ValueError) saying why it is
    not one."""
    digits = text.strip()
    # str.isdigit() alone lets '²' through, which int() refuses; and int() refuses thousands of digits
    # outright, so their count is checked first.
    if (not (digits.isascii() and digits.isdigit()) or len(digits.lstrip("0")) > len(str(maximum))
            or int(digits) > maximum):
        raise Problem("whole_number", text=_cut(text), maximum=maximum)
    return int(digits)


def collect_whole_number(name: str, text: str, errors: list[FieldError], maximum: int = SQL_INTEGER_MAX) -> int | None:
    """Return parameter `name` as a whole number, or record why it is not one in `errors` and return None."""
    try:
        return whole_number(text, maximum)
    except Problem as problem:
        errors.append(problem_error(name, problem))
        return None


def whole_number_parameter(name: str, text: str, maximum: int = SQL_INTEGER_MAX) -> int:
    """Return parameter `name` as a whole number, or raise InvalidParameter naming it and the reason."""
    errors: list[FieldError] = []
    number = collect_whole_number(name, text, errors, maximum)
    if errors:
        raise InvalidParameter(message("error_texts.whole_number", name=name), errors)
    return number
