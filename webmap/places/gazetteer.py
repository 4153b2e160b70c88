"""The gazetteer of places (geodata/gazetteer.json, built by scripts/build_geodata.py), indexed by the search
form of every name and alias."""
import json
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from ..core.resources import resource_dir
from ..core.searchtext import normalize

GAZETTEER_FILE = "gazetteer.json"


@dataclass(frozen=True)
class Place:
    """A town or governorate: its names in English and Arabic, other spellings, and where it is."""

    id: str
    kind: str  # "town" or "governorate"
    name: dict  # {"en": ..., "ar": ...}
    aliases: tuple[str, ...]
    point: tuple[float, float] | None = None  # lon, lat (towns)
    bbox: tuple[float, float, float, float] | None = None  # minx, miny, maxx, maxy (governorates)
    population: int | None = None

    @cached_property
    def forms(self) -> tuple[str, ...]:
        """Return the search forms of every name and alias, without repeats."""
        names = (self.name["en"], self.name["ar"], *self.aliases)
        return tuple(dict.fromkeys(form for form in map(normalize, names) if form))

    def to_json(self, lang: str) -> dict:
        """Return the place as the map's place search shows it: its name in `lang`, the other one, where."""
        other = "ar" if lang == "en" else "en"
        where = {"bbox": list(self.bbox)} if self.bbox else {"point": list(self.point)}
        return {"id": self.id, "kind": self.kind, "name": self.name[lang], "other_name": self.name[other], **where}


@dataclass(frozen=True)
class Gazetteer:
    """Every place, and an index from the search form of each name to the places it names."""

    places: tuple[Place, ...]
    attribution: str

    @cached_property
    def by_form(self) -> dict[str, tuple[Place, ...]]:
        """Return the places each search form names (a spelling may name a town and its governorate)."""
        index: dict[str, tuple[Place, ...]] = {}
        for place in self.places:
            for form in place.forms:
                index[form] = (*index.get(form, ()), place)
        return index

    @cached_property
    def longest_name(self) -> int:
        """Return how many words the longest name has."""
        return max((len(form.split()) for form in self.by_form), default=0)


def read_gazetteer(path: Path) -> Gazetteer:
    """Read a gazetteer file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    places = tuple(
        Place(p["id"], p["kind"], p["name"], tuple(p["aliases"]), tuple(p["point"]) if "point" in p else None,
              tuple(p["bbox"]) if "bbox" in p else None, p.get("population"))
        for p in data["places"]
    )
    return Gazetteer(places, data["attribution"])


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """Return the bundled gazetteer, read once per process."""
    return read_gazetteer(resource_dir("geodata") / GAZETTEER_FILE)
