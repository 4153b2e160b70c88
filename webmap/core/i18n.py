"""Interface text in English and Arabic, from one data file."""
import json
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from babel import Locale

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


def utc_time(timestamp: str, lang: str) -> str:
    """Return an ISO 8601 timestamp as its UTC date and minute for readers (`2026-11-30 14:05 UTC`)."""
    moment = datetime.fromisoformat(timestamp).astimezone(timezone.utc)
    return messages(lang)["utc_time"].format(date=moment.date().isoformat(), time=moment.strftime("%H:%M"))
