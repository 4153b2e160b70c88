"""The shape every reader hands to validation: one record per feature or row, as read."""
from dataclasses import dataclass, field
from typing import Callable

Transform = Callable[[float, float], tuple[float, float]]


@dataclass(frozen=True, slots=True)
class FileLayout:
    """How one uploaded file names what an error can point at, and how its coordinates reach WGS84."""

    properties: dict  # canonical property name -> the file's name for it
    geometry: str = "geometry"
    id: str = "id"
    row_label: str | None = None  # e.g. "CSV data row": messages then start with "CSV data row 5: "
    transform: Transform | None = None  # from a legacy GeoJSON `crs` to WGS84 longitude/latitude

    def of(self, name: str) -> str:
        """Return the file's name for a canonical property."""
        return self.properties.get(name, name)

    def prefix(self, index: int) -> str:
        """Return the message prefix that says which row an error is about (empty for GeoJSON)."""
        return f"{self.row_label} {index + 1}: " if self.row_label else ""


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
    problems: list[tuple[str, str]] = field(default_factory=list)  # (field, message) found while reading
