"""The reference-layer part of the store interface: the layers drawn under the incidents, and every version
of each."""
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

from ..core.model import ReferenceLayer
from .batches import BatchInfo


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


@dataclass(frozen=True)
class StoredLayerVersion:
    """One version of a reference layer with its features, for copying a store."""

    version: LayerVersion
    data: dict  # the layer's GeoJSON FeatureCollection at this version


class LayerConflict(Exception):
    """A layer write does not fit the stored layers: adding an id that exists, or replacing one that does not."""


@dataclass(frozen=True)
class LayerSnapshot:
    """The reference layers as a write sees them: a digest of their stored text, and how to read them."""

    digest: str
    load: Callable[[], list[ReferenceLayer]]


class LayerStore(ABC):
    """Reference layers in draw order, with their history."""

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
    def stored_layer_versions(self) -> list[StoredLayerVersion]:
        """Return every version of every reference layer, with its features, in the order they were written."""

    @abstractmethod
    def restore_reference_layers(self, layers: list[ReferenceLayer], history: list[StoredLayerVersion]) -> None:
        """Store layers (in this draw order) and their versions (in the order written) exactly as another store
        holds them, in one transaction, for copying a whole store into an empty one."""
