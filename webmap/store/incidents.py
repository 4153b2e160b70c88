"""The incident part of the store interface: writes, queries, history (`as_of`), positions against the 1974
lines and tallies."""
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from ..core.model import Incident, IncidentRevision
from ..core.points import IncidentPoints
from .batches import BatchInfo, WriteReport
from .layers import LayerSnapshot

# What a store keeps about each incident's position against the 1974 lines, in this order (see Positioner).
POSITION_COLUMNS = ("zone", "near_line", "distance_alpha_km", "distance_bravo_km", "line_margin_km", "governorate",
                    "governorate_name")


COUNTABLE_COLUMNS = ("zone", "governorate", "event_type", "verification", "precision")


TALLY_UNITS = ("week", "month")  # weeks start on Monday


@dataclass(frozen=True)
class PositionFilter:
    """Which positions to select: zones, governorate P-codes and inclusive ranges (km) of the signed distance
    to each line, either end None for open; every field left at its default selects everything."""

    zones: tuple[str, ...] = ()
    governorates: tuple[str, ...] = ()
    distance_alpha_km: tuple[float | None, float | None] = (None, None)
    distance_bravo_km: tuple[float | None, float | None] = (None, None)

    def ranges(self) -> list[tuple[str, float | None, float | None]]:
        """Return (distance column, low, high) for each distance range that is set."""
        return [(name, *bounds) for name, bounds in (("distance_alpha_km", self.distance_alpha_km),
                                                      ("distance_bravo_km", self.distance_bravo_km))
                if bounds != (None, None)]


@dataclass(frozen=True)
class Tally:
    """How many matching incidents share a period (by their first day), event type, zone, governorate and
    near_line, and the fatalities reported for them."""

    period: str  # the period's first day, ISO
    event_type: str
    zone: str | None  # None: not placed
    governorate: str | None
    near_line: bool
    incidents: int
    with_fatalities: int  # of them, with a fatality figure
    fatalities: int  # the sum of those figures


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
    # Free-text search: per word, alternative terms in search form (webmap.core.searchtext), one of which
    # must occur in the title, description or location name as `searchable` writes them.
    search: tuple[tuple[str, ...], ...] = ()
    sort_descending: bool = False  # newest first; the default is oldest first (date, then id)
    batches: tuple[int, ...] = ()  # only incidents these batches inserted or updated (as they are now); empty: any
    position: PositionFilter = PositionFilter()
    keys: tuple[int, ...] | None = None  # only these rows (`IncidentPoints.keys`), e.g. those inside a layer


@dataclass(frozen=True)
class IncidentVersion:
    """One stored version of an incident, as a copy of the store needs it: the data versions it was live between
    (`valid_to` None while it is live), the batch that wrote it, and its key (as in `IncidentPoints.keys`)."""

    key: int
    incident: Incident  # without its position, which the store that holds it computes
    valid_from: int
    valid_to: int | None
    batch_id: int | None


class ProtectedIncidents(Exception):
    """A write would change live incidents in a protected verification state; `states` maps each id to its state."""

    def __init__(self, states: dict[str, str]):
        super().__init__(f"protected incidents would change: {', '.join(states)}")
        self.states = states


class Positioner(ABC):
    """Places incidents against the reference layers; a store calls it inside the write transactions that add
    incidents or change the layers, and keeps what it returns (POSITION_COLUMNS)."""

    @abstractmethod
    def version(self) -> str:
        """Return what, besides the layers, positions depend on: when it changes, every incident is placed again."""

    def uses(self, layer_id: str) -> bool:
        """Tell whether positions depend on this layer: only a change to such a layer places every incident again."""
        return True

    @abstractmethod
    def place(self, layers: LayerSnapshot, lon, lat, precision: list) -> list[tuple | None]:
        """Return the POSITION_COLUMNS values of each point (degrees) with its precision level, or None for
        each when the layers cannot place incidents (the 1974 lines or the governorates are missing)."""


class IncidentStore(ABC):
    """Incidents with their history, placed against the reference layers by a positioner."""

    positioner: Positioner | None = None  # without one, incidents are stored unplaced

    def set_positioner(self, positioner: Positioner) -> None:
        """Place every incident written from now on with `positioner`."""
        self.positioner = positioner

    @abstractmethod
    def refresh_positions(self) -> int | None:
        """Place every incident version again, in one transaction, if the layers or the positioner changed
        since they were placed; return how many were placed, or None if all were current."""

    @abstractmethod
    def add_incidents(self, incidents: list[Incident], batch: BatchInfo,
                      protected: tuple[str, ...] = ()) -> WriteReport:
        """Insert new incidents and update changed ones by id, all in one transaction; if any would change a live
        incident whose verification state is in `protected`, raise ProtectedIncidents and write nothing."""

    @abstractmethod
    def delete_incidents(self, incident_ids: list[str], batch: BatchInfo) -> WriteReport:
        """Delete incidents by id (softly: pinned views still see them), in one transaction."""

    @abstractmethod
    def delete_demo_incidents(self, batch: BatchInfo) -> WriteReport:
        """Delete every live illustrative or synthetic incident (the samples and generated ones) as one batch,
        in one transaction; record no batch when there are none."""

    @abstractmethod
    def plan_incidents(self, incidents: list[Incident], protected: tuple[str, ...] = ()) -> WriteReport:
        """Return what `add_incidents` would do with these incidents (or raise what it would), writing nothing."""

    @abstractmethod
    def verification_states(self, incident_ids: list[str]) -> dict[str, str]:
        """Return the verification state of each live incident among these ids."""

    @abstractmethod
    def version_at(self, timestamp: str) -> int:
        """Return the data version that was current at an ISO 8601 UTC timestamp."""

    @abstractmethod
    def version_timestamp(self, version: int) -> str | None:
        """Return when data version `version` was written (ISO 8601 UTC), or None if no write reached it."""

    @abstractmethod
    def count_changed_since(self, version: int, query: IncidentQuery) -> int:
        """Return how many incidents matching `query` were inserted, updated or deleted after `version`."""

    @abstractmethod
    def query_incidents(self, query: IncidentQuery) -> list[Incident]:
        """Return the incidents that match, ordered by date then id (reversed if `sort_descending`)."""

    @abstractmethod
    def query_feature_json(self, query: IncidentQuery) -> list[str]:
        """Return the matching incidents as serialised GeoJSON Features, in the order of query_incidents."""

    @abstractmethod
    def incident_extent(self, query: IncidentQuery = IncidentQuery()
                        ) -> tuple[tuple[float, float, float, float], tuple[str, str]] | None:
        """Return the matching incidents' bounding box and (first date, last date), or None if there are none."""

    @abstractmethod
    def property_types(self) -> dict[str, set[str]]:
        """Return the name of every property the live incidents carry, with the JSON types of its values
        (SQLite's json_type names: text, integer, real, true, false, null, array, object)."""

    @abstractmethod
    def count_incidents(self, query: IncidentQuery) -> int:
        """Return how many incidents match, ignoring limit and offset."""

    @abstractmethod
    def count_incidents_by(self, query: IncidentQuery, column: str) -> dict:
        """Return how many incidents match, per value of `column` (one of COUNTABLE_COLUMNS; None: not set)."""

    @abstractmethod
    def tally_incidents(self, query: IncidentQuery, unit: str) -> list[Tally]:
        """Return the matching incidents counted per period of `unit` (one of TALLY_UNITS), event type, zone,
        governorate and near_line, in no particular order."""

    @abstractmethod
    def incident_points(self, as_of: int | None = None) -> IncidentPoints:
        """Return every incident (live, or at data version `as_of`) as columns for counting and gridding."""

    @abstractmethod
    def incident_keys(self, query: IncidentQuery) -> np.ndarray:
        """Return the keys (as in `IncidentPoints.keys`) of the incident versions that match, in key order."""

    @abstractmethod
    def incidents_by_key(self, keys: list[int]) -> list[Incident]:
        """Return the incidents that `IncidentPoints.keys` name, in the order given."""

    @abstractmethod
    def incident_history(self, incident_id: str) -> list[IncidentRevision]:
        """Return every version of an incident and each deletion (`incident` None), oldest first, with who wrote
        it, when, at which data version and their notes; empty for an id never stored."""

    @abstractmethod
    def incident_versions(self, after: int = 0, limit: int = 10_000) -> list[IncidentVersion]:
        """Return up to `limit` stored incident versions (history included) with keys above `after`, in key order."""

    @abstractmethod
    def restore_incident_versions(self, versions: list[IncidentVersion]) -> None:
        """Write incident versions exactly as another store holds them (keys, data versions, batches), in one
        transaction, for copying a whole store into an empty one; `refresh_positions` places them afterwards."""

    @abstractmethod
    def get_incident(self, incident_id: str, as_of: int | None = None) -> Incident | None:
        """Return the incident with this id (at data version `as_of`, if given), or None."""
