"""Interface text in English and Arabic, from one data file."""
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from string import Formatter

from babel import Locale
from babel.dates import get_month_names
from babel.numbers import format_decimal
from markupsafe import Markup, escape

MESSAGES_FILE = Path(__file__).parent / "data" / "messages.json"
RTL_LANGUAGES = ("ar",)


@lru_cache(maxsize=1)
def _catalogue() -> dict:
    """Read the message catalogue (part of the package, so read once)."""
    return json.loads(MESSAGES_FILE.read_text(encoding="utf-8"))


def messages(lang: str) -> dict:
    """Return the interface strings for `lang`, with English for any missing key."""
    catalogue = _catalogue()
    return {**catalogue["en"], **catalogue.get(lang, {})}


def localized(texts: dict, lang: str) -> str:
    """Pick the text for `lang` from a {language: text} mapping, falling back to English."""
    return texts.get(lang) or texts["en"]


def language_arg(lang: str | None) -> str | None:
    """Return the `lang` query argument that keeps a page's language across a link or a redirect: None for
    English (the default) and for anything that is not a language of the catalogue."""
    return lang if lang != "en" and lang in _catalogue() else None


ARABIC_LETTER = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
LATIN_LETTER = re.compile("[A-Za-z\u00c0-\u024f]")


def data_lang(text) -> str | None:
    """Guess the language of stored text from its script: `ar` with Arabic letters, `en` with Latin letters
    only, None for digits and signs (the same rule as the map's scripts)."""
    value = "" if text is None else str(text)
    if ARABIC_LETTER.search(value):
        return "ar"
    return "en" if LATIN_LETTER.search(value) else None


def text_direction(lang: str) -> str:
    """Return `rtl` for right-to-left languages, else `ltr`."""
    return "rtl" if lang in RTL_LANGUAGES else "ltr"


def plural(lang: str, forms: dict[str, str], count: int, **values) -> str:
    """Return the form of a counted message that the language's CLDR plural rule picks for `count` (Arabic has
    six: zero, one, two, few, many, other), with `{count}` and any other `values` filled in."""
    return (forms.get(plural_category(lang, count)) or forms["other"]).format(count=number(lang, count), **values)


def plural_category(lang: str, count: int) -> str:
    """Return the CLDR plural category of `count` in `lang` (`one`, `other`; in Arabic also `zero`, `two`,
    `few`, `many`), the same that the browser's `Intl.PluralRules` gives."""
    return Locale.parse(lang).plural_form(count)


# In right-to-left text the bidi algorithm takes digits after Arabic letters as Arabic numbers and reorders
# what sits between them; a left-to-right isolate keeps a date or a time whole.
LEFT_TO_RIGHT_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2066", "\u2069"


def isolated(text: str, lang: str) -> str:
    """Wrap `text` (digits, Latin) in a left-to-right isolate when `lang` is written right to left."""
    return f"{LEFT_TO_RIGHT_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}" if text_direction(lang) == "rtl" else text


def human_date(day: date | str, lang: str) -> str:
    """Return a day as readers of `lang` write it: `25 February 2025`; in Arabic as United Nations Arabic texts
    do, with both month names, `25 شباط/فبراير 2025` (Western digits, like the rest of the interface)."""
    if isinstance(day, str):  # an ISO date or timestamp
        day = date.fromisoformat(day[:10])
    return f"{day.day} {month_names(lang)[day.month - 1]} {day.year}"


def month_names(lang: str, width: str = "wide") -> list[str]:
    """Return the twelve month names readers of `lang` expect: the catalogue's (Arabic gives both the Levantine
    and the Egyptian name, as the UN does, and has no short form), else Babel's CLDR names, `wide` (February)
    or `abbreviated` (Feb)."""
    return _catalogue().get(lang, {}).get("months") or list(get_month_names(width, locale=lang).values())


def period_label(start: date | str, unit: str, lang: str) -> str:
    """Return a chart's week or month as readers of `lang` write it on an axis: `Feb 2025` and `3 Feb 2025` (the
    week's Monday); in Arabic `شباط/فبراير 2025` and `3 شباط/فبراير 2025`."""
    if isinstance(start, str):
        start = date.fromisoformat(start[:10])
    month = f"{month_names(lang, 'abbreviated')[start.month - 1]} {start.year}"
    return month if unit == "month" else f"{start.day} {month}"


def number(lang: str, value: int | float) -> str:
    """Format a number for `lang` with its thousands separators, in Western digits in both languages (as dates,
    coordinates and the API are), the same as the pages' scripts do with Intl.NumberFormat."""
    return format_decimal(value, locale=lang, numbering_system="latn")


def utc_time(timestamp: str, lang: str) -> str:
    """Return an ISO 8601 timestamp as its UTC date and minute for readers (`30 November 2026, 14:05 UTC`)."""
    moment = datetime.fromisoformat(timestamp).astimezone(timezone.utc)
    return messages(lang)["utc_time"].format(date=human_date(moment.date(), lang),
                                             time=isolated(moment.strftime("%H:%M"), lang))


@dataclass(frozen=True)
class Message:
    """A catalogue message by key (`section.key` inside a section) with the values that fill it in, written in any
    language when it is shown; a value may itself be a Message, and `count` picks a counted message's form."""

    key: str
    values: tuple[tuple[str, object], ...] = ()


def message(key: str, **values) -> Message:
    """Return the catalogue message `key` filled in with `values` (text the user sent stays data)."""
    return Message(key, tuple(values.items()))


def _form(lang: str, msg: Message) -> str:
    """Return the catalogue text of a message in `lang` (English where the language lacks it), its plural form
    picked by the `count` value."""
    section, _, name = msg.key.rpartition(".")

    def entry(language: str):
        entries = _catalogue().get(language, {})
        return (entries.get(section, {}) if section else entries).get(name)
    form = entry(lang) or entry("en")
    if isinstance(form, dict):
        return form.get(plural_category(lang, dict(msg.values)["count"])) or form["other"]
    return form


def _filled(lang: str, msg: Message, write_value, write_literal) -> list:
    """Return the pieces of a message: its literal text and its values, each written by the given function."""
    values = dict(msg.values)
    pieces = []
    for literal, name, _, _ in Formatter().parse(_form(lang, msg)):
        pieces.append(write_literal(literal))
        if name is not None:
            value = values[name]
            pieces.append(number(lang, value) if name == "count" else write_value(value))
    return pieces


def text_of(msg: Message, lang: str) -> str:
    """Write a message as plain text in `lang` (for JSON bodies and logs)."""
    def write(value):
        return text_of(value, lang) if isinstance(value, Message) else str(value)
    return "".join(_filled(lang, msg, write, str))


# A message's own Latin words (`bbox`, `min,max`, `ISO 8601`, `05 January 2025`): words with a Latin letter and the
# numbers, spaces and commas between them, kept whole in right-to-left text.
_LATIN_WORD = r"[\w.:/=+\-]*[A-Za-z][\w.:/=+\-]*"
_NUMBER_WORD = r"[0-9][\w.:/=+\-]*"
LATIN_RUN = re.compile(rf"(?:{_NUMBER_WORD} )?{_LATIN_WORD}(?:[ ,]+(?:{_LATIN_WORD}|{_NUMBER_WORD}))*", re.ASCII)


def markup_of(msg: Message, lang: str) -> Markup:
    """Write a message as HTML in `lang`: its text escaped, each value escaped and, when its script is not the
    page's, isolated in a `<bdi>` marked with its language; in right-to-left pages the message's own Latin words
    (data keys such as bbox or YYYY-MM-DD) are isolated and marked English too."""
    def write(value):
        if isinstance(value, Message):
            return markup_of(value, lang)
        text = str(value)
        language = data_lang(text)
        if language == lang or (language is None and text_direction(lang) == "ltr"):
            return escape(text)
        if language is None:
            return Markup('<bdi dir="ltr">{}</bdi>').format(text)
        return Markup('<bdi dir="{}" lang="{}">{}</bdi>').format(text_direction(language), language, text)

    def literal(text):
        if text_direction(lang) == "ltr":
            return escape(text)
        parts, last = [], 0
        for found in LATIN_RUN.finditer(text):
            parts += [escape(text[last:found.start()]), Markup('<bdi lang="en">{}</bdi>').format(found.group())]
            last = found.end()
        return Markup("").join(parts + [escape(text[last:])])
    return Markup("").join(_filled(lang, msg, write, literal))
