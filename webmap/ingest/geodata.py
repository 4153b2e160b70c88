"""Reading the bundled reference layers and sample incidents from geodata/ into a store."""
import json
from pathlib import Path

from ..core.model import Incident, ReferenceLayer
from ..core.resources import resource_dir
from ..core.settings import setting_default
from ..core.vocabulary import load_vocabulary
from ..store import BatchInfo, Store, WriteReport, get_store
from . import read_incidents

SAMPLE_FILE = "sample_incidents.geojson"
LAYERS_BATCH = BatchInfo(user="webmap init", filename="geodata/layers.json")


def geodata_dir() -> Path:
    """Return the folder of bundled geodata."""
    return resource_dir("geodata")


def read_reference_layers(folder: Path | None = None) -> list[ReferenceLayer]:
    """Read every layer listed in layers.json, in draw order."""
    folder = folder or geodata_dir()
    manifest = json.loads((folder / "layers.json").read_text(encoding="utf-8"))
    layers = []
    for meta in manifest["layers"]:
        data = json.loads((folder / meta["file"]).read_text(encoding="utf-8"))
        layers.append(ReferenceLayer(meta["id"], meta, data))
    return layers


def read_sample_incidents(folder: Path | None = None) -> list[Incident]:
    """Read the illustrative sample incidents through the same checks as any import."""
    path = (folder or geodata_dir()) / SAMPLE_FILE
    return read_incidents(path.read_bytes(), SAMPLE_FILE, "application/geo+json",
                          vocabulary=load_vocabulary(), region_bbox=setting_default("REGION_BBOX"))


def load_bundled_layers(store: Store) -> bool:
    """Put the bundled reference layers into `store`; return whether that changed the stored ones."""
    return store.put_reference_layers(read_reference_layers(), LAYERS_BATCH)


def load_bundled_data(store: Store, with_samples: bool = True) -> WriteReport | None:
    """Load the reference layers (and, unless told not to, the sample incidents) into `store`."""
    load_bundled_layers(store)
    if not with_samples:
        return None
    return store.add_incidents(read_sample_incidents(), BatchInfo(user="webmap init", filename=SAMPLE_FILE))


def prepare_database(with_samples: bool = True) -> str:
    """Create or migrate the schema; on an empty database load the bundled data. Return what was done."""
    store = get_store()
    fresh = store.schema_version() == 0
    store.initialize()
    if not fresh:
        placed = store.refresh_positions()
        again = "" if placed is None else f"; placed {placed} incident versions against the current layers"
        return f"database is ready (schema version {store.schema_version()}){again}"
    report = load_bundled_data(store, with_samples=with_samples)
    loaded = f", {len(report.inserted)} sample incidents" if report else ""
    return f"created the database with the bundled reference layers{loaded}"
