"""Counting a selection's incidents through the store (by their stored positions against the 1974 lines) and
computing its statistics and summary sentence."""
from dataclasses import dataclass, replace
from datetime import date

from ..analysis.zones import ZONES
from ..core.i18n import messages
from ..core.vocabulary import Vocabulary
from ..map.filters import governorate_choices
from ..store import Store
from .compute import SEPARATION, Statistics, compute_statistics, counting_unit, selection_range
from .params import StatsParams
from .periods import previous_range
from .summary import Comparison, summary_sentence

ROW_BYTES = 200  # a table row: a tuple of a few short strings and numbers


@dataclass(frozen=True)
class StatsResult:
    """A selection's statistics, the sentence that sums them up and the data version they were read at."""

    statistics: Statistics
    summary: str
    data_version: int

    def to_json(self) -> dict:
        """Return what /stats.json sends and the page's data block holds."""
        return {"data_version": self.data_version, "summary": self.summary, **self.statistics.to_json()}

    def __len__(self) -> int:
        """Return about how many bytes the result holds, which caches count."""
        return ROW_BYTES * sum(len(table.rows) for table in self.statistics.tables.values()) + len(self.summary)


def _previous(store: Store, params: StatsParams, first: date, last: date) -> Comparison:
    """Count the same filters' incidents inside the Area of Separation in the range before `first`..`last`."""
    start, end = previous_range(first, last)
    query = replace(params.filters, start=start.isoformat(), end=end.isoformat()).to_query()
    return Comparison(start, end, store.count_incidents_by(query, "zone").get(SEPARATION, 0))


def gather_statistics(store: Store, vocabulary: Vocabulary, params: StatsParams) -> StatsResult:
    """Compute the statistics and summary of the incidents the parameters' filters select, from the store's
    counts (grouped in SQL: no incident is read whole)."""
    data_version = store.data_version()
    text = messages(params.lang)
    governorate_names = {term.id: term.label for term in governorate_choices(store.list_reference_layers())}
    query = params.filters.to_query()
    extent = store.incident_extent(query)
    covered = selection_range(extent and extent[1], params.filters.start, params.filters.end)
    unit = counting_unit(covered, params.unit)
    statistics = compute_statistics(store.tally_incidents(query, unit), vocabulary, governorate_names, params.lang,
                                    {zone: text[f"zone_{zone}"] for zone in ZONES}, covered, unit)
    previous = None
    if statistics.total and statistics.first is not None:
        previous = _previous(store, params, statistics.first, statistics.last)
    return StatsResult(statistics, summary_sentence(params.lang, text, statistics, previous), data_version)
