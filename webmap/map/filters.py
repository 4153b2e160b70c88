"""Parsing the map's query-string filters (start, end, type, verification, precision, batch, the position
against the 1974 lines: zone, governorate, distance ranges, and q) into a store query."""
import json
import math
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from ..analysis.zones import ZONES
from ..core.errors import FieldError, InvalidParameter, field_error
from ..core.i18n import messages
from ..core.model import ReferenceLayer
from ..core.numbers import collect_whole_number
from ..core.resources import resource_dir
from ..core.searchtext import normalize_words
from ..core.vocabulary import Term, Vocabulary
from ..places.gazetteer import load_gazetteer
from ..places.search import search_terms
from ..store import IncidentQuery, PositionFilter

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
GOVERNORATES_FILE = "governorates.geojson"
MAX_SEARCH_WORDS = 20
LANGUAGES = ("en", "ar")
MAX_BATCHES = 100  # batch numbers one filter may name: keeps the query's parameter list short
DISTANCE_PARAMS = ("distance_alpha_km", "distance_bravo_km")


@dataclass(frozen=True)
class MapFilters:
    """The incidents a map shows: an inclusive date range and sets of event types, verification states and
    precision levels (an empty set allows every value)."""

    start: str | None = None
    end: str | None = None
    event_types: tuple[str, ...] = ()
    verification: tuple[str, ...] = ()
    precision: tuple[str, ...] = ()
    batches: tuple[int, ...] = ()  # upload batches whose incidents are shown; empty: all
    position: PositionFilter = PositionFilter()
    text: str | None = None  # free text (`q`): each word, or place name in any spelling, must occur

    def to_query(self, **extra) -> IncidentQuery:
        """Return the store query selecting these incidents."""
        return IncidentQuery(start=self.start, end=self.end, event_types=self.event_types,
                             verification=self.verification, precision=self.precision, batches=self.batches,
                             position=self.position, search=search_terms(self.text, load_gazetteer()), **extra)

    def to_args(self) -> dict:
        """Return the query-string arguments that reproduce these filters."""
        args = {"start": self.start, "end": self.end, "type": ",".join(self.event_types),
                "verification": ",".join(self.verification), "precision": ",".join(self.precision),
                "batch": batch_arg(self.batches), **position_args(self.position), "q": self.text}
        return {k: v for k, v in args.items() if v}


def batch_arg(batches: tuple[int, ...]) -> str:
    """Write batch numbers as the `batch` parameter's value."""
    return ",".join(str(b) for b in batches)


def parse_batches(values: list[str], errors: list[FieldError]) -> tuple[int, ...]:
    """Parse `batch`: batch numbers, comma-separated or repeated (at most MAX_BATCHES), in ascending order."""
    parts = [part.strip() for value in values for part in value.split(",") if part.strip()]
    batches = {collect_whole_number("batch", part, errors) for part in parts}
    if len(parts) > MAX_BATCHES:
        errors.append(field_error("batch", "batches_too_many", count=MAX_BATCHES))
    return tuple(sorted(batches - {None}))


def _number_text(value: float | None) -> str:
    """Write a range end as typed (no trailing .0), or nothing for an open end."""
    return "" if value is None else f"{value:g}"


def position_args(position: PositionFilter) -> dict:
    """Return the query-string arguments of a position filter (`zone`, `governorate`, distance ranges)."""
    args = {"zone": ",".join(position.zones), "governorate": ",".join(position.governorates)}
    for name, low, high in position.ranges():
        args[name] = f"{_number_text(low)},{_number_text(high)}"
    return args


def range_texts(args, name: str) -> tuple[str, str]:
    """Return the two ends of range `name` as typed: the filter panel sends them as two values (min, then max),
    a link as one `min,max`; anything else comes back whole as the first end, for the parser to refuse."""
    values = args.getlist(name)
    if len(values) == 2:
        return values[0].strip(), values[1].strip()
    text = ",".join(values)
    low, comma, high = text.partition(",")
    return (low.strip(), high.strip()) if comma and "," not in high else (text.strip(), "")


def _parse_range(name: str, args, errors: list[FieldError]) -> tuple[float | None, float | None]:
    """Parse range `name` in km (either end may be left empty) into inclusive bounds."""
    values = args.getlist(name)
    if not "".join(values).strip(", "):
        return None, None
    texts = range_texts(args, name)
    try:
        if len(values) == 1 and "," not in values[0]:
            raise ValueError
        low, high = (float(p) if p else None for p in texts)
        if any(v is not None and not math.isfinite(v) for v in (low, high)):
            raise ValueError
    except ValueError:
        errors.append(field_error(name, "range_invalid", text=",".join(values)))
        return None, None
    if low is not None and high is not None and low > high:
        errors.append(field_error(name, "range_reversed", high=f"{high:g}", low=f"{low:g}"))
        return None, None
    return low, high


def parse_position_filter(args, errors: list[FieldError]) -> PositionFilter:
    """Parse `zone` and `governorate` (comma-separated or repeated) and the distance ranges."""
    zones = parse_terms("zone", "zone", args.getlist("zone"), list(ZONES), errors)
    governorates = tuple(sorted({part.strip().upper() for value in args.getlist("governorate")
                                 for part in value.split(",") if part.strip()}))
    known = governorate_codes()
    wrong = [code for code in governorates if code not in known]
    if wrong:
        errors.append(field_error("governorate", "governorate_invalid", wrong=", ".join(repr(w) for w in wrong),
                                  allowed=", ".join(known)))
    return PositionFilter(zones, governorates, *(_parse_range(name, args, errors) for name in DISTANCE_PARAMS))


@lru_cache(maxsize=1)
def governorate_codes() -> tuple[str, ...]:
    """Return the P-codes of the bundled governorates layer (the one every database is given), which the
    `governorate` filter accepts."""
    layer = json.loads((resource_dir("geodata") / GOVERNORATES_FILE).read_text(encoding="utf-8"))
    return tuple(sorted(feature["properties"]["pcode"] for feature in layer["features"]))


def zone_choices() -> list[Term]:
    """Return the zones as filter choices, with their names in each language."""
    return [Term(zone, {lang: messages(lang)[f"zone_{zone}"] for lang in LANGUAGES}, {}) for zone in ZONES]


def governorate_choices(layers: list[ReferenceLayer]) -> list[Term]:
    """Return the governorates of the layers as filter choices, by P-code, with their names in each language."""
    features = next((layer.data["features"] for layer in layers if layer.id == "governorates"), [])
    return sorted((Term(f["properties"]["pcode"], {"en": f["properties"]["name"], "ar": f["properties"]["name_ar"]},
                        {}) for f in features), key=lambda term: term.id)


def _parse_date(name: str, text: str, errors: list[FieldError]) -> str | None:
    """Return `text` if it is a real YYYY-MM-DD date, else record an error."""
    text = text.strip()
    if not text:
        return None
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    errors.append(field_error(name, "date_invalid", text=text))
    return None


def parse_terms(field: str, noun: str, values: list[str], known: list[str],
                errors: list[FieldError]) -> tuple[str, ...]:
    """Split comma-separated vocabulary ids, keeping the vocabulary's order and recording unknown ones."""
    wanted = {part.strip().lower() for value in values for part in value.split(",") if part.strip()}
    unknown = sorted(wanted - set(known))
    if unknown:
        errors.append(field_error(field, "unknown_terms", noun=noun, unknown=", ".join(repr(u) for u in unknown),
                                  allowed=", ".join(known)))
    return tuple(t for t in known if t in wanted)


def parse_text(text: str | None, errors: list[FieldError]) -> str | None:
    """Parse `q`, free text whose words must all occur; a cap on words keeps the query small."""
    if len(normalize_words(text or "")) > MAX_SEARCH_WORDS:
        errors.append(field_error("q", "words_too_many", count=MAX_SEARCH_WORDS))
    return " ".join((text or "").split()) or None


def parse_map_filters(args, vocabulary: Vocabulary) -> MapFilters:
    """Parse `start`, `end`, `q`, and `type`, `verification`, `precision`, `batch` (repeated or comma-separated)."""
    errors: list[FieldError] = []
    start = _parse_date("start", args.get("start", ""), errors)
    end = _parse_date("end", args.get("end", ""), errors)
    if start and end and start > end:
        errors.append(field_error("end", "end_before_start", end=end, start=start))
    event_types = parse_terms("type", "event type", args.getlist("type"), vocabulary.event_type_ids(), errors)
    verification = parse_terms("verification", "verification state", args.getlist("verification"),
                               vocabulary.verification_ids(), errors)
    precision = parse_terms("precision", "precision level", args.getlist("precision"),
                            vocabulary.precision_ids(), errors)
    batches = parse_batches(args.getlist("batch"), errors)
    position = parse_position_filter(args, errors)
    text = parse_text(args.get("q"), errors)
    if errors:
        raise InvalidParameter("The map filters are not valid.", errors)
    return MapFilters(start, end, event_types, verification, precision, batches, position, text)


def parse_lang(args) -> str:
    """Return the interface language asked for with `lang` (English by default)."""
    lang = args.get("lang", "en").strip().lower() or "en"
    if lang not in LANGUAGES:
        raise InvalidParameter("Unknown language.", [field_error("lang", "lang_invalid", lang=lang)])
    return lang
