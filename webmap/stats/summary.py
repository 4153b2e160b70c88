"""The sentence that sums up a selection in words, in English or Arabic: pure, from counts and dates."""
from dataclasses import dataclass
from datetime import date

from ..core.i18n import human_date, plural
from .compute import Statistics


@dataclass(frozen=True)
class Comparison:
    """The range just before the selection's, and how many incidents the same filters find inside the Area of
    Separation then."""

    start: date
    end: date
    separation: int


def _percent(part: int, whole: int) -> str:
    """Return `part` of `whole` as a percentage with at most one decimal (17, 33.3)."""
    return f"{round(100 * part / whole, 1):g}"


def summary_sentence(lang: str, text: dict, stats: Statistics, previous: Comparison | None) -> str:
    """Say how many incidents lay inside the Area of Separation in the selection's range, how that compares
    with the range before, and how many match in all (dates and plural forms as the language writes them)."""
    if not stats.total or stats.first is None:
        return text["stats_summary_none"]
    sentence = plural(lang, text["stats_summary_separation"], stats.separation,
                      start=human_date(stats.first, lang), end=human_date(stats.last, lang))
    if previous is not None:
        change = stats.separation - previous.separation
        dates = {"prev_start": human_date(previous.start, lang), "prev_end": human_date(previous.end, lang)}
        if change:
            forms = text["stats_summary_more" if change > 0 else "stats_summary_fewer"]
            comparison = plural(lang, forms, abs(change), **dates)
        else:
            comparison = text["stats_summary_same"].format(**dates)
        sentence = f"{sentence}{text['stats_comma']}{comparison}"
    total = plural(lang, text["stats_summary_total"], stats.total, percent=_percent(stats.past_alpha, stats.total))
    return f"{sentence}. {total}"
