"""The live map's counting and gridding (webmap.map.aggregate), checked against plain-Python counts of the data."""
import math
from collections import Counter
from datetime import date, timedelta

import numpy as np
import pytest
from conftest import fixture_incidents

from webmap.cli.synthetic import synthetic_incidents
from webmap.core.model import Incident, geometry_bounds
from webmap.core.points import pack_point, points_from_packed
from webmap.core.vocabulary import load_vocabulary
from webmap.map.aggregate import (
    approximate_precision, category_index, filter_mask, grid, list_keys, summarize, timeline, view_data,
)
from webmap.map.filters import MapFilters

VOCABULARY = load_vocabulary()
TYPES = tuple(VOCABULARY.event_type_ids())
FIXTURE = fixture_incidents()
SYNTHETIC = list(synthetic_incidents(3000, seed=7))


def points_of(incidents: list[Incident]):
    """Pack incidents as a store would, keyed by their position in the list."""
    packed = b"".join(
        pack_point(*geometry_bounds(i.geometry), i.date, i.last_date, i.event_type, i.precision, i.verification,
                   i.extra.get("illustrative") is True, i.extra.get("synthetic") is True)
        for i in incidents
    )
    return points_from_packed(1, np.arange(len(incidents)), packed)


def matches(incident: Incident, filters: MapFilters, ignore: str | None = None) -> bool:
    """Decide by hand whether an incident passes the filters (all but `ignore`)."""
    if ignore != "date":
        if filters.start and incident.last_date < filters.start:
            return False
        if filters.end and incident.date > filters.end:
            return False
    checks = (("type", filters.event_types, incident.event_type),
              ("verification", filters.verification, incident.verification),
              ("precision", filters.precision, incident.precision))
    return all(name == ignore or not wanted or value in wanted for name, wanted, value in checks)


FILTERS = [
    MapFilters(),
    MapFilters(start="2025-01-01"),
    MapFilters(end="2025-02-02"),
    MapFilters(start="2025-02-03", end="2025-03-31"),
    MapFilters(event_types=("airstrike",)),
    MapFilters(event_types=("airstrike", "incursion"), start="2025-01-01"),
    MapFilters(verification=("verified", "disputed")),
    MapFilters(precision=("area", "region"), end="2025-06-30"),
    MapFilters(event_types=("incursion",), precision=("town",), verification=("unverified",)),
]


@pytest.mark.parametrize("filters", FILTERS)
@pytest.mark.parametrize("incidents", [FIXTURE, SYNTHETIC], ids=["fixture", "synthetic"])
def test_summary_counts_match_a_count_by_hand(incidents, filters):
    """Matched, per-type, per-verification and per-precision counts agree with counting each incident."""
    summary = summarize(points_of(incidents), filters, VOCABULARY)
    assert summary.matched == sum(matches(i, filters) for i in incidents)
    for facet, column, counts in (("type", "event_type", summary.event_types),
                                  ("verification", "verification", summary.verification),
                                  ("precision", "precision", summary.precision)):
        by_hand = Counter(getattr(i, column) for i in incidents if matches(i, filters, ignore=facet))
        assert counts == {key: by_hand.get(key, 0) for key in counts}, facet


def test_summary_separates_synthetic_from_illustrative_samples():
    """Synthetic incidents are counted as synthetic, samples as illustrative, reported ones as neither."""
    sample = Incident("s-1", {"type": "Point", "coordinates": [36.0, 33.0]}, "2025-01-01", "raid",
                      extra={"illustrative": True})
    incidents = FIXTURE + SYNTHETIC[:40] + [sample]
    summary = summarize(points_of(incidents), MapFilters(), VOCABULARY)
    assert (summary.illustrative, summary.synthetic) == (1, 40)


def test_weekly_timeline_counts_each_incident_in_the_week_it_began():
    """Bins are Monday-to-Sunday weeks from the first incident's week to the last one's, without gaps."""
    filters = MapFilters(event_types=("airstrike", "raid"), start="2025-05-01")  # the date range is ignored
    result = timeline(points_of(SYNTHETIC), filter_mask(points_of(SYNTHETIC), filters, ignore="date"))
    assert result.unit == "week"
    by_week = Counter()
    for incident in SYNTHETIC:
        if matches(incident, filters, ignore="date"):
            day = date.fromisoformat(incident.date)
            by_week[(day - timedelta(days=day.weekday())).isoformat()] += 1
    assert {start: count for start, _, count in result.bins if count} == dict(by_week)
    starts = [date.fromisoformat(s) for s, _, _ in result.bins]
    assert all(d.weekday() == 0 for d in starts)
    assert all(b - a == timedelta(days=7) for a, b in zip(starts, starts[1:]))
    assert all(date.fromisoformat(e) - date.fromisoformat(s) == timedelta(days=6) for s, e, _ in result.bins)
    first_day = min(i.date for i in SYNTHETIC)
    assert result.bins[0][0] <= first_day <= result.bins[0][1]


def test_long_spans_are_binned_by_month():
    """Data spanning more than two years gets calendar-month bins."""
    dates = ["2021-01-31", "2021-02-01", "2021-02-28", "2023-12-01"]
    incidents = [Incident(f"m-{n}", {"type": "Point", "coordinates": [36, 33]}, d, "raid") for n, d in enumerate(dates)]
    result = timeline(points_of(incidents), np.ones(len(incidents), dtype=bool))
    assert result.unit == "month"
    assert result.bins[0] == ("2021-01-01", "2021-01-31", 1)
    assert result.bins[1] == ("2021-02-01", "2021-02-28", 2)
    assert result.bins[-1] == ("2023-12-01", "2023-12-31", 1)
    assert len(result.bins) == 36


def test_bbox_selects_incidents_whose_bounds_touch_it():
    """A route crossing into the box counts; points outside it do not."""
    bbox = (35.83, 33.22, 35.9, 33.3)  # crosses the end of route t-006; every other incident is outside
    mask = filter_mask(points_of(FIXTURE), MapFilters(), bbox)
    inside = [i.id for i, hit in zip(FIXTURE, mask) if hit]
    assert inside == ["t-006"]


def _mercator(lon: float, lat: float, zoom: int) -> tuple[float, float]:
    """Web Mercator pixels, written out independently of the code under test."""
    size = 256 * 2 ** zoom
    return (lon + 180) / 360 * size, (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * size


@pytest.mark.parametrize("bbox, zoom", [((35.0, 32.0, 37.5, 34.0), 8), ((35.7, 33.0, 36.0, 33.3), 11),
                                        ((35.80, 33.10, 35.85, 33.14), 14)])
def test_grid_cells_match_a_count_by_hand(bbox, zoom):
    """Cluster counts, positions and lone incidents agree with assigning each incident to its cell by hand."""
    points = points_of(SYNTHETIC)
    filters = MapFilters(event_types=("incursion", "airstrike", "arrest"))
    mask = filter_mask(points, filters, bbox)
    clusters, alone = grid(points, mask, bbox, zoom, 80, approximate_precision(VOCABULARY), TYPES)
    origin = _mercator(bbox[0], bbox[3], zoom)
    cells: dict[tuple[int, int], list[Incident]] = {}
    for incident in SYNTHETIC:
        lon, lat = incident.geometry["coordinates"]
        if matches(incident, filters) and bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]:
            x, y = _mercator(lon, lat, zoom)
            key = (math.floor(x / 80) - math.floor(origin[0] / 80), math.floor(y / 80) - math.floor(origin[1] / 80))
            cells.setdefault(key, []).append(incident)
    groups = [members for members in cells.values() if len(members) > 1]
    assert sorted(c.count for c in clusters) == sorted(len(m) for m in groups)
    assert {SYNTHETIC[k].id for k in alone} == {m[0].id for m in cells.values() if len(m) == 1}
    by_count_and_place = {(len(m), round(sum(i.geometry["coordinates"][0] for i in m) / len(m), 5)): m for m in groups}
    for cluster in clusters:
        members = by_count_and_place[(cluster.count, round(cluster.lon, 5))]
        assert cluster.approximate == sum(i.precision in ("area", "region") for i in members)
        assert cluster.event_types == dict(Counter(i.event_type for i in members))
        assert list(cluster.event_types) == [t for t in TYPES if t in cluster.event_types]
        lons = [i.geometry["coordinates"][0] for i in members]
        assert cluster.bounds[0] == pytest.approx(min(lons)) and cluster.bounds[2] == pytest.approx(max(lons))
    assert sum(c.count for c in clusters) + len(alone) == mask.sum()


def test_view_sends_incidents_one_by_one_up_to_the_limit():
    """At or under the limit every incident in view comes one by one; over it, clusters."""
    points = points_of(SYNTHETIC)
    bbox = (35.80, 33.10, 35.85, 33.14)
    mask = filter_mask(points, MapFilters(), bbox)
    in_view = int(mask.sum())
    few = view_data(points, mask, bbox, 14, in_view, 80, (), TYPES)
    assert not few.clustered and few.clusters == [] and sorted(few.keys) == sorted(np.flatnonzero(mask))
    many = view_data(points, mask, bbox, 14, in_view - 1, 80, (), TYPES)
    assert many.clustered and many.in_view == in_view
    assert sum(c.count for c in many.clusters) + len(many.keys) == in_view


def test_cluster_type_counts_cover_only_the_types_asked_for():
    """With every type asked for a cluster's type counts add up to its count; with fewer, those are left out."""
    points = points_of(SYNTHETIC)
    bbox = (35.0, 32.0, 37.5, 34.0)
    mask = filter_mask(points, MapFilters(), bbox)
    every = grid(points, mask, bbox, 8, 80, (), TYPES)[0]
    some = grid(points, mask, bbox, 8, 80, (), ("raid", "airstrike"))[0]
    assert every and all(sum(c.event_types.values()) == c.count for c in every)
    assert [c.event_types for c in some] == [
        {t: n for t, n in c.event_types.items() if t in ("raid", "airstrike")} for c in every]


def test_category_index_places_unknown_values_last():
    """Each coded value maps to its position in the list asked for; anything else to one past the end."""
    codes = points_of(FIXTURE).records["event_type"]
    index = category_index(codes, ("raid", "airstrike"))
    assert [("raid", "airstrike", None)[n] for n in index] == [
        i.event_type if i.event_type in ("raid", "airstrike") else None for i in FIXTURE]
    assert category_index(codes, ()).tolist() == [0] * len(FIXTURE)


@pytest.mark.parametrize("descending", [True, False])
def test_list_pages_are_in_date_order(descending):
    """Pages of the list follow date order (ties by key) and together hold every incident once."""
    points = points_of(SYNTHETIC)
    mask = filter_mask(points, MapFilters(event_types=("raid",)))
    expected = sorted((i.date, n) for n, i in enumerate(SYNTHETIC) if i.event_type == "raid")
    if descending:
        expected.reverse()
    pages = [list_keys(points, mask, descending, offset, 100) for offset in range(0, len(expected) + 100, 100)]
    assert [int(k) for page in pages for k in page] == [n for _, n in expected]
    assert len(pages[-1]) == 0
