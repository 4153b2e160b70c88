"""Checking an editor's reference layer: its descriptor (names, source, licence, date, precision, status) and its
GeoJSON features, all problems at once, into a ReferenceLayer ready to store. Pure: no store, no request."""
import re
from dataclasses import dataclass
from datetime import date

from ..core.errors import FieldError, InvalidContent, problem_error, said
from ..core.model import ReferenceLayer, geometry_bounds
from .geometry import GeometryProblem, count_vertices, normalize_geometry, region_problem

# Statuses an editor may give; `agreed` is the status of the bundled 1974 layers alone.
EDITOR_STATUSES = ("proposed", "reported")
LAYER_ID = re.compile(r"[a-z][a-z0-9_]{0,63}")
RESERVED_IDS = ("incidents",)
MAX_NAME_CHARS = 200
MAX_TEXT_CHARS = 2000
REQUIRED_TEXTS = ("source", "licence", "precision")
OPTIONAL_TEXTS = ("source_url", "licence_url", "attribution")
# Each kind of geometry a layer may hold, from the GeoJSON types of its features.
KINDS = {"Point": "point", "MultiPoint": "point", "LineString": "line", "MultiLineString": "line",
         "Polygon": "polygon", "MultiPolygon": "polygon"}
# Proposed and reported layers are drawn dashed (proposed) or dotted (reported), so no one takes them for a line
# that is agreed or drawn from a survey.
STATUS_STYLES = {
    "proposed": {"color": "#c2410c", "dashArray": "10 6"},
    "reported": {"color": "#756bb1", "dashArray": "2 6"},
}


@dataclass(frozen=True)
class LayerRules:
    """What an editor's layer is checked against: the region, the vertices of one feature and of the whole
    layer, and today's date (no layer is dated later)."""

    region_bbox: tuple[float, float, float, float]
    max_vertices: int
    max_layer_vertices: int
    today: date


def check_layer_id(text) -> list[FieldError]:
    """Return the problems with a layer id (none if it can be used)."""
    if not isinstance(text, str) or not LAYER_ID.fullmatch(text):
        return [FieldError("id", "a layer id is 1 to 64 lower-case letters, digits and '_', starting with a letter "
                                 f"(e.g. southern_dmz), got {str(text)[:70]!r}")]
    if text in RESERVED_IDS:
        return [FieldError("id", f"'{text}' is the incidents' collection; choose another id")]
    return []


def _text(meta: dict, key: str, field: str, limit: int, required: bool, problems: list) -> str | None:
    """Return one text of the descriptor, noting a problem if it is missing, not text or too long."""
    value = meta.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(FieldError(field, "required: give it as text"))
        return None
    if not isinstance(value, str):
        problems.append(FieldError(field, f"must be text, got {type(value).__name__}"))
        return None
    if len(value) > limit:
        problems.append(FieldError(field, f"{len(value):,} characters; at most {limit:,}"))
        return None
    return value.strip()


def _day(value, today: date, problems: list) -> str | None:
    """Return the layer's ISO date (YYYY-MM-DD), noting a problem if it is missing, unreadable or later than today."""
    if not isinstance(value, str) or not value.strip():
        problems.append(FieldError("layer.date", "required: the date the layer describes, as YYYY-MM-DD"))
        return None
    try:
        day = date.fromisoformat(value.strip()) if len(value.strip()) == 10 else None
    except ValueError:
        day = None
    if day is None:
        problems.append(FieldError("layer.date", f"{value.strip()[:40]!r} is not a date; use YYYY-MM-DD"))
    elif day > today:
        problems.append(FieldError("layer.date", f"{day.isoformat()} is in the future"))
    return day.isoformat() if day else None


def _status(value, problems: list) -> str | None:
    """Return the layer's status, noting a problem unless it is one an editor may give."""
    if value in EDITOR_STATUSES:
        return value
    reserved = " ('agreed' is reserved for the bundled 1974 layers)" if value == "agreed" else ""
    problems.append(FieldError("layer.status", f"must be one of: {', '.join(EDITOR_STATUSES)}, got {str(value)[:40]!r}"
                                               f"{reserved}"))
    return None


def _descriptor(meta, rules: LayerRules, problems: list) -> dict:
    """Return the checked descriptor fields of an editor's layer, noting every problem."""
    if not isinstance(meta, dict):
        problems.append(FieldError("layer", "the layer's descriptor must be an object with name, source, licence, "
                                            "date, precision and status"))
        return {}
    names = meta.get("name") if isinstance(meta.get("name"), dict) else {}
    if not isinstance(meta.get("name"), dict):
        problems.append(FieldError("layer.name", 'must be an object {"en": "...", "ar": "..."}'))
    title = {lang: _text(names, lang, f"layer.name.{lang}", MAX_NAME_CHARS, True, problems) for lang in ("en", "ar")}
    checked = {"title": title}
    for key in REQUIRED_TEXTS:
        checked[key] = _text(meta, key, f"layer.{key}", MAX_TEXT_CHARS, True, problems)
    for key in OPTIONAL_TEXTS:
        value = _text(meta, key, f"layer.{key}", MAX_TEXT_CHARS, False, problems)
        if value and key.endswith("_url") and not value.startswith(("http://", "https://")):
            problems.append(FieldError(f"layer.{key}", "must be an http(s) address"))
        elif value:
            checked[key] = value
    checked["date"] = _day(meta.get("date"), rules.today, problems)
    checked["status"] = _status(meta.get("status"), problems)
    return checked


def _features(document, problems: list) -> list:
    """Return the features of a FeatureCollection (or a lone Feature), noting a problem for any other structure."""
    if isinstance(document, dict) and document.get("type") == "Feature":
        return [document]
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        problems.append(FieldError("type", 'the layer must be a GeoJSON object with "type": "FeatureCollection"'))
        return []
    features = document.get("features")
    if not isinstance(features, list) or not features:
        problems.append(FieldError("features", "a layer needs a non-empty \"features\" array"))
        return []
    return features


def _feature(index: int, feature, rules: LayerRules, problems: list) -> dict | None:
    """Return one feature with its geometry made clean, noting each problem with the feature's index."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        problems.append(FieldError("type", 'each feature must be a GeoJSON object with "type": "Feature"', index))
        return None
    properties = feature.get("properties")
    if properties is not None and not isinstance(properties, dict):
        problems.append(FieldError("properties", '"properties" must be an object or null', index))
        return None
    geometry = feature.get("geometry")
    if isinstance(geometry, dict) and geometry.get("type") == "GeometryCollection":
        problems.append(FieldError("geometry", "a GeometryCollection is not accepted in a layer: split it into "
                                               "features of one kind", index))
        return None
    try:
        clean = normalize_geometry(geometry, max_vertices=rules.max_vertices)
    except GeometryProblem as problem:
        problems.append(problem_error("geometry", problem, index))
        return None
    outside = region_problem(geometry_bounds(clean), rules.region_bbox)
    if outside:
        problems.append(said("geometry", outside, index))
        return None
    return {"type": "Feature", "properties": properties or {}, "geometry": clean}


def _kind(features: list, problems: list) -> str | None:
    """Return the one kind of geometry (point, line or polygon) all features share, noting the first that differs."""
    kinds = [(n, KINDS[f["geometry"]["type"]]) for n, f in enumerate(features) if f]
    if not kinds:
        return None
    for index, kind in kinds:
        if kind != kinds[0][1]:
            problems.append(FieldError("geometry", f"a {kind} in a layer of {kinds[0][1]}s (as feature 0 is): "
                                                   "every feature of a layer must be of one kind", index))
            return None
    return kinds[0][1]


def layer_style(kind: str, status: str) -> dict:
    """Return how an editor's layer is drawn: its status's colour and dashes, areas lightly filled."""
    style = STATUS_STYLES[status]
    return {"color": style["color"], "weight": 3, "opacity": 0.9, "fillColor": style["color"],
            "fillOpacity": 0.12 if kind == "polygon" else 0.0, "dashArray": style["dashArray"]}


def check_layer(layer_id: str, meta, document, rules: LayerRules) -> ReferenceLayer:
    """Return an editor's layer as it will be stored, or raise InvalidContent listing every problem: those of
    the descriptor (field `layer.…`) and of each feature (by its 0-based index)."""
    problems = check_layer_id(layer_id)
    checked = _descriptor(meta, rules, problems)
    raw = _features(document, problems)
    total = sum(count_vertices(f.get("geometry")) for f in raw if isinstance(f, dict))
    if total > rules.max_layer_vertices:
        problems.append(FieldError("features", f"{total:,} vertices in all; at most {rules.max_layer_vertices:,} per "
                                               "layer (WEBMAP_MAX_LAYER_VERTICES); simplify the geometry first"))
        raw = []
    features = [_feature(n, f, rules, problems) for n, f in enumerate(raw)]
    kind = _kind(features, problems)
    if problems:
        raise InvalidContent(f"{len(problems)} problem(s) with the layer; nothing was written.", problems)
    attribution = checked.pop("attribution", None) or f"{checked['source']} ({checked['licence']})"
    descriptor = {"id": layer_id, **checked, "attribution": attribution, "geometry_kind": kind, "group": "editor",
                  "origin": "editor", "approximate": False, "shown_by_default": True,
                  "style": layer_style(kind, checked["status"])}
    return ReferenceLayer(layer_id, descriptor, {"type": "FeatureCollection", "features": features})
