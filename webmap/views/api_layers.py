"""Write API for reference layers: editors add (POST /api/collections) or replace (PUT /api/collections/{id}) a
layer from GeoJSON, and read a layer's history (GET /api/collections/{id}/history)."""
from flask import Blueprint, Response, current_app, jsonify, request, url_for

from ..accounts.auth import api_account, csrf
from ..core.errors import BadRequest, field_error
from ..ingest.layerwrite import LayerWrite, history_or_404, layer_rules, read_layer_body, save_layer, version_json
from ..ingest.upload import JSON_TYPES, parse_flag
from ..store import get_store
from .api_write import require_media_type, write_api_headers

bp = Blueprint("api_layers", __name__, url_prefix="/api/collections")
# As for incidents: a token carries no cookie to forge, and `api_account` demands the CSRF token of a session.
csrf.exempt(bp)


# Only GeoJSON is read, so no simple cross-site form (text/plain, url-encoded, multipart) can write.
bp.before_request(lambda: require_media_type(JSON_TYPES))
bp.after_request(write_api_headers)


def layer_limits():
    """Return the rules a layer written now is checked against, from the app's settings."""
    config = current_app.config
    return layer_rules(config["REGION_BBOX"], config["MAX_VERTICES"], config["MAX_LAYER_VERTICES"])


def _write(layer_id: str | None, replace: bool) -> Response:
    """Check the editor, read the body and save the layer; answer with the version written."""
    account = api_account("layers")
    replace_bundled = parse_flag(request.args.get("replace_bundled"), "replace_bundled")
    meta, document = read_layer_body(request.get_data())
    if layer_id is None:
        layer_id = meta.get("id") if isinstance(meta, dict) else None
    elif isinstance(meta, dict) and meta.get("id") not in (None, layer_id):
        raise BadRequest("The path names the layer; an id in the body may only repeat it.",
                         [field_error("layer.id", "layer_id_mismatch", sent=str(meta["id"])[:70], layer=layer_id)])
    version = save_layer(get_store(), LayerWrite(layer_id, meta, document, replace, replace_bundled),
                         account.name, layer_limits())
    response = jsonify({"id": version.layer_id, **version_json(version)})
    if not replace:
        response.status_code = 201
        response.headers["Location"] = url_for("api.collection", collection_id=version.layer_id)
    return response


@bp.post("")
def add_layer():
    """Add a reference layer: a GeoJSON FeatureCollection whose `layer` member holds its id and descriptor."""
    return _write(None, replace=False)


@bp.put("/<layer_id>")
def replace_layer(layer_id: str):
    """Replace a reference layer (a bundled one only with `replace_bundled=true`); its history keeps the old one."""
    return _write(layer_id, replace=True)


@bp.get("/<layer_id>/history")
def layer_history(layer_id: str):
    """List every version of a reference layer, newest first, with who wrote it and when."""
    api_account("layers")
    versions = history_or_404(get_store(), layer_id)
    return jsonify({"id": layer_id, "versions": [version_json(v) for v in versions]})
