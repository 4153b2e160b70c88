"""The one interface through which webmap reads and writes its data: every concern's interface together, plus
the store's lifecycle."""
from abc import abstractmethod

from .accounts import AccountStore
from .batches import BatchStore
from .duplicates import DuplicateStore
from .incidents import IncidentStore
from .layers import LayerStore
from .review import ReviewStore


class Store(IncidentStore, BatchStore, AccountStore, LayerStore, DuplicateStore, ReviewStore):
    """Storage for incidents (with history), batches, accounts, reference layers, flagged duplicates and
    submissions waiting for review; implementations differ only in SQL."""

    @abstractmethod
    def initialize(self) -> None:
        """Create the schema, or migrate an older one to the current version."""

    @abstractmethod
    def schema_version(self) -> int:
        """Return the schema version the database is at."""

    @abstractmethod
    def data_version(self) -> int:
        """Return a number that grows with every write of incidents (0 for an empty store)."""

    @abstractmethod
    def restore_data_version(self, version: int) -> None:
        """Set the data version to another store's, once a copy of its contents is written."""

    @abstractmethod
    def last_modified(self) -> str | None:
        """Return when the current data version was first reached (ISO 8601 UTC), or None if never: the same for as
        long as the data version stays, whatever writes that changed nothing recorded since."""

    @abstractmethod
    def close(self) -> None:
        """Release connections held by this store."""
