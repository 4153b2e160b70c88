"""Text as search compares it: one form for the many ways Arabic and Latin spellings of a name are written.

Pure functions. Stored incidents keep their text as written; only the copy that search looks in, and the
words searched for, go through `normalize`, so both sides meet in the same form.
"""
import re
import sys
import unicodedata
from functools import lru_cache

# Forms of alef with hamza or madda, and alef wasla, are written as bare alef in much everyday text;
# taa marbuta and haa, alef maqsura and yaa are confused at the end of words; Persian yeh and keh
# appear in text typed on Persian keyboards.
_ARABIC_LETTERS = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
    "ة": "ه",
    "ى": "ي", "ی": "ي", "ک": "ك",
    "ـ": None,  # tatweel only stretches a word
})
# Arabic-Indic (U+0660...) and Eastern Arabic-Indic (U+06F0...) digits.
_DIGITS = str.maketrans({chr(base + n): str(n) for base in (0x0660, 0x06F0) for n in range(10)})
# Apostrophes and the letters transliterations use for ayn and hamza: dropped, so Dar'a, Dar‘ā and Dara
# are one word.
_MARKS = re.compile(r"['‘’`´ʻʼʽʾʿ′]")
_POSSESSIVE = re.compile(r"['’]s\b")
_SEPARATORS = re.compile(r"[\W_]+")
# The Arabic article as transliterations write it, assimilated or not: al-, el-, as-, ash-, ad-, ...
_ARTICLES = frozenset({"al", "el", "il", "ul", "as", "es", "ash", "esh", "ad", "ed", "adh", "at", "et", "ath",
                       "az", "ez", "an", "en", "ar", "er"})


@lru_cache(maxsize=1)
def _combining_marks() -> dict[int, None]:
    """Return a translation table that drops every combining mark (built on first use: it scans Unicode)."""
    return {code: None for code in range(sys.maxunicode + 1) if unicodedata.combining(chr(code))}


def _without_marks(text: str) -> str:
    """Drop combining marks: Latin accents and dots (ā, ḩ, ş) and Arabic harakat, shadda and sukun."""
    if text.isascii():  # most text of an import: nothing to decompose or drop, and a character test costs
        return text
    return unicodedata.normalize("NFKD", text).translate(_combining_marks())


def normalize_words(text: str) -> list[str]:
    """Return the words of `text` in search form: lower case, no accents, harakat or tatweel, one form of
    alef, haa and yaa, Western digits, no apostrophes, and no leading transliterated article (al-, as-...)."""
    if not text.isascii():  # both tables change only letters and digits beyond ASCII
        text = text.translate(_ARABIC_LETTERS).translate(_DIGITS)
    text = _POSSESSIVE.sub("", text)
    text = _MARKS.sub("", _without_marks(text.casefold()))
    words = _SEPARATORS.sub(" ", text).split()
    # An article counts only before another word: "as" alone stays a word.
    return [w for n, w in enumerate(words) if not (w in _ARTICLES and n + 1 < len(words))]


def normalize(text: str) -> str:
    """Return `text` in search form (see `normalize_words`), its words separated by single spaces."""
    return " ".join(normalize_words(text))


def searchable(*parts: str | None) -> str:
    """Return the text that search looks in: the parts normalised, with a space at each end so that every
    word, first and last too, has a space before and after it."""
    return f" {normalize(' '.join(p for p in parts if p))} "


def whole_word(phrase: str) -> str:
    """Return the term that finds `phrase` (in search form) only as whole words of a `searchable` text."""
    return f" {phrase} "


def word_end(phrase: str) -> str:
    """Return the term that finds `phrase` at the end of a word: Arabic writes و, ب, ل, ف and ك onto the
    next word (بالسويداء), so an Arabic name may have a prefix but no suffix."""
    return f"{phrase} "
