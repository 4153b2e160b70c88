"""Writing an editor's reference layer: read the body, check it, keep bundled layers from accidental replacement,
then store it as a new version in the layer's history (at a new data version) or refuse it whole."""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ..core.errors import BadRequest, Conflict, NotFound, field_error
from ..core.i18n import message
from ..store import BatchInfo, LayerConflict, LayerVersion, Store
from .jsontext import parse_json
from .layers import LayerRules, check_layer, check_layer_id

# Incident positions (zone, distances, governorate) are computed against the layers of these groups, which
# come only from geodata/ (scripts/build_geodata.py, then `webmap init --reload-geodata`).
POSITION_GROUPS = ("agreement_1974", "admin")


@dataclass(frozen=True)
class LayerWrite:
    """What an editor asks: the layer's id, descriptor and GeoJSON, whether it replaces a stored layer, and
    whether it may replace a bundled one."""

    layer_id: str
    meta: object
    document: object
    replace: bool
    replace_bundled: bool = False


def layer_rules(region_bbox, max_vertices: int, max_layer_vertices: int) -> LayerRules:
    """Return the rules for a layer written now (no layer may be dated after today anywhere on Earth)."""
    today = (datetime.now(timezone.utc) + timedelta(hours=14)).date()
    return LayerRules(tuple(float(v) for v in region_bbox), max_vertices, max_layer_vertices, today)


def read_layer_body(data: bytes) -> tuple[object, object]:
    """Return the descriptor (the `layer` member) and the GeoJSON of a layer sent as one document."""
    document = parse_json(data, "GeoJSON")
    if not isinstance(document, dict):
        raise BadRequest("The body must be a GeoJSON FeatureCollection with the layer's descriptor in `layer`.",
                         [field_error("type", "json_object_top")])
    return document.get("layer"), document


def _check_target(store: Store, request: LayerWrite) -> None:
    """Refuse a write the stored layers do not allow: replacing a missing layer, adding one that exists, or
    replacing a bundled layer without saying so (and ever those that incident positions depend on)."""
    problems = check_layer_id(request.layer_id)
    if problems:
        raise BadRequest("The layer id cannot be used.", problems)
    stored = store.get_reference_layer(request.layer_id)
    if stored is None and request.replace:
        raise NotFound(message("error_texts.no_layer_to_replace", layer=request.layer_id))
    if stored is not None and not request.replace:
        raise Conflict(message("error_texts.layer_exists", layer=request.layer_id),
                       [field_error("id", "layer_id_taken", layer=request.layer_id)])
    if stored is None or stored.meta.get("origin") == "editor":
        return
    if stored.meta.get("group") in POSITION_GROUPS:
        raise Conflict(message("error_texts.layer_positions", layer=request.layer_id),
                       [field_error("id", "layer_bundled_fixed", layer=request.layer_id)])
    if not request.replace_bundled:
        raise Conflict(message("error_texts.layer_bundled", layer=request.layer_id),
                       [field_error("replace_bundled", "replace_bundled_needed")])


def save_layer(store: Store, request: LayerWrite, user: str, rules: LayerRules) -> LayerVersion:
    """Check and store an editor's layer, all or nothing; return the version written."""
    _check_target(store, request)
    layer = check_layer(request.layer_id, request.meta, request.document, rules)
    try:
        return store.put_reference_layer(layer, BatchInfo(user=user, filename=f"reference layer {layer.id}"),
                                         request.replace)
    except LayerConflict:  # another editor got there first
        raise Conflict(message("error_texts.no_layer_to_replace" if request.replace else "error_texts.layer_exists",
                               layer=layer.id)) from None


def version_json(version: LayerVersion) -> dict:
    """Return one version of a layer as the API and the command line list it."""
    return {"version": version.number, "data_version": version.data_version, "created_at": version.created_at,
            "user": version.user, "action": version.action, "status": version.meta.get("status"),
            "date": version.meta.get("date"), "features": version.feature_count,
            "title": version.meta.get("title")}


def history_or_404(store: Store, layer_id: str) -> list[LayerVersion]:
    """Return a stored layer's versions, newest first, or raise NotFound."""
    versions = store.reference_layer_history(layer_id)
    if not versions or store.get_reference_layer(layer_id) is None:
        raise NotFound(message("error_texts.no_layer", layer=layer_id))
    return versions

