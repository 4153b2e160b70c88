"""Merging two reports of one event into one incident that keeps every source. Pure: no store, no request."""
from dataclasses import replace

from ..core.model import Incident

MERGED_FROM = "merged_from"  # the property that lists the ids of the incidents merged into one
# Verification states a merge keeps when either incident has one, strongest first: doubt is never merged away.
KEPT_STATES = ("disputed", "verified")


def merge_order(first: Incident, second: Incident) -> tuple[Incident, Incident]:
    """Return (kept, merged away): the incident reported for the earlier day keeps its id (the lower id on a tie)."""
    return (first, second) if (first.date, first.id) <= (second.date, second.id) else (second, first)


def _precision_rank(incident: Incident, precision_order: list[str]) -> int:
    """Return how precise an incident's location is: 0 the most precise level; an unknown level is last."""
    return precision_order.index(incident.precision) if incident.precision in precision_order else len(precision_order)


def _union(first: tuple, second: tuple) -> tuple:
    """Return the items of both, each once, the first's first, in their order."""
    return tuple(dict.fromkeys((*first, *second)))


def merge_incidents(first: Incident, second: Incident, precision_order: list[str]) -> Incident:
    """Return one incident holding both reports: the kept one's id (see merge_order), the earliest day, the more
    precise location (the kept one's on a tie), every source and actor, the kept one's text and figures where it
    has them (else the other's), the strongest verification state, and the merged-away id in `merged_from`."""
    kept, other = merge_order(first, second)
    place = other if _precision_rank(other, precision_order) < _precision_rank(kept, precision_order) else kept
    end_dates = [d for d in (kept.end_date, other.end_date) if d]
    end_date = max(end_dates) if end_dates and max(end_dates) > kept.date else None
    verification = next((s for s in KEPT_STATES if s in (kept.verification, other.verification)), kept.verification)
    merged_from = _union(tuple(kept.extra.get(MERGED_FROM, ())), (other.id, *other.extra.get(MERGED_FROM, ())))
    extra = {**other.extra, **kept.extra, MERGED_FROM: list(merged_from)}
    return replace(
        kept, geometry=place.geometry, precision=place.precision, location_name=place.location_name,
        end_date=end_date, title=kept.title or other.title, description=kept.description or other.description,
        fatalities=kept.fatalities if kept.fatalities is not None else other.fatalities,
        actors=_union(kept.actors, other.actors), sources=_union(kept.sources, other.sources),
        verification=verification, extra=extra)
