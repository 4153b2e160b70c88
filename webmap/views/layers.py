"""The reference layers page for editors: every layer with its status and the incidents against it, a form to
add or replace one from a GeoJSON file, and each layer's history."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from ..accounts.auth import page_requires, session_account
from ..analysis.within import BUFFER_KM, counts_within
from ..core.errors import BadRequest, WebmapError, field_error, translate_error
from ..core.model import layer_status
from ..ingest.jsontext import parse_json
from ..ingest.layers import EDITOR_STATUSES, OPTIONAL_TEXTS, REQUIRED_TEXTS
from ..ingest.layerwrite import LayerWrite, history_or_404, save_layer
from ..ingest.upload import parse_flag
from ..store import Store, get_store
from .accounts import page_context
from .api_layers import layer_limits

bp = Blueprint("layers", __name__)
FORM_TEXTS = (*REQUIRED_TEXTS, *OPTIONAL_TEXTS, "date", "status")


@bp.record_once
def _create_cache(state) -> None:
    """Give each app (so each server process) its own counts of incidents against the layers."""
    state.app.extensions["webmap.layer_counts"] = {}


def layer_counts(store: Store) -> dict[str, int]:
    """Return how many live incidents lie against each reference layer, by id, counted once per data version
    (a write of incidents or layers makes a new one): at a million incidents counting takes seconds."""
    cache = current_app.extensions["webmap.layer_counts"]
    version = store.data_version()
    counts = cache.get(version)
    if counts is None:
        counts = counts_within(store.incident_points(version), store.list_reference_layers())
        cache.clear()
        cache[version] = counts
    return counts


def _layers_page(error: WebmapError | None = None, status: int = 200):
    """Render the list of layers and the form (kept filled in after a refusal), with an error above it if any."""
    store = get_store()
    counts = layer_counts(store)
    rows = [(layer, layer_status(layer), counts.get(layer.id, 0)) for layer in store.list_reference_layers()]
    return render_template("layers.html", rows=rows, error=error, form=request.form, statuses=EDITOR_STATUSES,
                           buffer_km=f"{BUFFER_KM:g}", **page_context()), status


def _form_write() -> LayerWrite:
    """Read the form: the descriptor's fields, the GeoJSON file and the two choices."""
    form = request.form
    meta = {key: form.get(key, "") for key in FORM_TEXTS}
    meta["name"] = {"en": form.get("name_en", ""), "ar": form.get("name_ar", "")}
    file = request.files.get("file")
    if file is None or not file.filename:
        raise BadRequest("Choose a GeoJSON file.", [field_error("file", "no_file_chosen")])
    return LayerWrite(form.get("id", "").strip(), meta, parse_json(file.read(), "GeoJSON"),
                      parse_flag(form.get("replace"), "replace"), parse_flag(form.get("replace_bundled"),
                                                                              "replace_bundled"))


@bp.route("/layers", methods=["GET", "POST"])
@page_requires("layers")
def layers_page():
    """List the reference layers; on POST add or replace one, all or nothing."""
    if request.method == "GET":
        return _layers_page()
    try:
        version = save_layer(get_store(), _form_write(), session_account().name, layer_limits())
    except WebmapError as error:
        return _layers_page(translate_error(error, page_context()["lang"]), error.status)
    t = page_context()["t"]
    flash(t["layer_saved"].format(layer=version.layer_id, version=version.number, data_version=version.data_version))
    return redirect(url_for("layers.layer_page", layer_id=version.layer_id, lang=request.args.get("lang")))


@bp.get("/layers/<layer_id>")
@page_requires("layers")
def layer_page(layer_id: str):
    """Show one layer's history: every version, newest first, with who wrote it and when."""
    store = get_store()
    versions = history_or_404(store, layer_id)
    layer = store.get_reference_layer(layer_id)
    return render_template("layer_history.html", layer=layer, versions=versions, within=layer_counts(store).get(layer.id, 0),
                           buffer_km=f"{BUFFER_KM:g}", **page_context())
