"""Reading GeoJSON (RFC 7946) into records: the document's structure, its features and any legacy `crs`."""
from ..core.errors import FieldError, InvalidContent
from ..core.model import CANONICAL_PROPERTIES
from .crs import UnknownCRS, crs_error, legacy_geojson_crs
from .geometry import GEOMETRY_TYPES
from .jsontext import parse_json
from .mappings import generic_values
from .record import FileLayout, Record

_NAMES = {name: f"properties.{name}" for name in CANONICAL_PROPERTIES}


def _refuse(field: str, message: str) -> InvalidContent:
    """Return the error for a document whose overall structure is wrong."""
    return InvalidContent(f"The file is not a GeoJSON FeatureCollection webmap can read: {message}",
                          [FieldError(field, message)])


def _features(document) -> list:
    """Return the features of a FeatureCollection (or a lone Feature), refusing any other structure."""
    if not isinstance(document, dict):
        raise _refuse("type", "the top level must be a GeoJSON object with \"type\": \"FeatureCollection\"")
    kind = document.get("type")
    if kind == "Feature":
        return [document]
    if kind in GEOMETRY_TYPES:
        raise _refuse("type", f"a bare {kind} has no date or event type; wrap it in a Feature with properties")
    if kind != "FeatureCollection":
        raise _refuse("type", f"\"type\" must be \"FeatureCollection\" or \"Feature\", got {kind!r}")
    features = document.get("features")
    if not isinstance(features, list):
        raise _refuse("features", "a FeatureCollection needs a \"features\" array")
    if not features:
        raise _refuse("features", "the collection has no features")
    return features


def _record(index: int, feature, layout: FileLayout) -> Record:
    """Turn one feature into a record, noting structural problems."""
    if not isinstance(feature, dict):
        return Record(index, None, {}, {}, layout, readable=False,
                      problems=[("type", "each feature must be a GeoJSON object with \"type\": \"Feature\"")])
    problems = []
    if feature.get("type") != "Feature":
        problems.append(("type", f"\"type\" must be \"Feature\", got {feature.get('type')!r}"))
    properties = feature.get("properties")
    if properties is None:
        properties = {}
    elif not isinstance(properties, dict):
        problems.append(("properties", "\"properties\" must be an object or null"))
        properties = {}
    values, extra = generic_values(properties)
    return Record(index, feature.get("geometry"), values, extra, layout, feature.get("id"), problems=problems)


def geojson_records(data: bytes) -> list[Record]:
    """Parse GeoJSON bytes into one record per feature; raise on a structure that has no features to check."""
    document = parse_json(data, "GeoJSON")
    features = _features(document)
    try:
        transform = legacy_geojson_crs(document.get("crs"))
    except UnknownCRS as exc:
        raise crs_error(exc) from exc
    layout = FileLayout(_NAMES, transform=transform)
    return [_record(index, feature, layout) for index, feature in enumerate(features)]
