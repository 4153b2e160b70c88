"""Merging two reports of one event: every source kept, the earliest day and id, the more precise location, the
strongest verification state, and where the merged-away report went."""
from webmap.core.model import Incident
from webmap.duplicates.merge import merge_incidents, merge_order

PRECISION = ["exact", "town", "area", "region"]


def _incident(incident_id: str, date: str, **fields) -> Incident:
    """Return an airstrike near Quneitra with these fields."""
    point = fields.pop("point", (35.82, 33.12))
    return Incident(id=incident_id, geometry={"type": "Point", "coordinates": list(point)}, date=date,
                    event_type="airstrike", **fields)


def test_every_source_and_actor_is_kept_once_in_order():
    """Sources and actors of both are kept, the kept one's first, none twice."""
    first = _incident("a", "2025-01-10", sources=("https://one.example/1", "https://two.example/2"),
                      actors=("IDF",))
    second = _incident("b", "2025-01-11", sources=("https://two.example/2", "Local council statement"),
                       actors=("IDF", "Local residents"))
    merged = merge_incidents(second, first, PRECISION)
    assert merged.sources == ("https://one.example/1", "https://two.example/2", "Local council statement")
    assert merged.actors == ("IDF", "Local residents")


def test_the_earlier_report_keeps_its_id_day_and_text_and_names_the_other():
    """The incident of the earlier day keeps its id, day and title; missing fields come from the other; the other's
    id is listed in `merged_from`, after any merged into either before."""
    first = _incident("z-late", "2025-01-11", title="Later report", fatalities=3, description="Details",
                      extra={"merged_from": ["old-1"]})
    second = _incident("a-early", "2025-01-10", title="Early report", extra={"outlet_rank": 2})
    assert merge_order(first, second) == (second, first)
    merged = merge_incidents(first, second, PRECISION)
    assert (merged.id, merged.date, merged.title) == ("a-early", "2025-01-10", "Early report")
    assert (merged.fatalities, merged.description) == (3, "Details")
    assert merged.extra == {"outlet_rank": 2, "merged_from": ["z-late", "old-1"]}
    tie = merge_incidents(_incident("b", "2025-01-10"), _incident("a", "2025-01-10"), PRECISION)
    assert tie.id == "a"


def test_the_more_precise_location_wins_and_a_tie_keeps_the_earlier():
    """A town-level report's point replaces an area-level one's (with its name and precision); equal precision
    keeps the earlier report's location."""
    vague = _incident("a", "2025-01-10", precision="area", location_name="Quneitra countryside")
    exact = _incident("b", "2025-01-11", precision="town", location_name="Jubata al-Khashab", point=(35.79, 33.21))
    merged = merge_incidents(vague, exact, PRECISION)
    assert (merged.id, merged.precision, merged.location_name) == ("a", "town", "Jubata al-Khashab")
    assert merged.geometry == {"type": "Point", "coordinates": [35.79, 33.21]}
    unknown = merge_incidents(_incident("a", "2025-01-10"), _incident("b", "2025-01-10", precision="region"),
                              PRECISION)
    assert unknown.precision == "region"
    same = merge_incidents(_incident("a", "2025-01-10", precision="town"),
                           _incident("b", "2025-01-10", precision="town", point=(35.9, 33.0)), PRECISION)
    assert same.geometry["coordinates"] == [35.82, 33.12]


def test_doubt_and_verification_are_never_merged_away():
    """Disputed wins over verified, which wins over unverified, whichever report carried it."""
    for states, expected in ((("unverified", "verified"), "verified"), (("verified", "disputed"), "disputed"),
                             (("unverified", "unverified"), "unverified")):
        merged = merge_incidents(_incident("a", "2025-01-10", verification=states[0]),
                                 _incident("b", "2025-01-11", verification=states[1]), PRECISION)
        assert merged.verification == expected


def test_a_span_reaches_the_later_end():
    """The merged incident starts on the earliest day and ends on the latest end date either gave."""
    merged = merge_incidents(_incident("a", "2025-01-10", end_date="2025-01-12"),
                             _incident("b", "2025-01-11", end_date="2025-01-14"), PRECISION)
    assert (merged.date, merged.end_date) == ("2025-01-10", "2025-01-14")
    single = merge_incidents(_incident("a", "2025-01-10"), _incident("b", "2025-01-11"), PRECISION)
    assert single.end_date is None
