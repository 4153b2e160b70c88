"""How long an account name must wait before its next log-in, after too many failed ones (pure)."""
import math
from datetime import datetime, timedelta

# Failed log-ins count against a name for this long.
WINDOW = timedelta(minutes=15)


def login_wait(failures: list[datetime], now: datetime, allowed: int) -> int:
    """Return the seconds until a log-in under a name may be tried again (0: now), given its failures.

    A name may fail `allowed` times within WINDOW; then it waits until the oldest of those leaves the
    window. `allowed` 0 means no limit.
    """
    recent = sorted(failure for failure in failures if failure > now - WINDOW)
    if not allowed or len(recent) < allowed:
        return 0
    return max(1, math.ceil((recent[-allowed] + WINDOW - now).total_seconds()))
