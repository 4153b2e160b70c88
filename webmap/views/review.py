"""The review pages: editors publish or reject what contributors submitted, contributors follow their own."""
import re

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from ..accounts.auth import page_requires, session_account
from ..core.errors import WebmapError, translate_error
from ..core.i18n import language_arg, plural
from ..core.review import REVIEW_STATES, WAITING
from ..core.vocabulary import load_vocabulary
from ..map.filters import MapFilters, governorate_choices, parse_map_filters, zone_choices
from ..review.decide import publish, reject
from ..review.select import select_submissions, submission_feature
from ..store import get_store
from .accounts import page_context

bp = Blueprint("review", __name__)


def edit_form_rule() -> tuple[str, str] | None:
    """Return the endpoint and argument of the incident edit form (`/incidents/<id>/edit`) when the app has one,
    so the review page can link to it."""
    for rule in current_app.url_map.iter_rules():
        if re.fullmatch(r"/incidents/<[^>]+>/edit", rule.rule) and "GET" in rule.methods and len(rule.arguments) == 1:
            return rule.endpoint, next(iter(rule.arguments))
    return None


def _review_page(states: tuple[str, ...], author: str | None = None, error: WebmapError | None = None,
                 status: int = 200):
    """Render a list of the submissions in `states` (by `author` without decisions, or everyone's with them),
    narrowed by the map's filters, beside a map of them; optionally with an error above it."""
    context = page_context()
    lang, vocabulary = context["lang"], load_vocabulary()
    store = get_store()
    try:
        filters = parse_map_filters(request.args, vocabulary)
    except WebmapError as problem:
        error, status, filters = translate_error(problem, lang), problem.status, MapFilters()
    if error is not None:
        translate_error(error, lang)
    submissions = select_submissions(store.list_submissions(states, author), filters)
    count = plural(lang, context["t"]["review_count"], len(submissions))
    features = [submission_feature(s) for s in submissions]
    tiles = current_app.config["TILE_SOURCE"]
    map_data = {"features": features, "tiles": tiles and {"url": tiles.url, "attribution": tiles.attribution,
                                                          "max_zoom": tiles.max_zoom},
                "view": current_app.config["INITIAL_VIEW"]}
    filter_endpoint = "review.review_page" if author is None else "review.submissions_page"
    return render_template("review.html", decisions=author is None, submissions=submissions,
                           filter_endpoint=filter_endpoint, count=count, filters=filters, error=error,
                           vocabulary=vocabulary, zones=zone_choices(),
                           governorates=governorate_choices(store.list_reference_layers()),
                           review_on=current_app.config["REVIEW"], map_data=map_data,
                           edit_form=edit_form_rule(), **context), status


def _back(message: str):
    """Say what was done above the list, after a redirect (so a reload does not repeat it), keeping the filters."""
    flash(message)
    args = {k: v for k, v in request.args.items(multi=True) if k != "lang"}
    return redirect(url_for("review.review_page", lang=language_arg(page_context()["lang"]), **args), 303)


@bp.get("/review")
@page_requires("review")
def review_page():
    """List the incidents waiting for review, filtered like the map, beside a map of them."""
    return _review_page((WAITING,))


@bp.post("/review/<incident_id>/publish")
@page_requires("review")
def publish_submission(incident_id: str):
    """Publish an incident's waiting submission: from now on every reader sees it."""
    try:
        report = publish(get_store(), incident_id, session_account())
    except WebmapError as error:
        return _review_page((WAITING,), error=error, status=error.status)
    return _back(page_context()["t"]["review_published_done"].format(id=incident_id, batch=report.batch_id))


@bp.post("/review/<incident_id>/reject")
@page_requires("review")
def reject_submission(incident_id: str):
    """Reject an incident's waiting submission with a reason its author reads; nothing is published."""
    try:
        reject(get_store(), incident_id, session_account(), request.form.get("reason"))
    except WebmapError as error:
        return _review_page((WAITING,), error=error, status=error.status)
    return _back(page_context()["t"]["review_rejected_done"].format(id=incident_id))


@bp.get("/submissions")
@page_requires("upload")
def submissions_page():
    """List what the signed-in account submitted for review: waiting, published or rejected (with the reason)."""
    return _review_page(REVIEW_STATES, author=session_account().name)
