"""The editors' page of possible duplicates: each flagged pair side by side, merged into one incident or marked as
two events."""
from flask import Blueprint, current_app, flash, redirect, render_template, url_for

from ..accounts.auth import page_requires, session_account
from ..core.i18n import language_arg, messages, number, plural
from ..core.model import CANONICAL_PROPERTIES
from ..core.vocabulary import load_vocabulary
from ..duplicates.actions import (PAIRS_PER_PAGE, location, mark_distinct, merge_pair, merged_preview, open_pair,
                                  pair_days, pair_distance_km)
from ..duplicates.pairmap import pair_map
from ..store import get_store
from .accounts import page_context
from .uploads import before_cursor

bp = Blueprint("duplicates", __name__)
MAP_LINES = ("alpha_line", "bravo_line")  # the 1974 lines, drawn on each pair's small map when in view


def _reference_lines() -> list[tuple[str, dict]]:
    """Return the 1974 lines' geometries as (layer id, geometry), for the pairs' small maps."""
    lines = []
    for layer_id in MAP_LINES:
        layer = get_store().get_reference_layer(layer_id)
        if layer is not None:
            lines += [(layer_id, feature["geometry"]) for feature in layer.data["features"] if feature["geometry"]]
    return lines


def _rows(incidents: list) -> list[tuple[str, list]]:
    """Return (field, values of each incident) for every field any of them has: the canonical fields first, then
    the others by name."""
    properties = [incident.properties() for incident in incidents]
    others = sorted({name for props in properties for name in props} - set(CANONICAL_PROPERTIES))
    return [(name, [props.get(name) for props in properties])
            for name in ("id", *CANONICAL_PROPERTIES, *others)
            if name == "id" or any(name in props for props in properties)]


@bp.get("/duplicates")
@page_requires("edit")
def duplicates_page():
    """List the open pairs, newest flagged first, each side by side with what a merge would make of it."""
    context = page_context()
    lang, t = context["lang"], context["t"]
    store = get_store()
    pairs = store.list_duplicate_pairs(PAIRS_PER_PAGE, before=before_cursor())
    lines = _reference_lines() if pairs else []
    shown = []
    for pair in pairs:
        merged = merged_preview(pair)
        rows = _rows([pair.first, pair.second, merged])
        rows[0] = ("id", [pair.first.id, pair.second.id, merged.id])
        shown.append({"pair": pair, "rows": rows, "distance": number(lang, pair_distance_km(pair)),
                      "days": plural(lang, t["day_count"], pair_days(pair)),
                      "map": pair_map(location(pair.first), location(pair.second), lines)})
    config = current_app.config
    rule = t["duplicates_rule"].format(days=plural(lang, t["day_count"], config["DUPLICATE_DAYS"]),
                                       km=number(lang, config["DUPLICATE_KM"]))
    count = plural(lang, t["duplicate_count"], store.count_duplicate_pairs())
    older = pairs[-1].id if len(pairs) == PAIRS_PER_PAGE else None
    return render_template("duplicates.html", pairs=shown, rule=rule, pair_count=count, older=older,
                           vocabulary=load_vocabulary(), **context)


def _settle(pair_id: str, settle):
    """Settle an open pair as the signed-in editor with `settle(store, pair, lang)`, which returns what to say;
    say it above the list, after a redirect so a reload does not repeat it."""
    lang = page_context()["lang"]
    store = get_store()
    flash(settle(store, open_pair(store, pair_id, lang), lang))
    return redirect(url_for("duplicates.duplicates_page", lang=language_arg(lang)), 303)


@bp.post("/duplicates/<pair_id>/merge")
@page_requires("edit")
def merge(pair_id: str):
    """Merge a pair into one incident, as a batch that the batches page can undo."""
    def settle(store, pair, lang):
        report, kept, gone = merge_pair(store, pair, session_account(), lang)
        return messages(lang)["done_merged"].format(gone=gone, kept=kept, batch=report.batch_id)
    return _settle(pair_id, settle)


@bp.post("/duplicates/<pair_id>/distinct")
@page_requires("edit")
def distinct(pair_id: str):
    """Mark a pair as two different events: it is not flagged again."""
    def settle(store, pair, lang):
        mark_distinct(store, pair, session_account(), lang)
        return messages(lang)["done_distinct"].format(first=pair.first.id, second=pair.second.id)
    return _settle(pair_id, settle)
