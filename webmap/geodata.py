"""Reading the bundled reference layers and sample incidents from geodata/ into a store."""
import json
from pathlib import Path

from .model import Incident, ReferenceLayer
from .resources import resource_dir
from .store import BatchInfo, Store, WriteReport

SAMPLE_FILE = "sample_incidents.geojson"


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
    """Read the illustrative sample incidents."""
    folder = folder or geodata_dir()
    collection = json.loads((folder / SAMPLE_FILE).read_text(encoding="utf-8"))
    return [Incident.from_feature(feature) for feature in collection["features"]]


def load_bundled_data(store: Store, with_samples: bool = True) -> WriteReport | None:
    """Load the reference layers (and, unless told not to, the sample incidents) into `store`."""
    store.put_reference_layers(read_reference_layers())
    if not with_samples:
        return None
    return store.add_incidents(read_sample_incidents(), BatchInfo(user="webmap init", filename=SAMPLE_FILE))
