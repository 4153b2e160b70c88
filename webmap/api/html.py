"""What the API's HTML pages show: feature tables with safe links, a small map, the OpenAPI operations."""
from dataclasses import dataclass

from ..core.model import Incident, ReferenceLayer, geometry_bounds
from ..core.vocabulary import Vocabulary
from ..map.build import MapOptions, MapParts, build_map, render_map
from ..map.simplify import simplify_incidents, zoom_for_bbox
from .tables import property_columns

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
FIT_MAX_ZOOM = 12  # the small map zooms no closer than this to the features it shows


@dataclass(frozen=True)
class Part:
    """One piece of a table cell: text, and the address it links to if it is a web address."""

    text: str
    href: str | None = None


def _parts(value) -> list[Part]:
    """Split a property value into cell parts; only http(s) strings become links."""
    values = value if isinstance(value, (list, tuple)) else [value]
    parts = []
    for item in values:
        if item is None:
            continue
        text = str(item) if not isinstance(item, dict) else ", ".join(f"{k}: {v}" for k, v in item.items())
        parts.append(Part(text, text if text.startswith(("http://", "https://")) else None))
    return parts


def feature_table(features: list[dict], leading: tuple[str, ...]) -> tuple[list[str], list[tuple[str, list]]]:
    """Return the column names and, per feature, its id and one list of parts per column."""
    columns = property_columns(features, leading)
    rows = [
        (str(f.get("id")), [_parts((f.get("properties") or {}).get(name)) for name in columns])
        for f in features
    ]
    return columns, rows


def feature_map(incidents: list[Incident], layers: list[ReferenceLayer], features: list[dict],
                vocabulary: Vocabulary, options: MapOptions) -> MapParts:
    """Render a map of the features, zoomed to them when there are any, their lines and areas simplified."""
    if not features:
        return render_map(build_map(incidents, layers, vocabulary, options))
    boxes = [geometry_bounds(f["geometry"]) for f in features]
    west, south = min(b[0] for b in boxes), min(b[1] for b in boxes)
    east, north = max(b[2] for b in boxes), max(b[3] for b in boxes)
    zoom = min(zoom_for_bbox((west, south, east, north)), FIT_MAX_ZOOM)
    built = build_map(simplify_incidents(incidents, zoom), layers, vocabulary, options)
    built.fmap.fit_bounds([[south, west], [north, east]], max_zoom=FIT_MAX_ZOOM)
    return render_map(built)


def _resolve(document: dict, value: dict) -> dict:
    """Follow a local `$ref` (#/components/...) to what it names."""
    if "$ref" not in value:
        return value
    target = document
    for key in value["$ref"].lstrip("#/").split("/"):
        target = target[key]
    return target


def _schema_summary(schema: dict) -> str:
    """Describe a parameter's schema in a few words: type, allowed values, bounds, default."""
    words = [schema.get("type", "")]
    items = schema.get("items", {})
    if items:
        words.append(f"of {items.get('type', '')}")
    if "enum" in schema or "enum" in items:
        words.append("one of: " + ", ".join(map(str, schema.get("enum") or items.get("enum"))))
    for key, label in (("minimum", "min"), ("maximum", "max"), ("minItems", "min items"),
                       ("maxItems", "max items"), ("default", "default")):
        if key in schema:
            words.append(f"{label} {schema[key]}")
    return ", ".join(w for w in words if w)


def openapi_operations(document: dict) -> list[dict]:
    """Flatten an OpenAPI document into operations with resolved parameters and responses, for reading."""
    operations = []
    for path, item in document.get("paths", {}).items():
        for method in HTTP_METHODS:
            if method not in item:
                continue
            operation = item[method]
            parameters = [_resolve(document, p) for p in item.get("parameters", []) + operation.get("parameters", [])]
            operations.append({
                "method": method.upper(), "path": path, "id": operation.get("operationId", ""),
                "summary": operation.get("summary", ""), "description": operation.get("description", ""),
                "parameters": [
                    {"name": p["name"], "in": p["in"], "required": p.get("required", False),
                     "schema": _schema_summary(p.get("schema", {})), "description": p.get("description", "")}
                    for p in parameters
                ],
                "responses": [
                    {"status": status, "description": _resolve(document, response).get("description", ""),
                     "types": list(_resolve(document, response).get("content", {}))}
                    for status, response in operation.get("responses", {}).items()
                ],
            })
    return operations
