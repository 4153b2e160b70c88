"""The OpenAPI 3 document describing every read API endpoint, built from the collections served."""
from ..analysis.within import BUFFER_KM
from ..map.filters import DISTANCE_PARAMS, MAX_BATCHES, MAX_SEARCH_WORDS
from . import params
from .collections import EXPORT_FORMATS, INCIDENTS, ITEM_FORMATS, ITEMS_FORMATS, Collection
from .links import HTML, JSON, JSON_SCHEMA, OPENAPI, Urls
from .params import CRS84, DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET
from .schema import Property

DOCUMENT_FORMATS = {"json": JSON, "html": HTML}
OPENAPI_FORMATS = {"json": OPENAPI, "html": HTML}
SCHEMA_FORMATS = {"json": JSON_SCHEMA, "html": HTML}

OGC_PARTS = "https://schemas.opengis.net/ogcapi/features/part1/1.0/openapi/ogcapi-features-1.yaml"
API_DESCRIPTION = (
    "Read-only access to webmap's incidents and reference layers, following OGC API - Features - Part 1: Core "
    "(GeoJSON, HTML and CSV; CRS84 longitude/latitude) and Part 5: Schemas (every property of a collection's "
    "features, typed, at /collections/{collectionId}/schema). Errors are JSON objects with `code`, `description` "
    "and `errors` (one `field`/`message` per problem). Every response carries an ETag tied to the data version; "
    "send it back in If-None-Match to get 304 Not Modified while the data is unchanged.\n\n"
    "Attribution and licences: incidents name the outlets that reported them in `sources` (the claims are "
    "theirs); each reference layer's collection document gives its `license`, `attribution` and `precision`, and "
    "the page linked as `license` lists every source. Exports carry the attribution inside the file (GeoJSON: a "
    "top-level `attribution` member; GeoPackage: its metadata); CSV, which has no room for it, links it in `Link` "
    "headers: `rel=\"license\"` to that page and `rel=\"describedby\"` to the collection, whose title holds the "
    "attribution line."
)
CSV_NOTE = ("RFC 4180: the header row first, CRLF line ends, `true`/`false` booleans; attribution and licence in "
            "`Link` headers")


def _ref(kind: str, name: str) -> dict:
    """Return a reference to a component."""
    return {"$ref": f"#/components/{kind}/{name}"}


_NUMBER = "-?[0-9]+(\\.[0-9]+)?"
DISTANCE_RANGE_PATTERN = f"^({_NUMBER},({_NUMBER})?|,{_NUMBER})$"


def _array_param(name: str, description: str, items: dict, **bounds) -> dict:
    """Return a comma-separated list query parameter (form style, not exploded)."""
    return {"name": name, "in": "query", "required": False, "style": "form", "explode": False,
            "description": description, "schema": {"type": "array", "items": items, **bounds}}


def _format_param(formats: dict) -> dict:
    """Return the `f` parameter offering these formats."""
    return {"name": "f", "in": "query", "required": False,
            "description": "The format of the response; without it, the Accept header decides (JSON by default).",
            "schema": {"type": "string", "enum": list(formats)}}


def _parameters(incident_values: dict[str, dict], reference_ids: list[str]) -> dict:
    """Return the reusable parameters; `incident_values` holds the JSON Schema of each incident property."""
    return {
        "bbox": _array_param(
            "bbox", "Only features whose geometry's bounding box touches this box: minx,miny,maxx,maxy in CRS84 "
            "(longitude, latitude); 6 numbers add heights, which are ignored. minx greater than maxx wraps the "
            "antimeridian; miny greater than maxy is an error.",
            {"type": "number"}, minItems=4, maxItems=6),
        "datetime": {
            "name": "datetime", "in": "query", "required": False, "schema": {"type": "string"},
            "description": "Only incidents whose days (date to end_date) touch this instant or interval: a date "
                           "(2025-01-31), an RFC 3339 date-time (2025-01-31T12:00:00Z, taken in UTC) or an "
                           "interval a/b, a/.. or ../b of them. Bounds are inclusive.",
        },
        "limit": {
            "name": "limit", "in": "query", "required": False,
            "description": f"Features per page. Larger values than {MAX_LIMIT} are lowered to {MAX_LIMIT} (as OGC "
                           "API - Features permits), and the `next` link pages on from there.",
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        },
        "offset": {
            "name": "offset", "in": "query", "required": False,
            "description": "How many selected features to skip (the `next` and `prev` links set it).",
            "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
        },
        "event_type": _array_param("event_type", "Only these event types (comma-separated).",
                                   incident_values["event_type"], minItems=1),
        "verification": _array_param("verification", "Only these verification states (comma-separated).",
                                     incident_values["verification"], minItems=1),
        "zone": _array_param("zone", "Only incidents in these zones against the 1974 lines (comma-separated).",
                             incident_values["zone"], minItems=1),
        "governorate": _array_param("governorate", "Only incidents in these governorates, by OCHA P-code "
                                    "(comma-separated, e.g. SY13,SY14).",
                                    {"type": "string", "pattern": "^[Ss][Yy][0-9]{2}$"}, minItems=1),
        **{name: {"name": name, "in": "query", "required": False,
                  "schema": {"type": "string", "pattern": DISTANCE_RANGE_PATTERN},
                  "description": f"Only incidents whose signed distance to the {line} line (km; negative on the "
                                 "Israeli-held side) lies in min,max, bounds included; either end may be left "
                                 "empty (0, or ,-2)."}
           for name, line in zip(DISTANCE_PARAMS, ("Alpha", "Bravo"))},
        "batch": _array_param("batch", "Only the incidents these upload batches inserted or updated and that are "
                              "still there, as they are now (batch numbers, comma-separated; at most "
                              f"{MAX_BATCHES}).", incident_values["batch"],
                              minItems=1, maxItems=MAX_BATCHES),
        "sortby": {
            "name": "sortby", "in": "query", "required": False,
            "description": "Order by date: `date` oldest first (the default) or `-date` newest first; ties go by id.",
            "schema": {"type": "string", "enum": ["date", "+date", "-date"]},
        },
        "q": {
            "name": "q", "in": "query", "required": False, "schema": {"type": "string"},
            "description": "Free text: every word (split on spaces and punctuation; at most "
                           f"{MAX_SEARCH_WORDS}) must occur in the title, description or location name, whatever "
                           "its case, accents, Arabic hamza forms, taa marbuta, alef maqsura or harakat. A word "
                           "or words naming a place of the gazetteer (`/places`) find it under any of its "
                           "spellings, as whole words: `sweida`, `suwayda` and `السويداء` find the same incidents.",
        },
        "version": {
            "name": "version", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0},
            "description": "Read the incidents as they were at this data version (at most the current one). The "
                           "next/prev links carry it, so paging sees one consistent snapshot even while the data "
                           "changes.",
        },
        "within": {
            "name": "within", "in": "query", "required": False,
            "schema": {"type": "string", "enum": reference_ids} if reference_ids else {"type": "string"},
            "description": "A reference layer's id: only the incidents inside its areas, or within "
                           f"{BUFFER_KM:g} km of its lines and points.",
        },
        "crs": {"name": "crs", "in": "query", "required": False, "schema": {"type": "string", "enum": [CRS84]},
                "description": "The CRS of the response: only CRS84 (longitude, latitude) is served."},
        "bbox-crs": {"name": "bbox-crs", "in": "query", "required": False,
                     "schema": {"type": "string", "enum": [CRS84]},
                     "description": "The CRS of bbox: only CRS84 (longitude, latitude)."},
        "featureId": {"name": "featureId", "in": "path", "required": True, "schema": {"type": "string"},
                      "description": "The feature's id."},
        "collectionId": {"name": "collectionId", "in": "path", "required": True,
                         "description": "A reference layer's id.",
                         "schema": {"type": "string", "enum": reference_ids}},
        "bom": {"name": "bom", "in": "query", "required": False,
                "schema": {"type": "string", "enum": list(params.BOOLEANS)},
                "description": "With f=csv: `true` starts the file with a UTF-8 byte order mark, which Excel "
                               "needs to read Arabic text as UTF-8 (default `false`). Not allowed with other "
                               "formats."},
        "f-document": _format_param(DOCUMENT_FORMATS),
        "f-items": _format_param(ITEMS_FORMATS),
        "f-item": _format_param(ITEM_FORMATS),
        "f-export": _format_param(EXPORT_FORMATS),
    }


_STRING = {"type": "string"}
_LINKS = {"type": "array", "items": _ref("schemas", "link")}


def _openapi_schema(described: dict) -> dict:
    """Return a JSON Schema 2020-12 property in OpenAPI 3.0's dialect, where a value that may be null is
    `nullable` rather than of two types."""
    kinds = described.get("type")
    if isinstance(kinds, list):
        (kind,) = [k for k in kinds if k != "null"]
        return {**described, "type": kind, "nullable": True}
    return described


def _openapi_object(properties: list[Property]) -> dict:
    """Return the OpenAPI schema of a Feature's `properties`: each property but the id and the geometry.

    Uploads may add properties of their own, so further properties are allowed."""
    return {"type": "object", "properties": {
        p.name: _openapi_schema(p.json_schema()) for p in properties if p.role not in ("id", "primary-geometry")}}


def _schemas(incident_properties: list[Property]) -> dict:
    """Return the reusable response schemas, with what an incident's properties hold."""
    geometry_types = ["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
                      "GeometryCollection"]
    return {
        "exception": {
            "type": "object", "required": ["code", "description", "errors"],
            "properties": {
                "code": _STRING, "description": _STRING,
                "errors": {"type": "array", "items": {
                    "type": "object", "required": ["field", "message"],
                    "properties": {"field": _STRING, "message": _STRING, "feature": {"type": "integer"}},
                }},
            },
        },
        "link": {
            "type": "object", "required": ["href", "rel"],
            "properties": {"href": _STRING, "rel": _STRING, "type": _STRING, "title": _STRING},
        },
        "landingPage": {
            "type": "object", "required": ["links"],
            "properties": {"title": _STRING, "description": _STRING, "links": _LINKS},
        },
        "confClasses": {
            "type": "object", "required": ["conformsTo"],
            "properties": {"conformsTo": {"type": "array", "items": _STRING}},
        },
        "collection": {
            "type": "object", "required": ["id", "links"],
            "properties": {
                "id": _STRING, "title": _STRING, "description": _STRING, "links": _LINKS,
                "itemType": _STRING, "crs": {"type": "array", "items": _STRING},
                "license": _STRING, "attribution": _STRING, "precision": _STRING,
                "extent": {"type": "object", "properties": {
                    "spatial": {"type": "object", "properties": {
                        "bbox": {"type": "array", "items": {"type": "array", "items": {"type": "number"},
                                                            "minItems": 4, "maxItems": 4}},
                        "crs": _STRING}},
                    "temporal": {"type": "object", "properties": {
                        "interval": {"type": "array", "items": {"type": "array", "items": {
                            "type": "string", "nullable": True}, "minItems": 2, "maxItems": 2}},
                        "trs": _STRING}},
                }},
            },
        },
        "collections": {
            "type": "object", "required": ["links", "collections"],
            "properties": {"links": _LINKS, "collections": {"type": "array", "items": _ref("schemas", "collection")}},
        },
        "geometryGeoJSON": {
            "type": "object", "required": ["type"],
            "properties": {"type": {"type": "string", "enum": geometry_types}},
        },
        "featureGeoJSON": {
            "type": "object", "required": ["type", "geometry", "properties"],
            "properties": {
                "type": {"type": "string", "enum": ["Feature"]},
                "id": {"oneOf": [_STRING, {"type": "integer"}]},
                "geometry": {"allOf": [_ref("schemas", "geometryGeoJSON")], "nullable": True},
                "properties": {"type": "object", "nullable": True},
                "links": _LINKS,
            },
        },
        "featureCollectionGeoJSON": {
            "type": "object", "required": ["type", "features"],
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "features": {"type": "array", "items": _ref("schemas", "featureGeoJSON")},
                "links": _LINKS,
                "numberMatched": {"type": "integer", "minimum": 0},
                "numberReturned": {"type": "integer", "minimum": 0},
                "attribution": _STRING,
            },
        },
        "jsonSchema": {
            "type": "object", "required": ["type", "properties"],
            "properties": {"$schema": _STRING, "$id": _STRING, "type": _STRING, "title": _STRING,
                           "properties": {"type": "object"}},
        },
        "incidentGeoJSON": {"allOf": [_ref("schemas", "featureGeoJSON"), {
            "type": "object", "properties": {"properties": _openapi_object(incident_properties)}}]},
        "incidentCollectionGeoJSON": {"allOf": [_ref("schemas", "featureCollectionGeoJSON"), {
            "type": "object", "properties": {"features": {"type": "array",
                                                          "items": _ref("schemas", "incidentGeoJSON")}}}]},
    }


def _content(formats: dict, json_schema: dict) -> dict:
    """Return a 200 response's content: the JSON-like format with its schema, the others as text."""
    content = {}
    for name, types in formats.items():
        if name == "gpkg":
            content[types[0]] = {"schema": {"type": "string", "format": "binary"}}
        elif name == "json":
            content[types[0]] = {"schema": json_schema}
        else:
            content[types[0]] = {"schema": _STRING}
    return content


def _operation(operation_id: str, summary: str, description: str, parameters: list, formats: dict,
               schema: dict, *errors: str) -> dict:
    """Return a GET operation with its 200 response and the error responses it can give."""
    responses = {"200": {"description": summary, "content": _content(formats, schema)}}
    responses.update({status: _ref("responses", status) for status in errors})
    return {"get": {"operationId": operation_id, "summary": summary, "description": description,
                    "parameters": parameters, "responses": responses}}


def _param_refs(*names: str) -> list[dict]:
    """Return references to reusable parameters."""
    return [_ref("parameters", name) for name in names]


def _collection_paths(prefix: str, kind: str, filters: tuple[str, ...], feature: str, collection: str) -> dict:
    """Return the paths of one kind of collection (the incidents, or any reference layer) under `prefix`; its
    features follow the schemas named `feature` and `collection`."""
    path_params = _param_refs("collectionId") if "{collectionId}" in prefix else []
    what = "an incident" if kind == "incidents" else "a reference layer"
    return {
        prefix: _operation(
            f"{kind}-collection", f"Describe {what} collection",
            "Title, description, extent, licence and attribution, with links to the items, exports, schemas and "
            "queryables.", path_params + _param_refs("f-document"), DOCUMENT_FORMATS,
            _ref("schemas", "collection"), "400", "404"),
        f"{prefix}/items": _operation(
            f"{kind}-items", "Features, a page at a time",
            "GeoJSON FeatureCollection with numberMatched, numberReturned and next/prev links that page through "
            f"every match; also an HTML table with a map, or CSV with WKT geometry ({CSV_NOTE}).",
            path_params + _param_refs(*filters, "limit", "offset", "crs", "bom", "f-items"), ITEMS_FORMATS,
            _ref("schemas", collection), "400", "404"),
        f"{prefix}/items/{{featureId}}": _operation(
            f"{kind}-item", "One feature", "A GeoJSON Feature with links, or an HTML page with a map.",
            path_params + _param_refs("featureId", "crs", "f-item"), ITEM_FORMATS,
            _ref("schemas", feature), "400", "404", *(("410",) if kind == "incidents" else ())),
        f"{prefix}/schema": _operation(
            f"{kind}-schema", "Every property of the features",
            "A JSON Schema (OGC API - Features Part 5) of every property the features carry, with its type, "
            "format and `x-ogc-role` (id, primary-geometry, primary-interval-start/-end).",
            path_params + _param_refs("f-document"), SCHEMA_FORMATS, _ref("schemas", "jsonSchema"), "400", "404"),
        f"{prefix}/schema/geojson": _operation(
            f"{kind}-geojson-schema", "One feature as GeoJSON",
            "A JSON Schema of one feature as a GeoJSON Feature, its properties inside `properties`: what GDAL's "
            "OGC API - Features driver reads (linked as `describedBy`) to know every field before the first page.",
            path_params + _param_refs("f-document"), SCHEMA_FORMATS, _ref("schemas", "jsonSchema"), "400", "404"),
        f"{prefix}/queryables": _operation(
            f"{kind}-queryables", "Properties that can be filtered on",
            "A JSON Schema of the properties the items request filters on, each naming its query parameter.",
            path_params + _param_refs("f-document"), SCHEMA_FORMATS, _ref("schemas", "jsonSchema"), "400", "404"),
        f"{prefix}/export": _operation(
            f"{kind}-export", "Download every selected feature",
            "Every feature the filters select, as a file download (Content-Disposition: attachment): GeoJSON with "
            f"a top-level `attribution` member, CSV ({CSV_NOTE}), or a GeoPackage whose metadata "
            "(gpkg_metadata) and layer description hold the attribution.",
            path_params + _param_refs(*filters, "crs", "bom", "f-export"), EXPORT_FORMATS,
            _ref("schemas", collection), "400", "404"),
    }


def openapi_document(urls: Urls, collections: list[Collection]) -> dict:
    """Return the OpenAPI 3.0 document for the API served at `urls.base`."""
    reference_ids = [c.id for c in collections if c.id != INCIDENTS]
    incidents = next(c for c in collections if c.id == INCIDENTS)
    paths = {
        "/": _operation("landing", "Landing page", "Links to the API definition, conformance and collections.",
                        _param_refs("f-document"), DOCUMENT_FORMATS, _ref("schemas", "landingPage"), "400"),
        "/conformance": _operation(
            "conformance", "Conformance classes", "The OGC API conformance classes this API implements.",
            _param_refs("f-document"), DOCUMENT_FORMATS, _ref("schemas", "confClasses"), "400"),
        "/openapi": _operation(
            "openapi", "This API definition", "This OpenAPI document, as JSON or as a readable HTML page.",
            _param_refs("f-document"), OPENAPI_FORMATS, {"type": "object"}, "400"),
        "/collections": _operation(
            "collections", "The collections", "The incidents and every reference layer.",
            _param_refs("f-document"), DOCUMENT_FORMATS, _ref("schemas", "collections"), "400"),
        **_collection_paths(f"/collections/{INCIDENTS}", "incidents",
                            ("bbox", "bbox-crs", "datetime", "event_type", "verification", "batch", "zone",
                             "governorate", *DISTANCE_PARAMS, "q", "sortby", "version", "within"),
                            "incidentGeoJSON", "incidentCollectionGeoJSON"),
    }
    if reference_ids:
        paths.update(_collection_paths("/collections/{collectionId}", "reference", ("bbox", "bbox-crs"),
                                       "featureGeoJSON", "featureCollectionGeoJSON"))
    errors = {
        "400": "A parameter is unknown or has a value that cannot be used; `errors` names each one.",
        "404": "The collection or feature does not exist.",
        "410": "The incident was deleted; the description says when and why (`errors`: field `reason`).",
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "webmap read API", "version": "1.0.0", "description": API_DESCRIPTION,
                 "license": {"name": "Data: see the licence of each collection", "url": urls.about}},
        "servers": [{"url": urls.base}],
        "externalDocs": {"description": "OGC API - Features - Part 1: Core building blocks", "url": OGC_PARTS},
        "paths": paths,
        "components": {
            "parameters": _parameters({p.name: p.schema for p in incidents.properties + incidents.filter_only},
                                      reference_ids),
            "schemas": _schemas(incidents.properties),
            "responses": {
                status: {"description": text, "content": {JSON[0]: {"schema": _ref("schemas", "exception")}}}
                for status, text in errors.items()
            },
        },
    }
