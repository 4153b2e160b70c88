"""The one interface through which webmap reads and writes incidents and reference layers."""
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..core.model import Incident, ReferenceLayer
from ..core.points import IncidentPoints

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

    @property
    def changed(self) -> bool:
        """Tell whether the batch changed any incident (only then can it be undone)."""
        return bool(self.inserted or self.updated or self.deleted)


@dataclass(frozen=True)
class Account:
    """A person who may sign in: name, role, the salted hash of their password and which sessions count."""

    name: str
    role: str
    password_hash: str
    session_generation: int = 0  # sessions started at another generation have been ended
    disabled: bool = False  # a disabled account cannot log in and its tokens are refused


@dataclass(frozen=True)
class TokenInfo:
    """What a person sees of one of their API tokens: never the token, only its name and dates."""

    id: int
    name: str
    created_at: str
    last_used_at: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One recorded account change: who made it, when, what it was and on whom (never a secret)."""

    actor: str
    action: str
    target: str
    detail: str = ""
    at: str = ""  # filled in by the store when recorded
    id: int | None = None


@dataclass(frozen=True)
class LayerVersion:
    """One stored version of a reference layer: who wrote it, when, at which data version, and its descriptor."""

    layer_id: str
    number: int  # 1 for the layer's first version, counting up
    data_version: int
    created_at: str
    user: str
    action: str  # `bundled` (from geodata/), `added` or `replaced` (by an editor)
    meta: dict
    feature_count: int


class LayerConflict(Exception):
    """A layer write does not fit the stored layers: adding an id that exists, or replacing one that does not."""


class AccountExists(ValueError):
    """An account with this name already exists."""


class LastAdmin(ValueError):
    """The change would leave no active admin account, so nobody could manage accounts any more."""


class UndoRefused(Exception):
    """A batch cannot be undone; `ids` names the incidents that stand in the way, if any."""

    def __init__(self, message: str, ids: list[str] | tuple = ()):
        super().__init__(message)
        self.ids = list(ids)


class ProtectedIncidents(Exception):
    """A write would change live incidents in a protected verification state; `states` maps each id to its state."""

    def __init__(self, states: dict[str, str]):
        super().__init__(f"protected incidents would change: {', '.join(states)}")
        self.states = states


@dataclass(frozen=True)
class LayerSnapshot:
    """The reference layers as a write sees them: a digest of their stored text, and how to read them."""

    digest: str
    load: Callable[[], list[ReferenceLayer]]


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


class Store(ABC):
    """Storage for incidents (with history) and reference layers; implementations differ only in SQL."""

    positioner: Positioner | None = None  # without one, incidents are stored unplaced

    def set_positioner(self, positioner: Positioner) -> None:
        """Place every incident written from now on with `positioner`."""
        self.positioner = positioner

    @abstractmethod
    def refresh_positions(self) -> int | None:
        """Place every incident version again, in one transaction, if the layers or the positioner changed
        since they were placed; return how many were placed, or None if all were current."""

    @abstractmethod
    def count_incidents_by(self, query: IncidentQuery, column: str) -> dict:
        """Return how many incidents match, per value of `column` (one of COUNTABLE_COLUMNS; None: not set)."""

    @abstractmethod
    def tally_incidents(self, query: IncidentQuery, unit: str) -> list[Tally]:
        """Return the matching incidents counted per period of `unit` (one of TALLY_UNITS), event type, zone,
        governorate and near_line, in no particular order."""

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
    def list_batches(self, limit: int, before: int | None = None) -> list[BatchRecord]:
        """Return up to `limit` batches, newest first, with ids below `before` if given."""

    @abstractmethod
    def get_batch(self, batch_id: int) -> BatchRecord | None:
        """Return one batch by id, or None."""

    @abstractmethod
    def undo_batch(self, batch_id: int, batch: BatchInfo) -> WriteReport:
        """Revert what a batch changed, as a new batch, in one transaction; raise UndoRefused if it cannot."""

    @abstractmethod
    def add_account(self, name: str, role: str, password_hash: str) -> None:
        """Create an account; raise AccountExists if the name is taken."""

    @abstractmethod
    def get_account(self, name: str) -> Account | None:
        """Return the account with this name, or None."""

    @abstractmethod
    def list_accounts(self) -> list[Account]:
        """Return every account, by name."""

    @abstractmethod
    def set_account_role(self, name: str, role: str) -> bool:
        """Change an account's role and end its sessions; return False if there is no such account; raise
        LastAdmin (changing nothing) if it would leave no active admin."""

    @abstractmethod
    def set_account_disabled(self, name: str, disabled: bool) -> bool:
        """Disable or enable an account and end its sessions; return False if there is no such account; raise
        LastAdmin (changing nothing) if it would leave no active admin."""

    @abstractmethod
    def set_account_password(self, name: str, password_hash: str) -> bool:
        """Replace an account's password hash and end its sessions; return False if there is no such account."""

    @abstractmethod
    def end_sessions(self, name: str) -> bool:
        """End every session of an account (a new generation); return False if there is no such account."""

    @abstractmethod
    def add_token(self, account_name: str, token_hash: str, name: str = "") -> int:
        """Record the hash of a new, named API token for an existing account; return the token's id."""

    @abstractmethod
    def account_for_token(self, token_hash: str) -> Account | None:
        """Return the enabled account an API token hash belongs to (noting when the token was used), or None."""

    @abstractmethod
    def list_tokens(self, account_name: str) -> list[TokenInfo]:
        """Return an account's API tokens, newest first."""

    @abstractmethod
    def revoke_token(self, account_name: str, token_id: int) -> TokenInfo | None:
        """Delete one API token of an account; return what it was, or None if the account has no such token."""

    @abstractmethod
    def revoke_tokens(self, account_name: str) -> int:
        """Delete every API token of an account; return how many there were."""

    @abstractmethod
    def add_audit(self, entry: AuditEntry) -> None:
        """Record an account change in the audit log, stamped with the current time."""

    @abstractmethod
    def list_audit(self, limit: int, before: int | None = None) -> list[AuditEntry]:
        """Return up to `limit` audit entries, newest first, only those older than entry `before` if given."""

    @abstractmethod
    def reserve_login_attempt(self, name: str, at: str, since: str, limit: int) -> list[str]:
        """Return when log-ins under `name` failed since `since` (ISO 8601 UTC), oldest first; if fewer than
        `limit` (or `limit` is 0), also count this attempt, made `at`, as failed until it is cleared.

        One transaction, so concurrent attempts cannot all pass the limit; failures from before `since`
        are forgotten."""

    @abstractmethod
    def clear_login_failures(self, name: str) -> None:
        """Forget the failed log-ins under a name (after a successful one)."""

    @abstractmethod
    def last_modified(self) -> str | None:
        """Return when the current data version was written (ISO 8601 UTC), or None if never."""

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
    def incident_points(self, as_of: int | None = None) -> IncidentPoints:
        """Return every incident (live, or at data version `as_of`) as columns for counting and gridding."""

    @abstractmethod
    def incident_keys(self, query: IncidentQuery) -> np.ndarray:
        """Return the keys (as in `IncidentPoints.keys`) of the incident versions that match, in key order."""

    @abstractmethod
    def incidents_by_key(self, keys: list[int]) -> list[Incident]:
        """Return the incidents that `IncidentPoints.keys` name, in the order given."""

    @abstractmethod
    def get_incident(self, incident_id: str, as_of: int | None = None) -> Incident | None:
        """Return the incident with this id (at data version `as_of`, if given), or None."""

    @abstractmethod
    def put_reference_layers(self, layers: list[ReferenceLayer], batch: BatchInfo) -> bool:
        """Replace the bundled reference layers with these, in this draw order; return whether anything changed.

        Layers an editor added (`meta["origin"] == "editor"`, an id not among these) stay, drawn above. Replacing
        different layers is recorded as a batch at a new data version, so that every cached page showing them
        (embeds) gets a new validator; the first load, with the database, is not. Each changed layer gets a
        version in its history."""

    @abstractmethod
    def put_reference_layer(self, layer: ReferenceLayer, batch: BatchInfo, replace: bool) -> LayerVersion:
        """Add one layer on top (`replace` false) or replace a stored one in place, as a batch at a new data
        version with a version in the layer's history; raise LayerConflict if the id is taken (or missing)."""

    @abstractmethod
    def get_reference_layer(self, layer_id: str) -> ReferenceLayer | None:
        """Return the stored reference layer with this id, or None."""

    @abstractmethod
    def reference_layer_history(self, layer_id: str) -> list[LayerVersion]:
        """Return every stored version of a layer, newest first (empty for an unknown id)."""

    @abstractmethod
    def list_reference_layers(self) -> list[ReferenceLayer]:
        """Return the reference layers in draw order (bottom first)."""

    @abstractmethod
    def reference_layer_ids(self) -> list[str]:
        """Return the ids of the reference layers in draw order, without reading their geometry."""

    @abstractmethod
    def close(self) -> None:
        """Release connections held by this store."""
