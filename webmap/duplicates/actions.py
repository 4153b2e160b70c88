"""What editors do with a flagged pair, shared by the page and the API: find it, merge it as a batch, or mark it
as two events; and the facts both show of it."""
from functools import partial

from ..core.duplicates import days_apart, distance_km
from ..core.errors import FieldError, NotFound
from ..core.i18n import messages
from ..core.model import Incident, geometry_bounds
from ..core.numbers import whole_number
from ..core.points import day_number
from ..core.vocabulary import load_vocabulary
from ..store import Account, BatchInfo, DuplicatePair, PairGone, Store, WriteReport
from .merge import merge_incidents, merge_order

PAIRS_PER_PAGE = 20


def location(incident: Incident) -> tuple[float, float]:
    """Return where an incident is compared from: its point, or the centre of its bounding box."""
    minx, miny, maxx, maxy = geometry_bounds(incident.geometry)
    return (minx + maxx) / 2, (miny + maxy) / 2


def pair_distance_km(pair: DuplicatePair) -> float:
    """Return the distance between the pair's locations in km, to 0.01."""
    return round(float(distance_km(*location(pair.first), *location(pair.second))), 2)


def pair_days(pair: DuplicatePair) -> int:
    """Return the days between the pair's spans (0: they share a day)."""
    first, second = pair.first, pair.second
    return int(days_apart(day_number(first.date), day_number(first.last_date), day_number(second.date),
                          day_number(second.last_date)))


def merger():
    """Return the merge as the store applies it: two incidents in, one out, by the vocabulary's precision order."""
    return partial(merge_incidents, precision_order=load_vocabulary().precision_ids())


def merged_preview(pair: DuplicatePair) -> Incident:
    """Return the incident a merge of the pair would write now."""
    return merger()(pair.first, pair.second)


def _missing(text: str, lang: str) -> NotFound:
    """Return the refusal of a pair that is not open (or no pair number at all), in `lang`."""
    return NotFound(messages(lang)["pair_missing"].format(pair=text), [FieldError("pair", "no open pair")])


def open_pair(store: Store, text: str, lang: str = "en") -> DuplicatePair:
    """Return the open pair a URL names, or raise NotFound (also for text no pair number can be)."""
    try:
        pair = store.get_duplicate_pair(whole_number(text))
    except ValueError:
        pair = None
    if pair is None:
        raise _missing(text[:40], lang)
    return pair


def merge_pair(store: Store, pair: DuplicatePair, account: Account, lang: str = "en") -> tuple[WriteReport, str, str]:
    """Merge an open pair into one incident as a batch (undoable); return the report, the kept id and the id
    merged away."""
    kept, gone = merge_order(pair.first, pair.second)
    try:
        # The note is the reason the absorbed incident's address gives, in the language of the editor who merged.
        note = messages(lang)["merged_into"].format(id=kept.id)
        report = store.merge_duplicate_pair(pair.id, merger(), BatchInfo(user=account.name, note=note))
    except PairGone:
        raise _missing(str(pair.id), lang) from None
    return report, kept.id, gone.id


def mark_distinct(store: Store, pair: DuplicatePair, account: Account, lang: str = "en") -> None:
    """Record that an open pair reports two events, so it is not flagged again."""
    if not store.mark_pair_distinct(pair.id, account.name):
        raise _missing(str(pair.id), lang)


def pair_json(pair: DuplicatePair) -> dict:
    """Return a pair as the API lists it: both incidents as GeoJSON Features, how far apart, and the merge."""
    return {"id": pair.id, "flagged_at": pair.flagged_at, "distance_km": pair_distance_km(pair),
            "days_apart": pair_days(pair), "incidents": [pair.first.to_feature(), pair.second.to_feature()],
            "merged": merged_preview(pair).to_feature()}
