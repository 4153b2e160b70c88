"""Reading a selection's incidents through the store (each carries its stored position against the 1974 lines)
and computing its statistics and summary sentence."""
from dataclasses import dataclass, replace
from datetime import date

from ..analysis.zones import ZONES
from ..core.i18n import messages
from ..core.vocabulary import Vocabulary
from ..map.filters import governorate_choices
from ..store import Store
from .compute import SEPARATION, Statistics, compute_statistics, incident_zone
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


def _placed(store: Store, params: StatsParams, **dates):
    """Return the incidents the filters select (with other dates, if given), with their stored positions."""
    query = replace(params.filters, **dates).to_query() if dates else params.filters.to_query()
    return store.query_incidents(query)


def _previous(store, params: StatsParams, first: date, last: date) -> Comparison:
    """Count the same filters' incidents inside the Area of Separation in the range before `first`..`last`."""
    start, end = previous_range(first, last)
    earlier = _placed(store, params, start=start.isoformat(), end=end.isoformat())
    return Comparison(start, end, sum(incident_zone(i) == SEPARATION for i in earlier))


def gather_statistics(store: Store, vocabulary: Vocabulary, params: StatsParams) -> StatsResult:
    """Compute the statistics and summary of the incidents the parameters' filters select."""
    data_version = store.data_version()
    text = messages(params.lang)
    governorate_names = {term.id: term.label for term in governorate_choices(store.list_reference_layers())}
    statistics = compute_statistics(
        _placed(store, params), vocabulary, governorate_names, params.lang,
        {zone: text[f"zone_{zone}"] for zone in ZONES}, params.filters.start, params.filters.end, params.unit)
    previous = None
    if statistics.total and statistics.first is not None:
        previous = _previous(store, params, statistics.first, statistics.last)
    return StatsResult(statistics, summary_sentence(params.lang, text, statistics, previous), data_version)
