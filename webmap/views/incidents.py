"""One incident's pages: the edit form (with deletion) for those who may edit, and its public history."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from ..accounts.auth import page_requires, session_account
from ..accounts.roles import protected_states, role_allows
from ..core.errors import NotFound
from ..core.i18n import human_date, message, utc_time
from ..core.model import representative_point
from ..core.vocabulary import load_vocabulary
from ..editing.diff import LOCATION
from ..editing.form import check_edit, form_values, is_point, submitted_values
from ..editing.history import history_entries, tombstone
from ..editing.save import edit_target, editable_incident, may_edit, save_edit
from ..ingest.upload import MAX_NOTE_LENGTH, delete_incident
from ..ingest.validate import make_rules
from ..review.policy import needs_review
from ..store import get_store
from .accounts import page_context
from .uploads import ingest_rules

bp = Blueprint("incidents", __name__)
PLACEHOLDER = "__ID__"  # stands for an incident's id in the links the map's script fills in


@bp.app_context_processor
def _link_context():
    """Give templates `incident_links()`: the history and edit links the map offers with each incident."""
    def incident_links() -> dict:
        account, context = session_account(), page_context()
        may = account is not None and role_allows(account.role, "upload")
        lang = _lang_arg(context["lang"])
        return {"history": url_for("incidents.history_page", incident_id=PLACEHOLDER, lang=lang),
                "edit": url_for("incidents.edit_page", incident_id=PLACEHOLDER, lang=lang) if may else None,
                "protected": list(protected_states(account.role)) if may else [],
                "text": {"history": context["t"]["history_link"], "edit": context["t"]["edit_link"]}}

    return {"incident_links": incident_links}


def _lang_arg(lang: str) -> str | None:
    """Return the `lang` parameter of this site's links: none for English."""
    return None if lang == "en" else lang


def _tiles() -> dict | None:
    """Return the basemap for the small maps (None: no basemap)."""
    tiles = current_app.config["TILE_SOURCE"]
    return None if tiles is None else {"url": tiles.url, "attribution": tiles.attribution, "max_zoom": tiles.max_zoom}


def _edit_page(incident, values: dict, errors: dict, missing: dict, status: int = 200, published: bool = True,
               waiting: bool = False):
    """Render the edit form with the values given and any problems beside their fields; an incident not yet
    `published` has no history, correction note or deletion, and a `waiting` one says it waits for review."""
    context = page_context()
    t = context["t"]
    problems = {**errors, **{name: t["edit_errors"][key] for name, key in missing.items()}}
    location = {"lat": values.get("latitude"), "lon": values.get("longitude"), "tiles": _tiles(),
                "text": {"map": t["location_map"]}} if is_point(incident) else None
    return render_template("incident_edit.html", incident=incident, values=values, problems=problems,
                           location=location, location_field=LOCATION, note_limit=MAX_NOTE_LENGTH,
                           vocabulary=load_vocabulary(), may_verify=role_allows(session_account().role, "verify"),
                           published=published, waiting=waiting, **context), status


@bp.route("/incidents/<incident_id>/edit", methods=["GET", "POST"])
@page_requires("upload")
def edit_page(incident_id: str):
    """Show an incident's edit form (of its submission waiting for review, to its author and editors); on POST
    check it as an upload and write it, with its notes, or hold it for review, or show why not."""
    store, account, review = get_store(), session_account(), current_app.config["REVIEW"]
    incident, waiting = edit_target(store, incident_id, account, review)
    # Readers saw a published incident, so changing it needs a correction note; a submission nobody saw does not.
    published = store.get_incident(incident_id) is not None
    if request.method == "GET":
        return _edit_page(incident, form_values(incident), {}, {}, published=published, waiting=waiting)
    rules, lang = ingest_rules(), page_context()["lang"]
    edited = check_edit(incident, request.form, make_rules(rules.vocabulary, rules.region_bbox,
                                                           max_vertices=rules.max_vertices),
                        correction_required=published, lang=lang)
    values = submitted_values(request.form)
    if edited.incident is None:
        return _edit_page(incident, values, edited.errors, edited.missing, 422, published, waiting)
    report = save_edit(store, edited, account, lang, review, waiting)
    if isinstance(report, dict):
        return _edit_page(incident, values, report, {}, 403, published, waiting)
    t = page_context()["t"]
    if needs_review(account.role, review):
        flash(t["edit_submitted"] if report.updated or report.inserted else t["edit_unchanged"])
        return redirect(url_for("review.submissions_page", lang=_lang_arg(lang)))
    changed = report.updated or report.inserted
    flash(t["edit_saved"].format(version=report.data_version) if changed else t["edit_unchanged"])
    return redirect(url_for("incidents.history_page", incident_id=incident_id, lang=_lang_arg(lang)))


@bp.post("/incidents/<incident_id>/delete")
@page_requires("edit")
def delete_page(incident_id: str):
    """Delete an incident with the reason given; without a reason show the form again, saying it is needed."""
    store, account = get_store(), session_account()
    incident = editable_incident(store, incident_id, account)
    reason = request.form.get("reason", "").strip()
    if not reason or len(reason) > MAX_NOTE_LENGTH:
        key = "reason_missing" if not reason else "note_too_long"
        return _edit_page(incident, form_values(incident), {}, {"reason": key}, 422)
    delete_incident(store, incident_id, account, reason)
    context = page_context()
    flash(context["t"]["deleted_flash"].format(id=incident_id))
    return redirect(url_for("incidents.history_page", incident_id=incident_id, lang=_lang_arg(context["lang"])))


def _labels(t: dict, lang: str) -> tuple:
    """Return how the history names each field, and shows the values of the vocabulary's fields, in `t`'s language."""
    names = {"date": t["date"], "end_date": t["field_end_date"], "event_type": t["type"], "title": t["title"],
             "description": t["description"], "location_name": t["field_location_name"], "fatalities": t["fatalities"],
             "actors": t["actors"], "sources": t["sources"], "precision": t["precision"],
             "verification": t["verification"], LOCATION: t["location"]}
    vocabulary = load_vocabulary()
    terms = {"event_type": vocabulary.event_types, "precision": vocabulary.precision,
             "verification": vocabulary.verification}
    labels = {name: {term.id: term.label_in(lang) for term in found} for name, found in terms.items()}
    return (lambda name: names.get(name, name)), (lambda name, value: labels.get(name, {}).get(value, value))


@bp.get("/incidents/<incident_id>/history")
def history_page(incident_id: str):
    """Show every version of an incident, newest first, with what changed; a deleted one answers 410."""
    versions = get_store().incident_history(incident_id)
    if not versions:
        raise NotFound(message("error_texts.no_incident", id=incident_id))
    context = page_context()
    account = session_account()
    deletion, current = tombstone(versions), versions[-1].incident
    entries = history_entries(versions)
    moves = [{"before": e.move.before, "after": e.move.after} if e.move else None for e in entries]
    field_label, value_label = _labels(context["t"], context["lang"])
    page = render_template(
        "incident_history.html", incident_id=incident_id, entries=entries, deletion=deletion, current=current,
        current_point=representative_point(current.geometry) if current else None, show_authors=account is not None,
        may_edit=current is not None and may_edit(account, current), field_label=field_label,
        value_label=value_label, map_data={"moves": moves if any(moves) else []},
        human_date=human_date, utc_time=utc_time, **context)
    return page, 410 if deletion else 200
