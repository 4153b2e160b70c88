"""The store's part for possible duplicates: pairs of live incidents flagged when written, until an editor merges
them (a batch) or marks them as two events."""
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

from ..core.duplicates import DuplicateRule
from ..core.model import Incident
from .batches import BatchInfo, WriteReport


@dataclass(frozen=True)
class DuplicatePair:
    """Two live incidents flagged as possibly reporting one event (the lower id first), still open."""

    id: int
    first: Incident
    second: Incident
    flagged_at: str


@dataclass(frozen=True)
class StoredPair:
    """A flagged pair as the store keeps it, open or settled, for copying a whole store."""

    id: int
    first_id: str
    second_id: str
    flagged_at: str
    flagged_version: int
    distinct_by: str | None = None
    distinct_at: str | None = None


class PairGone(Exception):
    """The pair is not open any more: merged, marked distinct, or one of its incidents deleted."""


class DuplicateStore(ABC):
    """Flagged pairs of possible duplicates, and the two ways editors settle them."""

    duplicate_rule: DuplicateRule = DuplicateRule(km=0)  # until the app sets its thresholds, nothing is flagged

    def set_duplicate_rule(self, rule: DuplicateRule) -> None:
        """Flag the incidents written from now on by `rule`."""
        self.duplicate_rule = rule

    @abstractmethod
    def list_duplicate_pairs(self, limit: int, before: int | None = None) -> list[DuplicatePair]:
        """Return up to `limit` open pairs whose incidents are both live, newest flagged first, with ids below
        `before` if given."""

    @abstractmethod
    def count_duplicate_pairs(self) -> int:
        """Return how many open pairs there are whose incidents are both live."""

    @abstractmethod
    def get_duplicate_pair(self, pair_id: int) -> DuplicatePair | None:
        """Return one open pair whose incidents are both live, or None."""

    @abstractmethod
    def mark_pair_distinct(self, pair_id: int, user: str) -> bool:
        """Record that an open pair reports two events, so it is never flagged again; return False if it is not
        open."""

    @abstractmethod
    def merge_duplicate_pair(self, pair_id: int, merge: Callable[[Incident, Incident], Incident],
                             batch: BatchInfo) -> WriteReport:
        """In one transaction, write `merge(first, second)` (whose id is one of the two) and delete the other, as a
        batch that undo reverts; raise PairGone if the pair is not open."""

    @abstractmethod
    def stored_duplicate_pairs(self) -> list[StoredPair]:
        """Return every flagged pair, open or settled, by id, for copying a whole store."""

    @abstractmethod
    def restore_duplicate_pairs(self, pairs: list[StoredPair]) -> None:
        """Store flagged pairs exactly as another store holds them, in one transaction, for copying a whole store
        into an empty one."""
