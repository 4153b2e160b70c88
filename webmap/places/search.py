"""Search words as the store looks for them: each word, or run of words, that names a place becomes every
spelling of that place; other words are looked for as they are (in search form). Pure functions."""
import re

from ..core.searchtext import normalize, normalize_words, whole_word, word_end
from .gazetteer import Gazetteer, Place

_ARABIC = re.compile(r"[\u0600-\u06ff]")
SUGGESTIONS = 8


def place_terms(places: tuple[Place, ...]) -> tuple[str, ...]:
    """Return the terms that find any of `places` under any of its names: whole words, except that Arabic
    names may carry a prefix (و، ب، ل، ف، ك), which Arabic writes onto the word."""
    forms = dict.fromkeys(form for place in places for form in place.forms)
    terms = {word_end(f) if _ARABIC.match(f) else whole_word(f) for f in forms}
    # A text holding a term holds every part of it: a term containing another adds nothing, only work.
    return tuple(sorted(t for t in terms if not any(u != t and u in t for u in terms)))


def search_terms(text: str | None, gazetteer: Gazetteer) -> tuple[tuple[str, ...], ...]:
    """Return one set of alternative terms per word of `text`, each set of which must have one term in an
    incident's search text; the longest run of words that names a place counts as one word."""
    words = normalize_words(text or "")
    terms, n = [], 0
    while n < len(words):
        for length in range(min(gazetteer.longest_name, len(words) - n), 0, -1):
            places = gazetteer.by_form.get(" ".join(words[n:n + length]))
            if places:
                terms.append(place_terms(places))
                n += length
                break
        else:
            terms.append((words[n],))
            n += 1
    return tuple(dict.fromkeys(terms))


def _rank(place: Place, typed: str) -> tuple:
    """Order suggestions: a name spelt as typed, then names starting so, then words starting so; within
    each, towns (larger first) before governorates."""
    if typed in place.forms:
        closeness = 0
    elif any(form.startswith(typed) for form in place.forms):
        closeness = 1
    else:
        closeness = 2
    return closeness, place.kind != "town", -(place.population or 0), place.name["en"]


def suggest(text: str, gazetteer: Gazetteer, limit: int = SUGGESTIONS) -> list[Place]:
    """Return the places one of whose names (or a word of one) starts with `text`, best first."""
    typed = normalize(text)
    if not typed:
        return []
    found = [place for place in gazetteer.places if any(f" {typed}" in f" {form}" for form in place.forms)]
    return sorted(found, key=lambda place: _rank(place, typed))[:limit]
