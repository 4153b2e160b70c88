"""The statistics of a set of incidents placed against the 1974 lines: one pure function from the incidents
(with their positions) to one table per chart, the numbers every chart, CSV and table fallback show."""
from collections import Counter
from dataclasses import dataclass
from datetime import date

from ..analysis.zones import ZONES
from ..core.model import Incident
from ..core.vocabulary import Vocabulary
from .periods import default_unit, period_start, periods

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


def incident_zone(incident: Incident) -> str:
    """Return the zone of an incident placed against the lines."""
    return incident.extra["zone"]


def selection_range(incidents: list[Incident], start: str | None, end: str | None) -> tuple[date, date] | None:
    """Return the range a selection covers: the filters' own dates where given, else its incidents' dates."""
    first = date.fromisoformat(start) if start else min((date.fromisoformat(i.date) for i in incidents), default=None)
    last = date.fromisoformat(end) if end else max((date.fromisoformat(i.last_date) for i in incidents), default=None)
    return (first, last) if first and last and first <= last else None


def _percent(part: int, whole: int) -> float | None:
    """Return `part` as a percentage of `whole` to one decimal, or None for an empty period."""
    return round(100 * part / whole, 1) if whole else None


def compute_statistics(incidents: list[Incident], vocabulary: Vocabulary, governorate_names: dict, lang: str,
                       zone_labels: dict[str, str], start: str | None = None, end: str | None = None,
                       unit: str | None = None) -> Statistics:
    """Count incidents (each carrying `zone`, `near_line` and `governorate` in `extra`) per period and event
    type, zone and governorate, with reported fatalities and the share east of the Alpha line per period;
    periods cover `start`..`end` or, where not given, the incidents' own dates."""
    covered = selection_range(incidents, start, end)
    first_days = [date.fromisoformat(i.date) for i in incidents]
    if covered:
        unit = unit or default_unit(*covered)
        spans = periods(min([covered[0], *first_days]), max([covered[1], *first_days]), unit)
    else:
        unit, spans = unit or "month", []
    by_period = [period_start(day, unit) for day in first_days]
    zones = [incident_zone(i) for i in incidents]
    tables = {
        "timeline": _timeline(incidents, by_period, spans, vocabulary, lang),
        "zones": _zones(incidents, zones, zone_labels),
        "governorates": _governorates(incidents, governorate_names, lang),
        "fatalities": _fatalities(incidents, by_period, spans),
        "share": _share(zones, by_period, spans),
    }
    return Statistics(unit, *(covered or (None, None)), len(incidents), zones.count(SEPARATION),
                      sum(zone in PAST_ALPHA for zone in zones), sum(i.fatalities is None for i in incidents), tables)


def _timeline(incidents, by_period, spans, vocabulary: Vocabulary, lang: str) -> ChartTable:
    """Incidents per period and event type (the types the selection holds, in the vocabulary's order)."""
    counts = Counter(zip(by_period, (i.event_type for i in incidents)))
    present = {i.event_type for i in incidents}
    types = [t for t in vocabulary.event_types if t.id in present]
    rows = [(s.isoformat(), e.isoformat(), t.id, t.label_in(lang), counts[s, t.id]) for s, e in spans for t in types]
    return ChartTable("timeline", ("period_start", "period_end", "event_type", "event_type_label", "incidents"), rows)


def _zones(incidents, zones, zone_labels: dict[str, str]) -> ChartTable:
    """Incidents per zone, west to east, with how many of them lie near a line (their zone is uncertain)."""
    counts = Counter(zones)
    near = Counter(zone for zone, i in zip(zones, incidents) if i.extra.get("near_line"))
    rows = [(zone, zone_labels[zone], counts[zone], near[zone]) for zone in ZONES]
    return ChartTable("zones", ("zone", "zone_label", "incidents", "near_line"), rows)


def _governorates(incidents, governorate_names: dict, lang: str) -> ChartTable:
    """Incidents per governorate, most first, then any outside every governorate."""
    counts = Counter(i.extra.get("governorate") or NO_GOVERNORATE for i in incidents)
    named = sorted((pcode for pcode in counts if pcode), key=lambda pcode: (-counts[pcode], pcode))
    rows = [(pcode, governorate_names[pcode][lang], counts[pcode]) for pcode in named]
    if counts[NO_GOVERNORATE]:
        rows.append((NO_GOVERNORATE, "", counts[NO_GOVERNORATE]))
    return ChartTable("governorates", ("governorate", "governorate_name", "incidents"), rows)


def _fatalities(incidents, by_period, spans) -> ChartTable:
    """Fatalities as reported per period, and how many incidents have a figure and how many have none."""
    reported, with_figure, without = Counter(), Counter(), Counter()
    for period, incident in zip(by_period, incidents):
        if incident.fatalities is None:
            without[period] += 1
        else:
            reported[period] += incident.fatalities
            with_figure[period] += 1
    rows = [(s.isoformat(), e.isoformat(), reported[s], with_figure[s], without[s]) for s, e in spans]
    return ChartTable("fatalities", ("period_start", "period_end", "fatalities_reported", "incidents_with_figure",
                                     "incidents_without_figure"), rows)


def _share(zones, by_period, spans) -> ChartTable:
    """Per period: incidents, those inside the Area of Separation and those past the Alpha line, and both as
    percentages of the period's incidents."""
    total = Counter(by_period)
    separation = Counter(p for p, zone in zip(by_period, zones) if zone == SEPARATION)
    past = Counter(p for p, zone in zip(by_period, zones) if zone in PAST_ALPHA)
    rows = [(s.isoformat(), e.isoformat(), total[s], separation[s], past[s], _percent(separation[s], total[s]),
             _percent(past[s], total[s])) for s, e in spans]
    return ChartTable("share", ("period_start", "period_end", "incidents", "separation", "past_alpha",
                                "separation_percent", "past_alpha_percent"), rows)
