"""Reading GeoJSON (RFC 7946) into records: the document's structure, its features and any legacy `crs`."""
from ..core.errors import InvalidContent, said
from ..core.i18n import Message, message
from ..core.model import CANONICAL_PROPERTIES
from .crs import UnknownCRS, crs_error, legacy_geojson_crs
from .geometry import GEOMETRY_TYPES
from .jsontext import parse_json
from .mappings import generic_values
from .record import FileLayout, Record

_NAMES = {name: f"properties.{name}" for name in CANONICAL_PROPERTIES}


def _refuse(field: str, problem: Message) -> InvalidContent:
    """Return the error for a document whose overall structure is wrong."""
    return InvalidContent(message("error_texts.geojson_refused", problem=problem), [said(field, problem)])


def _features(document) -> list:
    """Return the features of a FeatureCollection (or a lone Feature), refusing any other structure."""
    if not isinstance(document, dict):
        raise _refuse("type", message("field_errors.top_level_not_collection"))
    kind = document.get("type")
    if kind == "Feature":
        return [document]
    if kind in GEOMETRY_TYPES:
        raise _refuse("type", message("field_errors.bare_geometry", kind=kind))
    if kind != "FeatureCollection":
        raise _refuse("type", message("field_errors.type_not_collection", value=repr(kind)))
    features = document.get("features")
    if not isinstance(features, list):
        raise _refuse("features", message("field_errors.features_not_array"))
    if not features:
        raise _refuse("features", message("field_errors.collection_no_features"))
    return features


def _record(index: int, feature, layout: FileLayout) -> Record:
    """Turn one feature into a record, noting structural problems."""
    if not isinstance(feature, dict):
        return Record(index, None, {}, {}, layout, readable=False,
                      problems=[("type", message("field_errors.feature_not_object"))])
    problems = []
    if feature.get("type") != "Feature":
        problems.append(("type", message("field_errors.type_not_feature", value=repr(feature.get("type")))))
    properties = feature.get("properties")
    if properties is None:
        properties = {}
    elif not isinstance(properties, dict):
        problems.append(("properties", message("field_errors.properties_not_object")))
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
