"""What each collection's features carry, property by property: the one list that the schema, the queryables,
the OpenAPI document and the exports are all built from. Pure, no request."""
from dataclasses import dataclass

from ..analysis.positions import POSITION_PROPERTIES
from ..analysis.zones import ZONES
from ..core.model import CANONICAL_PROPERTIES, NOTE_PROPERTIES
from ..core.numbers import SQL_INTEGER_MAX
from ..core.vocabulary import Vocabulary

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_STRING = {"type": "string"}
_TEXT_LIST = {"type": "array", "items": _STRING}
_DAY = {"type": "string", "format": "date"}
_KM = {"type": "number"}
_NULLABLE_STRING = {"type": ["string", "null"]}
# Part 5's geometry formats for the GeoJSON types a layer holds; a mix not listed here is geometry-any.
_GEOMETRY_FORMATS = {
    frozenset({"Point"}): "geometry-point", frozenset({"MultiPoint"}): "geometry-multipoint",
    frozenset({"LineString"}): "geometry-linestring", frozenset({"MultiLineString"}): "geometry-multilinestring",
    frozenset({"Polygon"}): "geometry-polygon", frozenset({"MultiPolygon"}): "geometry-multipolygon",
    frozenset({"Point", "MultiPoint"}): "geometry-point-or-multipoint",
    frozenset({"LineString", "MultiLineString"}): "geometry-linestring-or-multilinestring",
    frozenset({"Polygon", "MultiPolygon"}): "geometry-polygon-or-multipolygon",
}


@dataclass(frozen=True)
class Property:
    """One property of a collection's features: its JSON Schema, its title, its role in OGC API - Features
    Part 5 (`x-ogc-role`), and the items parameter that filters on it (None: none does)."""

    name: str
    schema: dict
    title: str
    role: str | None = None
    parameter: str | None = None

    def json_schema(self) -> dict:
        """Return the property's entry in a JSON Schema: title, type and format, and its role."""
        return {"title": self.title, **self.schema, **({"x-ogc-role": self.role} if self.role else {})}


def _incident_schemas(vocabulary: Vocabulary) -> dict[str, tuple[dict, str]]:
    """Return the JSON Schema and title of every property an incident read carries."""
    return {
        "date": (_DAY, "Date (the first day, if the incident spans several)"),
        "end_date": (_DAY, "Last day of an incident spanning several days"),
        "event_type": ({"type": "string", "enum": vocabulary.event_type_ids()}, "Event type"),
        "title": (_STRING, "Title"),
        "description": (_STRING, "Description"),
        "location_name": (_STRING, "Location name"),
        "fatalities": ({"type": "integer", "minimum": 0}, "Reported fatalities"),
        "actors": (_TEXT_LIST, "Actors involved"),
        "sources": (_TEXT_LIST, "Sources: the outlets that reported it (names or web addresses)"),
        "precision": ({"type": "string", "enum": vocabulary.precision_ids()}, "Location precision"),
        "verification": ({"type": "string", "enum": vocabulary.verification_ids()}, "Verification state"),
        "verification_note": (_STRING, "Why an editor gave the verification state"),
        "corrected": (_DAY, "Day of the latest correction after publication"),
        "correction_note": (_STRING, "What the latest correction changed and why"),
        "zone": ({"type": "string", "enum": list(ZONES)}, "Zone against the 1974 lines"),
        "near_line": ({"type": "boolean"}, "Within the location and line uncertainty of the Alpha or Bravo line"),
        "distance_alpha_km": (_KM, "Signed distance to the Alpha line (km; negative on its west side)"),
        "distance_bravo_km": (_KM, "Signed distance to the Bravo line (km; negative on its west side)"),
        "line_margin_km": (_KM, "Location and line uncertainty added up (km)"),
        "governorate": ({**_NULLABLE_STRING, "pattern": "^SY[0-9]{2}$"},
                        "Governorate code (OCHA P-code; null outside Syria's governorates)"),
        "governorate_name": (_NULLABLE_STRING, "Governorate name (null outside Syria's governorates)"),
    }


# Which items parameter filters on which incident property.
INCIDENT_FILTERS = {"geometry": "bbox", "date": "datetime", "end_date": "datetime", "event_type": "event_type",
                    "verification": "verification", "title": "q", "description": "q", "location_name": "q",
                    "zone": "zone", "governorate": "governorate", "distance_alpha_km": "distance_alpha_km",
                    "distance_bravo_km": "distance_bravo_km"}
_INCIDENT_ROLES = {"id": "id", "geometry": "primary-geometry", "date": "primary-interval-start",
                   "end_date": "primary-interval-end"}


def incident_filter_only() -> list[Property]:
    """Return what the incidents can be filtered on without their features carrying it as a property."""
    return [Property("batch", {"type": "integer", "minimum": 0, "maximum": SQL_INTEGER_MAX},
                     "Upload batch that inserted or last updated the incident", parameter="batch")]


def incident_properties(vocabulary: Vocabulary) -> list[Property]:
    """Return every property of an incident as the API serves it: id, geometry, the canonical properties and
    the position against the 1974 lines, in that order (uploads may add more, as free-form text)."""
    described = {
        "id": (_STRING, "Incident id"),
        "geometry": ({"format": "geometry-any"}, "Where it happened (CRS84)"),
        **_incident_schemas(vocabulary),
    }
    return [
        Property(name, *described[name], role=_INCIDENT_ROLES.get(name), parameter=INCIDENT_FILTERS.get(name))
        for name in ("id", "geometry", *CANONICAL_PROPERTIES, *NOTE_PROPERTIES, *POSITION_PROPERTIES)
    ]


# What each of SQLite's JSON types is in JSON Schema.
_SQLITE_JSON_TYPES = {"integer": "integer", "real": "number", "true": "boolean", "false": "boolean", "text": "string",
                      "array": "array", "object": "object"}


def uploaded_properties(types: dict[str, set[str]], known: list[Property]) -> list[Property]:
    """Return the properties that uploads added beyond the `known` ones, typed from the JSON types their values
    have (`types`, by name); values of mixed types get no type."""
    names = {p.name for p in known}
    described = []
    for name, kinds in types.items():
        if name in names:
            continue
        schema_types = {_SQLITE_JSON_TYPES[kind] for kind in kinds - {"null"}}
        if schema_types == {"integer", "number"}:
            schema_types = {"number"}
        value = _maybe_null({"type": schema_types.pop()}, "null" in kinds) if len(schema_types) == 1 else {}
        described.append(Property(name, value, f"{name} (added by an upload)"))
    return described


def _maybe_null(schema: dict, nullable: bool) -> dict:
    """Return `schema` allowing null too, if `nullable`."""
    return {**schema, "type": [schema["type"], "null"]} if nullable else schema


def _value_schema(values: list) -> dict:
    """Return the narrowest JSON Schema type that every value fits (null among them, if some are null)."""
    present = [v for v in values if v is not None]
    kinds = {type(v) for v in present}
    if kinds == {bool}:
        described = {"type": "boolean"}
    elif kinds == {int}:
        described = {"type": "integer"}
    elif kinds and kinds <= {int, float}:
        described = {"type": "number"}
    elif kinds == {list} and all(isinstance(item, str) for v in present for item in v):
        described = _TEXT_LIST
    else:
        described = _STRING
    return _maybe_null(described, len(present) < len(values))


def geometry_format(features: list[dict]) -> str:
    """Return the Part 5 geometry format that covers the features' geometry types."""
    return _GEOMETRY_FORMATS.get(frozenset(f["geometry"]["type"] for f in features), "geometry-any")


def layer_properties(features: list[dict]) -> list[Property]:
    """Return the properties of a reference layer's features, typed from the values they hold."""
    names = dict.fromkeys(name for feature in features for name in feature.get("properties") or {})
    return [
        Property("id", {"type": "integer", "minimum": 1}, "Feature number (1, 2, ... in file order)", role="id"),
        Property("geometry", {"format": geometry_format(features)}, "Geometry (CRS84)", role="primary-geometry",
                 parameter="bbox"),
        *(Property(name, _value_schema([(f.get("properties") or {}).get(name) for f in features]), name)
          for name in names),
    ]


def feature_schema(properties: list[Property], schema_id: str, title: str) -> dict:
    """Return the collection's schema (OGC API - Features Part 5): a JSON Schema with one entry per property.

    Uploads may add properties of their own, so further properties are allowed."""
    return {
        "$schema": JSON_SCHEMA_DIALECT, "$id": schema_id, "type": "object", "title": title,
        "properties": {p.name: p.json_schema() for p in properties},
    }


def geojson_feature_schema(properties: list[Property], schema_id: str, title: str) -> dict:
    """Return the JSON Schema of one feature as GeoJSON: a Feature whose `properties` member holds every property
    but the id and geometry (the layout older GDAL OGC API - Features drivers read, Debian 12's 3.6 among them)."""
    by_role = {p.role: p for p in properties}
    return {
        "$schema": JSON_SCHEMA_DIALECT, "$id": schema_id, "type": "object", "title": title,
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": by_role["id"].json_schema(),
            "geometry": by_role["primary-geometry"].json_schema(),
            "properties": {"type": "object", "properties": {
                p.name: p.json_schema() for p in properties if p.role not in ("id", "primary-geometry")}},
        },
    }


def queryables_schema(properties: list[Property], schema_id: str, title: str) -> dict:
    """Return the queryables: the properties an items parameter filters on, each saying which parameter (some,
    such as the incidents' batch, are not among the properties the features carry)."""
    return {
        "$schema": JSON_SCHEMA_DIALECT, "$id": schema_id, "type": "object", "title": title,
        "properties": {
            p.name: {**p.json_schema(), "description": f"Filter with the `{p.parameter}` parameter."}
            for p in properties if p.parameter
        },
        "additionalProperties": False,
    }


def columns(properties: list[Property]) -> tuple[str, ...]:
    """Return the table columns the properties make, in order: every one but the geometry."""
    return tuple(p.name for p in properties if p.role != "primary-geometry")
