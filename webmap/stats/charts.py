"""What each chart draws from its table: title, series with their labels and colours, and its CSV."""
import csv
import io
from dataclasses import dataclass

from ..core.i18n import period_label
from ..core.vocabulary import Vocabulary
from .compute import ChartTable

PERIOD_CHARTS = ("timeline", "fatalities", "share")  # drawn over time, titled with their unit
FATALITIES_COLOUR = "#7f1d1d"
SEPARATION_COLOUR = "#7d3c98"
PAST_ALPHA_COLOUR = "#d35400"
CATEGORY_COLOUR = "#34495e"


@dataclass(frozen=True)
class Series:
    """One coloured series of a chart: the table column or value it comes from, its label and colour."""

    id: str
    label: str
    colour: str

    def to_json(self) -> dict:
        """Return the series as the browser's charts read it."""
        return {"id": self.id, "label": self.label, "color": self.colour}


def chart_title(chart: str, unit: str, text: dict) -> str:
    """Return the chart's title in the page language (charts over time name their unit)."""
    return text[f"stats_chart_{chart}_{unit}" if chart in PERIOD_CHARTS else f"stats_chart_{chart}"]


def chart_series(table: ChartTable, vocabulary: Vocabulary, text: dict, lang: str) -> list[Series]:
    """Return the series a chart draws: event types for the timeline, one or two measures for the others."""
    if table.chart == "timeline":
        present = {row[2] for row in table.rows}
        return [Series(t.id, t.label_in(lang), t.attributes["color"]) for t in vocabulary.event_types
                if t.id in present]
    if table.chart == "share":
        return [Series("separation_percent", text["stats_col_separation"], SEPARATION_COLOUR),
                Series("past_alpha_percent", text["stats_col_past_alpha"], PAST_ALPHA_COLOUR)]
    if table.chart == "fatalities":
        return [Series("fatalities_reported", text["stats_col_fatalities_reported"], FATALITIES_COLOUR)]
    return [Series("incidents", text["stats_col_incidents"], CATEGORY_COLOUR)]


def category_rows(table: ChartTable, text: dict) -> list[tuple[str, int]]:
    """Return a category chart's (label, count) pairs: zones west to east, governorates most first."""
    return [(row[1] or text["stats_no_governorate"], row[2]) for row in table.rows]


def period_values(table: ChartTable, series: list[Series]) -> tuple[list[str], dict[str, list]]:
    """Return a chart over time's period starts and, per series, its value in each period."""
    if table.chart == "timeline":
        starts = list(dict.fromkeys(row[0] for row in table.rows))
        found = {(row[0], row[2]): row[4] for row in table.rows}
        return starts, {s.id: [found.get((start, s.id), 0) for start in starts] for s in series}
    column = {name: n for n, name in enumerate(table.columns)}
    return [row[0] for row in table.rows], {s.id: [row[column[s.id]] for row in table.rows] for s in series}


def period_labels(table: ChartTable, unit: str, lang: str) -> dict[str, str]:
    """Return how a chart over time names each of its periods (ISO first day) on its axis and in its table, in
    `lang` (Feb 2025, شباط/فبراير 2025); empty for the category charts."""
    if table.chart not in PERIOD_CHARTS:
        return {}
    return {row[0]: period_label(row[0], unit, lang) for row in table.rows}


def table_csv(table: ChartTable) -> str:
    """Return a chart's numbers as CSV (RFC 4180: CRLF line ends, the header first, empty for no value)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows(["" if value is None else value for value in row] for row in table.rows)
    return out.getvalue()
