"""The batch part of the store interface: who wrote a set of changes, what each write did, and undoing one."""
from abc import ABC, abstractmethod
from dataclasses import dataclass, field


@dataclass(frozen=True)
class BatchInfo:
    """Who wrote a set of incidents, from which file, and the notes they gave: `note` is the correction note of
    an edit (or a deletion's reason), `verification_note` the grounds for a verification state it sets."""

    user: str
    filename: str | None = None
    note: str | None = None
    verification_note: str | None = None


@dataclass
class WriteReport:
    """What one write did: ids inserted, updated and left unchanged, and the batch that records it."""

    batch_id: int | None = None
    data_version: int | None = None
    inserted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BatchRecord:
    """A recorded batch as listed for editors: who wrote what, when, and any undo that links it."""

    id: int
    created_at: str
    user: str
    filename: str | None
    data_version: int
    inserted: int
    updated: int
    unchanged: int
    deleted: int
    undoes: int | None = None  # the batch this one undid
    undone_by: int | None = None  # the batch that undid this one
    note: str | None = None  # as BatchInfo's
    verification_note: str | None = None

    @property
    def changed(self) -> bool:
        """Tell whether the batch changed any incident (only then can it be undone)."""
        return bool(self.inserted or self.updated or self.deleted)


class UndoRefused(Exception):
    """A batch cannot be undone; `ids` names the incidents that stand in the way, if any."""

    def __init__(self, message: str, ids: list[str] | tuple = ()):
        super().__init__(message)
        self.ids = list(ids)


class BatchStore(ABC):
    """The batches every write records, listed for editors, and undo."""

    @abstractmethod
    def list_batches(self, limit: int, before: int | None = None) -> list[BatchRecord]:
        """Return up to `limit` batches, newest first, with ids below `before` if given."""

    @abstractmethod
    def get_batch(self, batch_id: int) -> BatchRecord | None:
        """Return one batch by id, or None."""

    @abstractmethod
    def restore_batches(self, records: list[BatchRecord]) -> None:
        """Record batches exactly as another store holds them (ids, times, counts, undo links), oldest first, in
        one transaction, for copying a whole store into an empty one."""

    @abstractmethod
    def undo_batch(self, batch_id: int, batch: BatchInfo) -> WriteReport:
        """Revert what a batch changed, as a new batch, in one transaction; raise UndoRefused if it cannot."""
