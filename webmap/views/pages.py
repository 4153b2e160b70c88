"""The public pages: the map and the data sources."""
from flask import Blueprint, render_template, request

from ..core.errors import InvalidParameter, translate_error
from ..core.i18n import messages, text_direction
from ..core.security import allow_inline_scripts
from ..core.vocabulary import load_vocabulary
from ..map.filters import MapFilters, parse_lang, parse_map_filters
from ..map.page import build_map_page, map_options
from ..map.view import parse_map_view
from ..store import get_store

bp = Blueprint("pages", __name__)


def page_context(lang: str) -> dict:
    """Return what every page template needs: language, direction, strings and vocabulary."""
    return {"lang": lang, "dir": text_direction(lang), "t": messages(lang), "vocabulary": load_vocabulary()}


@bp.get("/")
def map_page():
    """Show the map of incidents selected by `start`, `end` and `type`, looking where the view parameters say."""
    lang = parse_lang(request.args)
    context = page_context(lang)
    try:
        filters = parse_map_filters(request.args, context["vocabulary"])
        view = parse_map_view(request.args, get_store().reference_layer_ids())
    except InvalidParameter as error:
        form = MapFilters(request.args.get("start"), request.args.get("end"))
        return render_template("map.html", error=translate_error(error, lang), filters=form, page=None,
                               **context), 400
    page = build_map_page(get_store(), context["vocabulary"], filters, map_options(lang, view))
    allow_inline_scripts(page.parts.script_hashes)
    return render_template("map.html", error=None, filters=filters, view=view, page=page, **context)


@bp.get("/about")
def about():
    """List every reference layer with its source, licence and precision."""
    context = page_context(parse_lang(request.args))
    return render_template("about.html", layers=get_store().list_reference_layers(), **context)
