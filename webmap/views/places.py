"""The map's place search (`/map-data/places`): places of the gazetteer whose name, in any spelling, starts
with what the reader typed."""
from flask import Blueprint, jsonify, request

from ..core.errors import InvalidParameter, field_error
from ..map.filters import parse_lang
from ..places.gazetteer import load_gazetteer
from ..places.search import suggest

bp = Blueprint("places", __name__, url_prefix="/map-data")
MAX_TYPED = 100  # characters; no name is longer
ONE_HOUR = 3600  # the gazetteer changes only with a new release


@bp.get("/places")
def places():
    """Return up to 8 places matching `q`, each named in `lang` and in the other language, with where it is."""
    lang = parse_lang(request.args)
    typed = request.args.get("q", "")
    if len(typed) > MAX_TYPED:
        raise InvalidParameter("The place search is not valid.",
                               [field_error("q", "characters_too_many", count=MAX_TYPED)])
    gazetteer = load_gazetteer()
    response = jsonify({"places": [place.to_json(lang) for place in suggest(typed, gazetteer)],
                        "attribution": gazetteer.attribution})
    response.cache_control.public = True
    response.cache_control.max_age = ONE_HOUR
    return response
