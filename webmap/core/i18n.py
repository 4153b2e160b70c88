"""Interface text in English and Arabic, from one data file."""
import json
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.numbers import format_decimal

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


def text_direction(lang: str) -> str:
    """Return `rtl` for right-to-left languages, else `ltr`."""
    return "rtl" if lang in RTL_LANGUAGES else "ltr"


def plural(lang: str, forms: dict[str, str], count: int, **values) -> str:
    """Return the form of a counted message that the language's CLDR plural rule picks for `count` (Arabic has
    six: zero, one, two, few, many, other), with `{count}` and any other `values` filled in."""
    category = Locale.parse(lang).plural_form(count)
    return (forms.get(category) or forms["other"]).format(count=count, **values)


def number(lang: str, value: int | float) -> str:
    """Format a number for `lang` with its thousands separators, in Western digits in both languages (as dates,
    coordinates and the API are), the same as the pages' scripts do with Intl.NumberFormat."""
    return format_decimal(value, locale=lang, numbering_system="latn")


def utc_time(timestamp: str, lang: str) -> str:
    """Return an ISO 8601 timestamp as its UTC date and minute for readers (`2026-11-30 14:05 UTC`)."""
    moment = datetime.fromisoformat(timestamp).astimezone(timezone.utc)
    return messages(lang)["utc_time"].format(date=moment.date().isoformat(), time=moment.strftime("%H:%M"))
