"""The shape every reader hands to validation: one record per feature or row, as read."""
from dataclasses import dataclass, field
from typing import Callable

from ..core.i18n import Message, message

Transform = Callable[[float, float], tuple[float, float]]


@dataclass(frozen=True, slots=True)
class FileLayout:
    """How one uploaded file names what an error can point at, and how its coordinates reach WGS84."""

    properties: dict  # canonical property name -> the file's name for it
    geometry: str = "geometry"
    id: str = "id"
    row_label: str | None = None  # the catalogue's name for a row, e.g. "where_csv_row": "CSV data row 5: ..."
    transform: Transform | None = None  # from a legacy GeoJSON `crs` to WGS84 longitude/latitude

    def of(self, name: str) -> str:
        """Return the file's name for a canonical property."""
        return self.properties.get(name, name)

    def row(self, index: int) -> Message | None:
        """Return the words that say which row an error is about, counted from 1 (None for GeoJSON)."""
        return message(f"field_errors.{self.row_label}", number=index + 1) if self.row_label else None


@dataclass(slots=True)
class Record:
    """One feature or data row: raw geometry, canonical values, extra properties and problems found so far."""

    index: int
    geometry: object  # a GeoJSON geometry mapping as read, or None when missing
    values: dict  # canonical property name -> raw value (event_type may be a tuple of alternatives, best first)
    extra: dict  # every other property, verbatim
    layout: FileLayout
    source_id: object = None
    readable: bool = True  # False when the record is too broken for its values to be checked
    problems: list[tuple[str, Message]] = field(default_factory=list)  # (field, message) found while reading
