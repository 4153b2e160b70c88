"""Deterministic synthetic incidents for trying the map at scale: fake, and labelled as such."""
import random
from datetime import date, timedelta
from itertools import islice
from typing import Iterator

from ..core.model import Incident

# Weighted like the conflict reporting the app is built for: many incursions, strikes and arrests.
EVENT_TYPES = (("incursion", 25), ("airstrike", 20), ("arrest", 15), ("shelling", 10), ("raid", 10),
               ("clash", 10), ("outpost", 5), ("demolition", 5), ("other", 2))
PRECISION = (("exact", 30), ("town", 45), ("area", 18), ("region", 7))
VERIFICATION = (("unverified", 60), ("verified", 30), ("disputed", 10))
# (lon, lat, spread in degrees, nearby place): clusters where incidents are reported, plus background.
HOTSPOTS = ((35.82, 33.12, 0.05, "Quneitra"), (35.87, 33.33, 0.05, "Beit Jinn"),
            (35.95, 32.85, 0.06, "Nawa"), (36.10, 32.62, 0.08, "Daraa"),
            (36.57, 32.71, 0.07, "As-Suwayda"), (35.87, 33.27, 0.04, "Khan Arnabah"))
BOX = (35.60, 32.30, 37.20, 33.60)  # minlon, minlat, maxlon, maxlat: southern Syria
FIRST_DAY = date(2024, 12, 8)
DAYS = 700
DESCRIPTION = "Synthetic record for trying the map at scale; not a real event."


def _weighted(choices: tuple) -> tuple[list, list]:
    """Split (value, weight) pairs into the two lists random.choices takes."""
    return [c[0] for c in choices], [c[1] for c in choices]


def synthetic_incidents(count: int, seed: int = 1974, prefix: str = "synth") -> Iterator[Incident]:
    """Yield `count` fake incidents, the same ones for the same seed, each marked illustrative and synthetic."""
    rnd = random.Random(seed)
    types, precisions, verifications = _weighted(EVENT_TYPES), _weighted(PRECISION), _weighted(VERIFICATION)
    for n in range(count):
        if rnd.random() < 0.8:
            lon0, lat0, spread, place = rnd.choice(HOTSPOTS)
            lon, lat = rnd.gauss(lon0, spread), rnd.gauss(lat0, spread)
            location = f"near {place} (synthetic)"
        else:
            lon, lat = rnd.uniform(BOX[0], BOX[2]), rnd.uniform(BOX[1], BOX[3])
            location = None
        event_type = rnd.choices(*types)[0]
        day = FIRST_DAY + timedelta(days=rnd.randrange(DAYS))
        yield Incident(
            id=f"{prefix}-{n:07d}",
            geometry={"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
            date=day.isoformat(),
            event_type=event_type,
            title=f"Synthetic {event_type} #{n}",
            description=DESCRIPTION,
            location_name=location,
            fatalities=rnd.choice((0, 0, 0, 0, 1, 2, 3)),
            sources=(f"https://example.org/synthetic/{n}",),
            precision=rnd.choices(*precisions)[0],
            verification=rnd.choices(*verifications)[0],
            extra={"illustrative": True, "synthetic": True},
        )


def chunked(incidents: Iterator[Incident], size: int) -> Iterator[list[Incident]]:
    """Group incidents into lists of at most `size`, so large loads go in bounded batches."""
    while chunk := list(islice(incidents, size)):
        yield chunk
