"""The gazetteer of places written by build_geodata.py: one English and one Arabic name per place, and the other
spellings people write it with, so that search finds a place under any of them.

Each place is a town of towns.geojson or a governorate of governorates.geojson, with the aliases those layers
carry, the GeoNames alternate names of its GeoNames entry (Latin and Arabic script only) and the aliases kept
by hand in MAINTAINED_ALIASES below.
"""
import csv
import re
from pathlib import Path

from shapely.geometry import shape

GEONAMES_CSV = Path("geonames_cities500", "geonames_cities500_golan_southsyria.csv")
GAZETTEER_FILE = "gazetteer.json"
# Latin letters (with accents), Arabic letters, and what names put between words.
_USABLE = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff\u0600-\u06ff\s'’‘`ʻʼʾʿ.\-()]+")
_CODE = re.compile(r"[A-Z]{2,4}")  # airport and other codes among GeoNames' alternate names
# All-lower-case Latin alternate names are GeoNames' machine transliterations (swyda, alqnytrt, su wei da):
# no one writes them, and each would cost every search for the place. Arabic script has no case, so
# `str.islower` is false for Arabic names and keeps them.
_LETTERS = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff\u0600-\u06ff]")
MIN_LETTERS = 3  # shorter alternate names (abbreviations) would match too much text

# Spellings kept by hand, by place: ("geonames", geonameid), ("wikipedia", name), ("governorate", P-code).
# Sources: the lead sentence of each place's English Wikipedia article, which lists the spellings in use
# ("Suwayda ... also spelled Sweida, Swaida, Suwaida"; "Daraa ... also spelled Dar'a, Deraa, Der'a";
# "Quneitra ... also Al Qunaytirah, Qunaitira, or Kuneitra"); UN OCHA's names of the governorates
# (As-Sweida, Dar'a, Rural Damascus); and the spellings of the Arabic names in Arabic-language media.
# Names are facts: no text is copied.
SUWAYDA = ["Suwayda", "Sweida", "Swaida", "Suwaida", "Suweida", "As-Sweida", "Al-Suwayda", "Es Suweida",
           "السويداء", "السويدا", "سويداء"]
DARAA = ["Daraa", "Dara'a", "Dar'a", "Deraa", "Der'a", "Dera", "درعا"]
QUNEITRA = ["Quneitra", "Kuneitra", "Qunaitira", "Al Qunaytirah", "Qunaytirah", "El Quneitra", "القنيطرة"]
MAINTAINED_ALIASES = {
    ("geonames", 172408): SUWAYDA,
    ("governorate", "SY13"): SUWAYDA,
    ("geonames", 170905): DARAA,
    ("governorate", "SY12"): DARAA,
    ("geonames", 173334): QUNEITRA,
    ("governorate", "SY14"): QUNEITRA,
    ("governorate", "SY03"): ["Rif Dimashq", "Damascus Countryside", "Rural Damascus", "ريف دمشق"],
    ("geonames", 170654): ["Dimashq", "دمشق"],
    ("wikipedia", "Beit Jinn"): ["Beit Jin", "Bayt Jinn", "بيت جن"],
    ("wikipedia", "Hader (Hadar)"): ["Hader", "Hadar", "Hadr", "Khader", "حضر"],
    ("wikipedia", "Mount Hermon (Jabal al-Sheikh) summit"): ["Mount Hermon", "Hermon", "Jabal al-Sheikh",
                                                             "Jabal ash-Shaykh", "جبل الشيخ"],
    ("geonames", 168355): ["Khan Arnabah", "Khan Arnaba", "Khan Arnabeh", "خان أرنبة"],
}


def geonames_alternate_names(source: Path) -> dict[int, list[str]]:
    """Return the usable GeoNames alternate names (Latin or Arabic script, not codes) by geonameid."""
    names = {}
    with (source / GEONAMES_CSV).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            names[int(row["geonameid"])] = [
                name for name in row["alternatenames"].split(",")
                if _USABLE.fullmatch(name) and not _CODE.fullmatch(name) and not name.islower()
                and len(_LETTERS.findall(name)) >= MIN_LETTERS
            ]
    return names


def place_key(kind: str, props: dict) -> tuple:
    """Return the key MAINTAINED_ALIASES uses for a town or governorate."""
    if kind == "governorate":
        return ("governorate", props["pcode"])
    return ("geonames", props["geonameid"]) if props.get("geonameid") else ("wikipedia", props["name"])


def unique(names: list[str], exclude: set[str]) -> list[str]:
    """Return `names` without repeats and without those in `exclude`, in first-seen order."""
    seen, kept = set(exclude), []
    for name in names:
        if name not in seen:
            seen.add(name)
            kept.append(name)
    return kept


def place(kind: str, item: dict, alternates: dict[int, list[str]]) -> dict:
    """Return one gazetteer entry for a town or governorate feature."""
    props, geom = item["properties"], shape(item["geometry"])
    key = place_key(kind, props)
    aliases = [*props.get("aliases", []), *MAINTAINED_ALIASES.get(key, []),
               *(alternates.get(key[1], []) if key[0] == "geonames" else [])]
    entry = {"id": f"{kind}-{key[1]}".replace(" ", "_"), "kind": kind,
             "name": {"en": props["name"], "ar": props["name_ar"]},
             "aliases": unique(aliases, {props["name"], props["name_ar"]})}
    if kind == "governorate":
        entry["bbox"] = [round(value, 4) for value in geom.bounds]
    else:
        entry["point"] = [round(geom.x, 5), round(geom.y, 5)]
        entry["population"] = props.get("population")
    return entry


def build_gazetteer(source: Path, towns: list[dict], governorates: list[dict]) -> dict:
    """Return the gazetteer: every governorate, then every town, with their names and aliases."""
    alternates = geonames_alternate_names(source)
    places = [place("governorate", item, alternates) for item in governorates]
    places += [place("town", item, alternates) for item in towns]
    return {
        "generated_by": "scripts/build_geodata.py",
        "description": "Places of the towns and governorates layers: one English and one Arabic name each, and "
        "the other spellings in use as aliases, for search. Governorates carry their bounding box, towns "
        "their point. See geodata/PROVENANCE.md.",
        "attribution": "Places: GeoNames (CC BY 4.0), UN OCHA / UNCS (CC BY-IGO), Wikipedia contributors",
        "sources": [
            {"name": "GeoNames cities500 names and alternate names", "licence": "CC BY 4.0",
             "url": "https://www.geonames.org"},
            {"name": "UN OCHA COD-AB Syria governorate names", "licence": "CC BY-IGO",
             "url": "https://data.humdata.org/dataset/syrian-arab-republic-administrative-boundaries-populated-places"},
            {"name": "Spellings kept by hand (scripts/gazetteer.py), from the places' English Wikipedia "
             "articles and Arabic-language media", "licence": "names are facts",
             "url": "https://en.wikipedia.org"},
        ],
        "places": places,
    }
