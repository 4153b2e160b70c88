"""The upload page for contributors and the batches page where editors review and undo uploads."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from ..accounts.auth import page_requires, session_account
from ..core.errors import Conflict, NotFound, WebmapError, field_error, problem_error, translate_error
from ..core.i18n import message, plural
from ..core.numbers import whole_number, whole_number_parameter
from ..core.vocabulary import load_vocabulary
from ..ingest.upload import IngestRules, UploadResult, parse_flag, upload_from_request, write_upload
from ..map.page import batch_map_args
from ..store import BatchInfo, Store, UndoRefused, get_store
from .accounts import page_context

bp = Blueprint("uploads", __name__)
BATCHES_PER_PAGE = 50


def batch_map_url(batch_id: int, lang: str = "en", external: bool = False) -> str | None:
    """Return the link to the map of the incidents a batch wrote, fitted to them; None when none is left."""
    args = batch_map_args(get_store(), batch_id)
    if args is None:
        return None
    return url_for("pages.map_page", _external=external, **args, lang=None if lang == "en" else lang)


def upload_map_url(result: UploadResult, lang: str = "en", external: bool = False) -> str | None:
    """Return the link to the map of what an upload wrote, or None for a dry run or an upload that changed nothing."""
    return batch_map_url(result.report.batch_id, lang, external) if result.written else None


def ingest_rules() -> IngestRules:
    """Return the vocabulary, region and vertex cap that uploads are validated against."""
    return IngestRules(load_vocabulary(), current_app.config["REGION_BBOX"], current_app.config["MAX_VERTICES"])


@bp.route("/upload", methods=["GET", "POST"])
@page_requires("upload")
def upload_page():
    """Show the upload form; on POST check (and unless a dry run, write) the file and show the report."""
    context = page_context()
    if request.method == "GET":
        return render_template("upload.html", result=None, error=None, **context)
    try:
        dry_run = parse_flag(request.form.get("dry_run"), "dry_run")
        result = write_upload(get_store(), upload_from_request(request), session_account(), ingest_rules(), dry_run,
                              review=current_app.config["REVIEW"])
    except WebmapError as error:
        translate_error(error, context["lang"])
        return render_template("upload.html", result=None, error=error, **context), error.status
    return render_template("upload.html", result=result, error=None,
                           map_url=upload_map_url(result, context["lang"]), **context)


def before_cursor() -> int | None:
    """Read the `before` batch id that pages back through the list."""
    raw = request.args.get("before")
    return None if raw is None else whole_number_parameter("before", raw)


def _batches_page(error: WebmapError | None = None, status: int = 200):
    """Render the batches list, newest first, optionally with an error above it."""
    context = page_context()
    batches = get_store().list_batches(BATCHES_PER_PAGE, before=before_cursor())
    older = batches[-1].id if len(batches) == BATCHES_PER_PAGE else None
    return render_template("batches.html", batches=batches, older=older, error=error, **context), status


@bp.get("/batches")
@page_requires("batches")
def batches_page():
    """List upload batches: who, when, which file and what each changed."""
    return _batches_page()


def _stored_batch(store: Store, text: str) -> int:
    """Return the number of a stored batch named in a URL, or raise NotFound (also for numbers none can have)."""
    try:
        batch_id = whole_number(text)
    except ValueError as problem:
        raise NotFound("There is no batch with that number.", [problem_error("batch", problem)]) from None
    if store.get_batch(batch_id) is None:
        raise NotFound(message("error_texts.no_batch", batch=batch_id))
    return batch_id


@bp.get("/batches/<batch_id>/map")
@page_requires("batches")
def batch_map(batch_id: str):
    """Open the map of the incidents a batch wrote, fitted to them (worked out only when asked: a large batch's
    extent takes a moment, too long for each row of the list)."""
    number = _stored_batch(get_store(), batch_id)
    lang = page_context()["lang"]
    fallback = url_for("pages.map_page", batch=number, lang=None if lang == "en" else lang)
    return redirect(batch_map_url(number, lang) or fallback, 303)


@bp.post("/batches/<batch_id>/undo")
@page_requires("batches")
def undo_batch(batch_id: str):
    """Undo one batch as a new batch, then show the list again."""
    store = get_store()
    number = _stored_batch(store, batch_id)
    try:
        report = store.undo_batch(number, BatchInfo(user=session_account().name))
    except UndoRefused as refused:
        error = Conflict(str(refused), [field_error("id", "changed_later", id=i) for i in refused.ids])
        return _batches_page(error, error.status)
    context = page_context()
    lang, t = context["lang"], context["t"]
    flash(t["undo_done"].format(undone=number, batch=report.batch_id,
                                deleted=plural(lang, t["undo_removed"], len(report.deleted)),
                                updated=plural(lang, t["undo_restored"], len(report.updated)),
                                inserted=plural(lang, t["undo_brought_back"], len(report.inserted))))
    return redirect(url_for("uploads.batches_page", lang=request.args.get("lang")))
