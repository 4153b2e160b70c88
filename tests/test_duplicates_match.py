"""The rule that flags possible duplicates: same event type, days apart and km apart at the thresholds' edges,
spans of several days, only pairs with a new incident, and the grid search against a brute-force check."""
import numpy as np
import pytest

from webmap.core.duplicates import EARTH_RADIUS_KM, DuplicateRule, Sightings, distance_km, duplicate_pairs
from webmap.core.settings import SettingError, settings_from_environ

KM_PER_DEGREE = EARTH_RADIUS_KM * np.pi / 180
QUNEITRA = (35.82, 33.12)
RULE = DuplicateRule(days=1, km=2.0)


def _sightings(rows: list[tuple], new=None) -> Sightings:
    """Build sightings from (event type, first day, last day, lon, lat) rows; all new unless `new` says."""
    kinds, first, last, lon, lat = zip(*rows)
    flags = np.ones(len(rows), bool) if new is None else np.array(new, bool)
    return Sightings(np.array(kinds, dtype=object), np.array(first), np.array(last), np.array(lon, float),
                     np.array(lat, float), flags)


def _pairs(rows, rule=RULE, new=None) -> list[tuple[int, int]]:
    """Return the flagged pairs as a list of tuples."""
    return [tuple(p) for p in duplicate_pairs(_sightings(rows, new), rule).tolist()]


def _north(km: float) -> float:
    """Return the latitude `km` north of Quneitra."""
    return QUNEITRA[1] + km / KM_PER_DEGREE


@pytest.mark.parametrize("km, flagged", [(0, True), (1.99, True), (1.999, True), (2.001, False), (2.5, False)])
def test_distance_at_the_edge(km, flagged):
    """Two airstrikes on one day are flagged up to 2 km apart, inclusive of just under it, not beyond."""
    rows = [("airstrike", 100, 100, *QUNEITRA), ("airstrike", 100, 100, QUNEITRA[0], _north(km))]
    assert _pairs(rows) == ([(0, 1)] if flagged else [])


def test_distance_east_west_is_measured_on_the_ground():
    """At 33°N a degree of longitude is about 93 km, not 111: 1.9 km east is flagged, 2.1 km is not."""
    per_degree = KM_PER_DEGREE * np.cos(np.radians(QUNEITRA[1]))
    for km, flagged in ((1.9, True), (2.1, False)):
        rows = [("raid", 5, 5, *QUNEITRA), ("raid", 5, 5, QUNEITRA[0] + km / per_degree, QUNEITRA[1])]
        assert _pairs(rows) == ([(0, 1)] if flagged else []), km


@pytest.mark.parametrize("second_day, flagged", [(100, True), (101, True), (99, True), (102, False), (98, False)])
def test_days_at_the_edge(second_day, flagged):
    """±1 day: the day before and the day after are flagged, two days apart is not."""
    rows = [("shelling", 100, 100, *QUNEITRA), ("shelling", second_day, second_day, *QUNEITRA)]
    assert _pairs(rows) == ([(0, 1)] if flagged else [])


def test_spans_count_from_their_nearest_days():
    """An incident over days 100–110 is one day from another on day 111 (flagged) and two from day 112."""
    assert _pairs([("raid", 100, 110, *QUNEITRA), ("raid", 111, 111, *QUNEITRA)]) == [(0, 1)]
    assert _pairs([("raid", 100, 110, *QUNEITRA), ("raid", 112, 112, *QUNEITRA)]) == []
    assert _pairs([("raid", 100, 110, *QUNEITRA), ("raid", 105, 105, *QUNEITRA)]) == [(0, 1)]


def test_other_event_types_are_not_duplicates():
    """An airstrike and a raid at the same place and day are not flagged."""
    assert _pairs([("airstrike", 1, 1, *QUNEITRA), ("raid", 1, 1, *QUNEITRA)]) == []


def test_thresholds_are_settings():
    """With 0 days only the same day is flagged; with 5 km, 4 km apart is; with 0 km nothing is."""
    same_place = [("raid", 10, 10, *QUNEITRA), ("raid", 11, 11, *QUNEITRA)]
    assert _pairs(same_place, DuplicateRule(days=0, km=2)) == []
    assert _pairs([("raid", 10, 10, *QUNEITRA), ("raid", 10, 10, QUNEITRA[0], _north(4))],
                  DuplicateRule(days=1, km=5)) == [(0, 1)]
    assert _pairs(same_place, DuplicateRule(days=1, km=0)) == []


def test_only_pairs_with_a_new_incident_are_flagged():
    """Two stored incidents close to each other are not flagged again; a new one is paired with each."""
    rows = [("raid", 1, 1, *QUNEITRA), ("raid", 1, 1, *QUNEITRA), ("raid", 1, 1, *QUNEITRA)]
    assert _pairs(rows, new=[False, False, True]) == [(0, 2), (1, 2)]
    assert _pairs(rows, new=[False, False, False]) == []


@pytest.mark.parametrize("share_new", [0.3, 0.9, 1.0])
def test_the_grid_finds_exactly_what_comparing_every_pair_finds(share_new):
    """On 3,000 random incidents (some over several days, far apart or close), a few or most of them new, the
    pairs equal a brute force's."""
    rng = np.random.default_rng(1974)
    n = 3000
    kinds = rng.choice(["airstrike", "raid", "shelling"], n).astype(object)
    first = rng.integers(0, 60, n)
    last = first + rng.choice([0, 0, 0, 0, 1, 3, 9], n)
    lon = rng.normal(35.9, 0.08, n)
    lat = rng.normal(33.0, 0.08, n)
    new = rng.random(n) < share_new
    rule = DuplicateRule(days=1, km=2.0)
    found = duplicate_pairs(Sightings(kinds, first, last, lon, lat, new), rule)
    a, b = np.triu_indices(n, 1)
    gap = np.maximum(0, np.maximum(first[b] - last[a], first[a] - last[b]))
    expected = ((kinds[a] == kinds[b]) & (gap <= 1) & (distance_km(lon[a], lat[a], lon[b], lat[b]) <= 2.0)
                & (new[a] | new[b]))
    assert len(found) > 100
    assert found.tolist() == np.column_stack((a[expected], b[expected])).tolist()


def test_far_apart_data_and_tiny_thresholds_still_fit():
    """Incidents across the globe and centuries, with a 1 m threshold, are searched without overflow."""
    rows = [("raid", 0, 0, -170.0, -60.0), ("raid", 70000, 70000, 170.0, 70.0),
            ("raid", 70000, 70000, 170.0, 70.0 + 0.0005 / KM_PER_DEGREE)]
    assert _pairs(rows, DuplicateRule(days=0, km=0.001)) == [(1, 2)]


def test_the_thresholds_are_read_from_the_environment():
    """WEBMAP_DUPLICATE_DAYS and WEBMAP_DUPLICATE_KM default to 1 day and 2 km, and refuse what is no distance."""
    defaults = settings_from_environ({})
    assert (defaults["DUPLICATE_DAYS"], defaults["DUPLICATE_KM"]) == (1, 2.0)
    chosen = settings_from_environ({"WEBMAP_DUPLICATE_DAYS": "0", "WEBMAP_DUPLICATE_KM": "0.5"})
    assert (chosen["DUPLICATE_DAYS"], chosen["DUPLICATE_KM"]) == (0, 0.5)
    for env, value in (("WEBMAP_DUPLICATE_KM", "-1"), ("WEBMAP_DUPLICATE_KM", "nan"), ("WEBMAP_DUPLICATE_KM", "2km"),
                       ("WEBMAP_DUPLICATE_DAYS", "1.5")):
        with pytest.raises(SettingError, match=env):
            settings_from_environ({env: value})
