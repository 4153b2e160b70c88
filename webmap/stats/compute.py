"""The statistics of a set of incidents placed against the 1974 lines: one pure function from the store's
tallies (counts per period, event type, zone, governorate and near_line) to one table per chart, the numbers
every chart, CSV and table fallback show."""
from collections import Counter
from dataclasses import dataclass
from datetime import date

from ..analysis.zones import ZONES
from ..core.vocabulary import Vocabulary
from ..store import Tally
from .periods import default_unit, periods

CHARTS = ("timeline", "zones", "governorates", "fatalities", "share")
SEPARATION = "separation"
# East of the Alpha line: the Area of Separation and everything on the Syrian (Bravo) side of it.
PAST_ALPHA = ZONES[ZONES.index(SEPARATION):]
NO_GOVERNORATE = ""


@dataclass(frozen=True)
class ChartTable:
    """The numbers of one chart: column ids (the CSV header) and rows, in the order charts draw them."""

    chart: str
    columns: tuple[str, ...]
    rows: list[tuple]

    def to_json(self) -> dict:
        """Return the table as the page's data block and /stats.json send it."""
        return {"columns": list(self.columns), "rows": [list(row) for row in self.rows]}


@dataclass(frozen=True)
class Statistics:
    """Everything the statistics view shows for one selection of incidents."""

    unit: str  # "week" or "month"
    first: date | None  # the range the selection covers: the filters' dates, else the incidents' own
    last: date | None
    total: int
    separation: int  # of them, inside the Area of Separation
    past_alpha: int  # of them, east of the Alpha line (the Area of Separation and the Syrian side)
    without_fatalities: int  # of them, with no fatality figure reported
    tables: dict[str, ChartTable]

    def to_json(self) -> dict:
        """Return the statistics as /stats.json and the page's data block send them."""
        return {"unit": self.unit, "start": self.first and self.first.isoformat(),
                "end": self.last and self.last.isoformat(), "total": self.total, "separation": self.separation,
                "past_alpha": self.past_alpha,
                "without_fatalities": self.without_fatalities,
                "charts": {name: table.to_json() for name, table in self.tables.items()}}


def selection_range(extent: tuple[str, str] | None, start: str | None, end: str | None) -> tuple[date, date] | None:
    """Return the range a selection covers: the filters' own dates where given, else its incidents' first and
    last days (`extent`, None when there are none)."""
    first = date.fromisoformat(start) if start else extent and date.fromisoformat(extent[0])
    last = date.fromisoformat(end) if end else extent and date.fromisoformat(extent[1])
    return (first, last) if first and last and first <= last else None


def counting_unit(covered: tuple[date, date] | None, unit: str | None) -> str:
    """Return the unit asked for, else the one a range is counted by (months when there is no range)."""
    return unit or (default_unit(*covered) if covered else "month")


def _percent(part: int, whole: int) -> float | None:
    """Return `part` as a percentage of `whole` to one decimal, or None for an empty period."""
    return round(100 * part / whole, 1) if whole else None


def compute_statistics(tallies: list[Tally], vocabulary: Vocabulary, governorate_names: dict, lang: str,
                       zone_labels: dict[str, str], covered: tuple[date, date] | None, unit: str) -> Statistics:
    """From a store's tallies by `unit`: incidents per period and event type, zone and governorate, with
    reported fatalities and the share east of the Alpha line per period; periods cover the range `covered`
    and every tallied period."""
    starts = [date.fromisoformat(t.period) for t in tallies]
    spans = periods(min([covered[0], *starts]), max([covered[1], *starts]), unit) if covered else []
    total = Counter()
    for tally in tallies:
        total[tally.zone] += tally.incidents
    tables = {
        "timeline": _timeline(tallies, spans, vocabulary, lang),
        "zones": _zones(tallies, total, zone_labels),
        "governorates": _governorates(tallies, governorate_names, lang),
        "fatalities": _fatalities(tallies, spans),
        "share": _share(tallies, spans),
    }
    return Statistics(unit, *(covered or (None, None)), total.total(), total[SEPARATION],
                      sum(total[zone] for zone in PAST_ALPHA),
                      sum(t.incidents - t.with_fatalities for t in tallies), tables)


def _by_period(tallies, count) -> Counter:
    """Sum `count(tally)` per period start."""
    sums = Counter()
    for tally in tallies:
        sums[date.fromisoformat(tally.period)] += count(tally)
    return sums


def _timeline(tallies, spans, vocabulary: Vocabulary, lang: str) -> ChartTable:
    """Incidents per period and event type (the types the selection holds, in the vocabulary's order)."""
    counts = Counter()
    for tally in tallies:
        counts[date.fromisoformat(tally.period), tally.event_type] += tally.incidents
    present = {t.event_type for t in tallies}
    types = [t for t in vocabulary.event_types if t.id in present]
    rows = [(s.isoformat(), e.isoformat(), t.id, t.label_in(lang), counts[s, t.id]) for s, e in spans for t in types]
    return ChartTable("timeline", ("period_start", "period_end", "event_type", "event_type_label", "incidents"), rows)


def _zones(tallies, counts: Counter, zone_labels: dict[str, str]) -> ChartTable:
    """Incidents per zone, west to east, with how many of them lie near a line (their zone is uncertain)."""
    near = Counter()
    for tally in tallies:
        if tally.near_line:
            near[tally.zone] += tally.incidents
    rows = [(zone, zone_labels[zone], counts[zone], near[zone]) for zone in ZONES]
    return ChartTable("zones", ("zone", "zone_label", "incidents", "near_line"), rows)


def _governorates(tallies, governorate_names: dict, lang: str) -> ChartTable:
    """Incidents per governorate, most first, then any outside every governorate."""
    counts = Counter()
    for tally in tallies:
        counts[tally.governorate or NO_GOVERNORATE] += tally.incidents
    named = sorted((pcode for pcode in counts if pcode), key=lambda pcode: (-counts[pcode], pcode))
    rows = [(pcode, governorate_names[pcode][lang], counts[pcode]) for pcode in named]
    if counts[NO_GOVERNORATE]:
        rows.append((NO_GOVERNORATE, "", counts[NO_GOVERNORATE]))
    return ChartTable("governorates", ("governorate", "governorate_name", "incidents"), rows)


def _fatalities(tallies, spans) -> ChartTable:
    """Fatalities as reported per period, and how many incidents have a figure and how many have none."""
    reported = _by_period(tallies, lambda t: t.fatalities)
    with_figure = _by_period(tallies, lambda t: t.with_fatalities)
    without = _by_period(tallies, lambda t: t.incidents - t.with_fatalities)
    rows = [(s.isoformat(), e.isoformat(), reported[s], with_figure[s], without[s]) for s, e in spans]
    return ChartTable("fatalities", ("period_start", "period_end", "fatalities_reported", "incidents_with_figure",
                                     "incidents_without_figure"), rows)


def _share(tallies, spans) -> ChartTable:
    """Per period: incidents, those inside the Area of Separation and those past the Alpha line, and both as
    percentages of the period's incidents."""
    total = _by_period(tallies, lambda t: t.incidents)
    separation = _by_period(tallies, lambda t: t.incidents if t.zone == SEPARATION else 0)
    past = _by_period(tallies, lambda t: t.incidents if t.zone in PAST_ALPHA else 0)
    rows = [(s.isoformat(), e.isoformat(), total[s], separation[s], past[s], _percent(separation[s], total[s]),
             _percent(past[s], total[s])) for s, e in spans]
    return ChartTable("share", ("period_start", "period_end", "incidents", "separation", "past_alpha",
                                "separation_percent", "past_alpha_percent"), rows)
