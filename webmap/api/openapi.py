"""The OpenAPI 3 document describing every read API endpoint, built from the collections served."""
from ..analysis.within import BUFFER_KM
from ..analysis.zones import ZONES
from ..core.numbers import SQL_INTEGER_MAX
from ..map.filters import DISTANCE_PARAMS, MAX_BATCHES
from .collections import EXPORT_FORMATS, INCIDENTS, ITEM_FORMATS, ITEMS_FORMATS, Collection
from .links import HTML, JSON, JSON_SCHEMA, OPENAPI, Urls
from .params import CRS84, DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, MAX_SEARCH_WORDS

DOCUMENT_FORMATS = {"json": JSON, "html": HTML}
OPENAPI_FORMATS = {"json": OPENAPI, "html": HTML}
QUERYABLES_FORMATS = {"json": JSON_SCHEMA, "html": HTML}

OGC_PARTS = "https://schemas.opengis.net/ogcapi/features/part1/1.0/openapi/ogcapi-features-1.yaml"
API_DESCRIPTION = (
    "Read-only access to webmap's incidents and reference layers, following OGC API - Features - Part 1: Core "
    "(GeoJSON, HTML and CSV; CRS84 longitude/latitude). Errors are JSON objects with `code`, `description` and "
    "`errors` (one `field`/`message` per problem). Every response carries an ETag tied to the data version; send "
    "it back in If-None-Match to get 304 Not Modified while the data is unchanged."
)


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


def _parameters(vocabulary_ids: dict, reference_ids: list[str]) -> dict:
    """Return the reusable parameters."""
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
                                   {"type": "string", "enum": vocabulary_ids["event_type"]}, minItems=1),
        "verification": _array_param("verification", "Only these verification states (comma-separated).",
                                     {"type": "string", "enum": vocabulary_ids["verification"]}, minItems=1),
        "zone": _array_param("zone", "Only incidents in these zones against the 1974 lines (comma-separated).",
                             {"type": "string", "enum": list(ZONES)}, minItems=1),
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
                              f"{MAX_BATCHES}).", {"type": "integer", "minimum": 0, "maximum": SQL_INTEGER_MAX},
                              minItems=1, maxItems=MAX_BATCHES),
        "sortby": {
            "name": "sortby", "in": "query", "required": False,
            "description": "Order by date: `date` oldest first (the default) or `-date` newest first; ties go by id.",
            "schema": {"type": "string", "enum": ["date", "+date", "-date"]},
        },
        "q": {
            "name": "q", "in": "query", "required": False, "schema": {"type": "string"},
            "description": "Free text: every word (split on spaces and commas; at most "
                           f"{MAX_SEARCH_WORDS}) must occur, in any case, in the title, description or location "
                           "name.",
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
        "f-document": _format_param(DOCUMENT_FORMATS),
        "f-items": _format_param(ITEMS_FORMATS),
        "f-item": _format_param(ITEM_FORMATS),
        "f-export": _format_param(EXPORT_FORMATS),
    }


_STRING = {"type": "string"}
_LINKS = {"type": "array", "items": _ref("schemas", "link")}


def _schemas() -> dict:
    """Return the reusable response schemas."""
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
        "queryables": {
            "type": "object", "required": ["type", "properties"],
            "properties": {"$schema": _STRING, "$id": _STRING, "type": _STRING, "title": _STRING,
                           "properties": {"type": "object"}},
        },
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


def _collection_paths(prefix: str, kind: str, filters: tuple[str, ...]) -> dict:
    """Return the paths of one kind of collection (the incidents, or any reference layer) under `prefix`."""
    path_params = _param_refs("collectionId") if "{collectionId}" in prefix else []
    feature = "an incident" if kind == "incidents" else "a reference layer"
    return {
        prefix: _operation(
            f"{kind}-collection", f"Describe {feature} collection",
            "Title, description, extent, licence and attribution, with links to the items, exports and "
            "queryables.", path_params + _param_refs("f-document"), DOCUMENT_FORMATS,
            _ref("schemas", "collection"), "400", "404"),
        f"{prefix}/items": _operation(
            f"{kind}-items", "Features, a page at a time",
            "GeoJSON FeatureCollection with numberMatched, numberReturned and next/prev links that page through "
            "every match; also an HTML table with a map, or CSV with WKT geometry (after a `# ` attribution line).",
            path_params + _param_refs(*filters, "limit", "offset", "crs", "f-items"), ITEMS_FORMATS,
            _ref("schemas", "featureCollectionGeoJSON"), "400", "404"),
        f"{prefix}/items/{{featureId}}": _operation(
            f"{kind}-item", "One feature", "A GeoJSON Feature with links, or an HTML page with a map.",
            path_params + _param_refs("featureId", "crs", "f-item"), ITEM_FORMATS,
            _ref("schemas", "featureGeoJSON"), "400", "404"),
        f"{prefix}/queryables": _operation(
            f"{kind}-queryables", "Properties that can be filtered on",
            "A JSON Schema of the properties the items request filters on (as query parameters).",
            path_params + _param_refs("f-document"), QUERYABLES_FORMATS, _ref("schemas", "queryables"), "400", "404"),
        f"{prefix}/export": _operation(
            f"{kind}-export", "Download every selected feature",
            "Every feature the filters select, as a file download (Content-Disposition: attachment): GeoJSON with "
            "a top-level `attribution` member, CSV whose first line is `# ` and the attribution, or a GeoPackage "
            "whose layer description holds it.",
            path_params + _param_refs(*filters, "crs", "f-export"), EXPORT_FORMATS,
            _ref("schemas", "featureCollectionGeoJSON"), "400", "404"),
    }


def openapi_document(urls: Urls, collections: list[Collection], vocabulary_ids: dict) -> dict:
    """Return the OpenAPI 3.0 document for the API served at `urls.base`."""
    reference_ids = [c.id for c in collections if c.id != INCIDENTS]
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
                             "governorate", *DISTANCE_PARAMS, "q", "sortby", "version", "within")),
    }
    if reference_ids:
        paths.update(_collection_paths("/collections/{collectionId}", "reference", ("bbox", "bbox-crs")))
    errors = {
        "400": "A parameter is unknown or has a value that cannot be used; `errors` names each one.",
        "404": "The collection or feature does not exist.",
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "webmap read API", "version": "1.0.0", "description": API_DESCRIPTION,
                 "license": {"name": "Data: see the licence of each collection", "url": urls.about}},
        "servers": [{"url": urls.base}],
        "externalDocs": {"description": "OGC API - Features - Part 1: Core building blocks", "url": OGC_PARTS},
        "paths": paths,
        "components": {
            "parameters": _parameters(vocabulary_ids, reference_ids),
            "schemas": _schemas(),
            "responses": {
                status: {"description": text, "content": {JSON[0]: {"schema": _ref("schemas", "exception")}}}
                for status, text in errors.items()
            },
        },
    }
