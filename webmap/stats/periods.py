"""Calendar periods for statistics: weeks (Monday first) and months, and the period before a date range."""
from datetime import date, timedelta

UNITS = ("week", "month")
WEEKLY_MAX_DAYS = 92  # a range of up to about three months is counted by week, a longer one by month


def period_start(day: date, unit: str) -> date:
    """Return the first day of the week or month holding `day`."""
    return day - timedelta(days=day.weekday()) if unit == "week" else day.replace(day=1)


def next_period(start: date, unit: str) -> date:
    """Return the first day of the period after the one starting on `start`."""
    if unit == "week":
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def periods(first: date, last: date, unit: str) -> list[tuple[date, date]]:
    """Return every period (first day, last day) from the one holding `first` to the one holding `last`."""
    found = []
    start = period_start(first, unit)
    while start <= last:
        following = next_period(start, unit)
        found.append((start, following - timedelta(days=1)))
        start = following
    return found


def default_unit(first: date, last: date) -> str:
    """Return the unit a range is counted by when none is asked for."""
    return "week" if (last - first).days <= WEEKLY_MAX_DAYS else "month"


def _months_between(start: date, end: date) -> int | None:
    """Return how many whole calendar months `start`..`end` spans, or None if it is not whole months."""
    if start.day != 1 or (end + timedelta(days=1)).day != 1:
        return None
    return (end.year - start.year) * 12 + end.month - start.month + 1


def previous_range(start: date, end: date) -> tuple[date, date]:
    """Return the range just before `start`..`end` that compares with it: as many whole months when the range
    is whole months (February before March), else as many days."""
    months = _months_between(start, end)
    if months is None:
        return start - timedelta(days=(end - start).days + 1), start - timedelta(days=1)
    first = start
    for _ in range(months):
        first = (first - timedelta(days=1)).replace(day=1)
    return first, start - timedelta(days=1)
