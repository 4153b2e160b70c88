"""The one interface through which webmap reads and writes incidents and reference layers."""
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from ..model import Incident, ReferenceLayer
from ..points import IncidentPoints


@dataclass(frozen=True)
class IncidentQuery:
    """Which incidents to select: every field left at its default selects everything."""

    start: str | None = None  # inclusive ISO date: incidents whose last day is on or after it
    end: str | None = None  # inclusive ISO date: incidents whose first day is on or before it
    event_types: tuple[str, ...] = ()
    verification: tuple[str, ...] = ()  # verification states; empty: any
    precision: tuple[str, ...] = ()  # location precision levels; empty: any (and unknown)
    bbox: tuple[float, float, float, float] | None = None  # minx, miny, maxx, maxy (CRS84)
    limit: int | None = None
    offset: int = 0
    as_of: int | None = None  # a data version: the incidents as they were right after it


@dataclass(frozen=True)
class BatchInfo:
    """Who wrote a set of incidents, and from which file."""

    user: str
    filename: str | None = None


@dataclass
class WriteReport:
    """What one write did: ids inserted, updated and left unchanged, and the batch that records it."""

    batch_id: int | None = None
    data_version: int | None = None
    inserted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


class Store(ABC):
    """Storage for incidents (with history) and reference layers; implementations differ only in SQL."""

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
    def add_incidents(self, incidents: list[Incident], batch: BatchInfo) -> WriteReport:
        """Insert new incidents and update changed ones by id, all in one transaction."""

    @abstractmethod
    def delete_incidents(self, incident_ids: list[str], batch: BatchInfo) -> WriteReport:
        """Delete incidents by id (softly: pinned views still see them), in one transaction."""

    @abstractmethod
    def last_modified(self) -> str | None:
        """Return when the current data version was written (ISO 8601 UTC), or None if never."""

    @abstractmethod
    def version_at(self, timestamp: str) -> int:
        """Return the data version that was current at an ISO 8601 UTC timestamp."""

    @abstractmethod
    def query_incidents(self, query: IncidentQuery) -> list[Incident]:
        """Return the incidents that match, ordered by date then id."""

    @abstractmethod
    def count_incidents(self, query: IncidentQuery) -> int:
        """Return how many incidents match, ignoring limit and offset."""

    @abstractmethod
    def incident_points(self, as_of: int | None = None) -> IncidentPoints:
        """Return every incident (live, or at data version `as_of`) as columns for counting and gridding."""

    @abstractmethod
    def incidents_by_key(self, keys: list[int]) -> list[Incident]:
        """Return the incidents that `IncidentPoints.keys` name, in the order given."""

    @abstractmethod
    def get_incident(self, incident_id: str, as_of: int | None = None) -> Incident | None:
        """Return the incident with this id (at data version `as_of`, if given), or None."""

    @abstractmethod
    def put_reference_layers(self, layers: list[ReferenceLayer]) -> None:
        """Replace all reference layers with these, in this draw order."""

    @abstractmethod
    def list_reference_layers(self) -> list[ReferenceLayer]:
        """Return the reference layers in draw order (bottom first)."""

    @abstractmethod
    def close(self) -> None:
        """Release connections held by this store."""
