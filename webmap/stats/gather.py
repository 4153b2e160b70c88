"""Reading a selection's incidents through the store, placing them against the current reference layers and
computing its statistics and summary sentence."""
from dataclasses import dataclass, replace
from datetime import date

from ..analysis.positions import incidents_with_positions
from ..analysis.zones import ZONES, PreparedReference
from ..core.i18n import messages
from ..core.vocabulary import Vocabulary
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


def _placed(store: Store, reference: PreparedReference, vocabulary: Vocabulary, params: StatsParams, **dates):
    """Return the incidents the filters select (with other dates, if given), placed against the lines."""
    query = replace(params.filters, **dates).to_query() if dates else params.filters.to_query()
    return incidents_with_positions(store.query_incidents(query), reference, vocabulary)


def _previous(store, reference, vocabulary, params: StatsParams, first: date, last: date) -> Comparison:
    """Count the same filters' incidents inside the Area of Separation in the range before `first`..`last`."""
    start, end = previous_range(first, last)
    earlier = _placed(store, reference, vocabulary, params, start=start.isoformat(), end=end.isoformat())
    return Comparison(start, end, sum(incident_zone(i) == SEPARATION for i in earlier))


def gather_statistics(store: Store, reference: PreparedReference, vocabulary: Vocabulary,
                      params: StatsParams) -> StatsResult:
    """Compute the statistics and summary of the incidents the parameters' filters select."""
    data_version = store.data_version()
    text = messages(params.lang)
    statistics = compute_statistics(
        _placed(store, reference, vocabulary, params), vocabulary, reference.governorate_names, params.lang,
        {zone: text[f"zone_{zone}"] for zone in ZONES}, params.filters.start, params.filters.end, params.unit)
    previous = None
    if statistics.total and statistics.first is not None:
        previous = _previous(store, reference, vocabulary, params, statistics.first, statistics.last)
    return StatsResult(statistics, summary_sentence(params.lang, text, statistics, previous), data_version)
