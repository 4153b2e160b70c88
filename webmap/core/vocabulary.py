"""The controlled vocabularies (event types, location precision, verification) from one data file."""
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .i18n import localized

VOCABULARY_FILE = Path(__file__).parent / "data" / "vocabulary.json"


@dataclass(frozen=True)
class Term:
    """One entry of a vocabulary, with its labels and any extra attributes from the data file."""

    id: str
    label: dict
    attributes: dict

    def label_in(self, lang: str) -> str:
        """Return the label in `lang`, falling back to English."""
        return localized(self.label, lang)


@dataclass(frozen=True)
class Vocabulary:
    """Event types, precision levels and verification states, each in display order."""

    event_types: tuple[Term, ...]
    precision: tuple[Term, ...]
    verification: tuple[Term, ...]

    def event_type_ids(self) -> list[str]:
        """Return the event type ids in display order."""
        return [t.id for t in self.event_types]

    def event_type(self, type_id: str) -> Term | None:
        """Return the event type with this id, or None."""
        return next((t for t in self.event_types if t.id == type_id), None)

    def resolve_event_type(self, text: str) -> str | None:
        """Map an id, an English or Arabic label or a synonym (any case) onto an event type id."""
        wanted = " ".join(str(text).split()).casefold()
        for term in self.event_types:
            names = [term.id, *term.label.values(), *term.attributes.get("synonyms", [])]
            if wanted in (n.casefold() for n in names):
                return term.id
        return None

    def precision_ids(self) -> list[str]:
        """Return the precision level ids, most exact first."""
        return [t.id for t in self.precision]

    def verification_ids(self) -> list[str]:
        """Return the verification state ids."""
        return [t.id for t in self.verification]


def _terms(entries: list[dict]) -> tuple[Term, ...]:
    """Turn the data file's entries into Terms."""
    return tuple(
        Term(e["id"], e["label"], {k: v for k, v in e.items() if k not in ("id", "label")})
        for e in entries
    )


@lru_cache(maxsize=4)
def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    """Read the vocabulary data file (cached: it is part of the package and never changes at run time)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return Vocabulary(_terms(data["event_types"]), _terms(data["precision"]), _terms(data["verification"]))
