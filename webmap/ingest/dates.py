"""Reading incident dates: ISO 8601, and the `05 January 2025` form of ACLED exports."""
import calendar
import re
from datetime import date, datetime, timedelta, timezone

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[ -]([A-Za-z]+)\.?[ -](\d{4})")
_MONTHS = {
    **{name.casefold(): n for n, name in enumerate(calendar.month_name) if n},
    **{name.casefold(): n for n, name in enumerate(calendar.month_abbr) if n},
}


def parse_date(value) -> date | None:
    """Return the calendar date a text names, or None when it is not a date webmap can read."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if _ISO_DAY.fullmatch(text):
            return date.fromisoformat(text)
        match = _DAY_MONTH_YEAR.fullmatch(text)
        if match:
            month = _MONTHS.get(match[2].casefold())
            return date(int(match[3]), month, int(match[1])) if month else None
        # A timestamp keeps the calendar day it was written with, whatever its offset.
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None


def latest_date_today() -> date:
    """Return today's date in the time zone furthest ahead (UTC+14), the latest date that is not future."""
    return (datetime.now(timezone.utc) + timedelta(hours=14)).date()
