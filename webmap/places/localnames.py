"""An incident's place in Arabic for Arabic pages: the Arabic name its data give, or the gazetteer's names of the
places its (English) location names, never a translation of other words. Pure functions."""
import re
from collections.abc import Callable
from functools import lru_cache

from ..core.searchtext import normalize
from .gazetteer import Gazetteer, load_gazetteer

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


@lru_cache(maxsize=4096)
def bundled_arabic_place_name(location: str) -> str | None:
    """Return `arabic_place_name` in the bundled gazetteer, remembered: a view repeats the same few places, and
    normalising every part of every name costs about 40 µs an incident."""
    return arabic_place_name(location, load_gazetteer())


def with_arabic_location(feature: dict, name_of: Callable[[str], str | None] = bundled_arabic_place_name) -> dict:
    """Return the feature with `location_name_ar` set by `name_of` (the gazetteer's Arabic name of a location)
    when its data give none and `name_of` knows its `location_name`; otherwise unchanged."""
    props = feature["properties"]
    given = props.get(ARABIC_LOCATION)
    location = props.get("location_name")
    if (isinstance(given, str) and given.strip()) or not isinstance(location, str):
        return feature
    arabic = name_of(location)
    if arabic is None:
        return feature
    return {**feature, "properties": {**props, ARABIC_LOCATION: arabic}}
