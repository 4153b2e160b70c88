"""An incident's place in Arabic for Arabic pages: the Arabic name its data give, or the gazetteer's names of the
places its (English) location names, never a translation of other words. Pure functions."""
import re

from ..core.searchtext import normalize
from .gazetteer import Gazetteer

ARABIC_LOCATION = "location_name_ar"
# A location may name a place and the governorate holding it ("Beit Jinn, Rural Damascus"); Arabic joins them
# with its own comma.
_PARTS = re.compile(r"\s*[,،]\s*")
ARABIC_COMMA = "، "


def arabic_place_name(location: str, gazetteer: Gazetteer) -> str | None:
    """Return the Arabic name of `location` when every comma-separated part of it is a name or alias of places
    in the gazetteer that share one Arabic name; else None (a part such as "near Nawa" is not a place name)."""
    names = []
    for part in _PARTS.split(location.strip()):
        arabic = {place.name["ar"] for place in gazetteer.by_form.get(normalize(part), ())}
        if len(arabic) != 1:
            return None
        names.append(arabic.pop())
    return ARABIC_COMMA.join(names)


def with_arabic_location(feature: dict, gazetteer: Gazetteer) -> dict:
    """Return the feature with `location_name_ar` set from the gazetteer when its data give none and its
    `location_name` names gazetteer places; otherwise unchanged."""
    props = feature["properties"]
    given = props.get(ARABIC_LOCATION)
    location = props.get("location_name")
    if (isinstance(given, str) and given.strip()) or not isinstance(location, str):
        return feature
    arabic = arabic_place_name(location, gazetteer)
    if arabic is None:
        return feature
    return {**feature, "properties": {**props, ARABIC_LOCATION: arabic}}
