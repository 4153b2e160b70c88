"""Reading KML placemarks with defusedxml: no DTD, no entities, nothing outside the file; every folder read."""
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ..core.errors import BadRequest, Problem
from ..core.i18n import message
from .record import FileLayout, Record
from .tabular import table_records

# KML's own elements, by what they mean for an incident; the data's own values, if any, win.
_ELEMENTS = (("name", "title"), ("description", "description"), ("TimeStamp/when", "date"),
             ("TimeSpan/begin", "date"), ("TimeSpan/end", "end_date"))
_SHAPES = ("Point", "LineString", "Polygon", "MultiGeometry")
_MULTI = {"Point": "MultiPoint", "LineString": "MultiLineString", "Polygon": "MultiPolygon"}


class CoordinateProblem(Problem):
    """A geometry's coordinates cannot be read; the catalogue message says which."""


def _local(tag) -> str:
    """Return an element's name without its namespace (KML 2.0 to 2.2 and Google's extensions all count)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: Element, name: str) -> list[Element]:
    """Return the element's children with this local name."""
    return [child for child in element if _local(child.tag) == name]


def _text(element: Element, path: str) -> str | None:
    """Return the trimmed text at a path of local names below the element, or None."""
    for step in path.split("/"):
        found = _children(element, step)
        if not found:
            return None
        element = found[0]
    return (element.text or "").strip() or None


def _document(data: bytes) -> Element:
    """Parse the bytes as XML without DTDs or entities, and refuse a root that is not <kml>."""
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise BadRequest(message("error_texts.kml_entities")) from exc
    except ParseError as exc:
        raise BadRequest(message("error_texts.kml_not_xml", detail=exc)) from exc
    except LookupError as exc:
        raise BadRequest(message("error_texts.kml_encoding")) from exc
    if _local(root.tag) != "kml":
        raise BadRequest(message("error_texts.kml_root", root=_local(root.tag)[:40]))
    return root


def _positions(element: Element) -> list[list[float]]:
    """Return the positions of the element's <coordinates> (lon,lat[,alt] tuples separated by spaces)."""
    positions = []
    for item in (_text(element, "coordinates") or "").split():
        try:
            positions.append([float(number) for number in item.split(",")])
        except ValueError as exc:
            raise CoordinateProblem("kml_not_numbers", value=repr(item[:40])) from exc
    if not positions:
        raise CoordinateProblem("kml_no_coordinates", kind=_local(element.tag))
    return positions


def _rings(polygon: Element) -> list[list[list[float]]]:
    """Return a polygon's outer ring, then its inner rings."""
    return [_positions(ring) for boundary in ("outerBoundaryIs", "innerBoundaryIs")
            for edge in _children(polygon, boundary) for ring in _children(edge, "LinearRing")]


def _geometry(element: Element, nested: bool = False) -> dict | None:
    """Return the GeoJSON geometry of a KML geometry element, or None for a kind webmap does not read."""
    kind = _local(element.tag)
    if kind == "Point":
        return {"type": "Point", "coordinates": _positions(element)[0]}
    if kind == "LineString":
        return {"type": "LineString", "coordinates": _positions(element)}
    if kind == "Polygon":
        return {"type": "Polygon", "coordinates": _rings(element)}
    if kind != "MultiGeometry":
        return None
    if nested:  # RFC 7946 advises against nesting, and unbounded nesting would exhaust the stack
        raise CoordinateProblem("kml_nested_multigeometry")
    parts = [part for part in (_geometry(child, nested=True) for child in element) if part]
    kinds = {part["type"] for part in parts}
    if len(kinds) == 1 and kinds <= _MULTI.keys():
        return {"type": _MULTI[kinds.pop()], "coordinates": [part["coordinates"] for part in parts]}
    return {"type": "GeometryCollection", "geometries": parts}


def _values(placemark: Element) -> dict:
    """Return a placemark's ExtendedData values, then its KML elements under their incident meaning."""
    values = {}
    for extended in _children(placemark, "ExtendedData"):
        for data in _children(extended, "Data"):
            values[data.get("name")] = _text(data, "value")
        for schema_data in _children(extended, "SchemaData"):
            for simple in _children(schema_data, "SimpleData"):
                values[simple.get("name")] = (simple.text or "").strip() or None
    for path, meaning in _ELEMENTS:
        text = _text(placemark, path)
        if text is not None:
            values.setdefault(meaning if meaning not in values else path.rsplit("/", 1)[-1], text)
    if placemark.get("id") and "id" not in values:
        values["id"] = placemark.get("id")
    values.pop(None, None)
    return values


def _placemark(placemark: Element) -> tuple[dict, dict | None, list]:
    """Return a placemark's values, its GeoJSON geometry and the problem with its coordinates, if any."""
    values = _values(placemark)
    shapes = [child for child in placemark if _local(child.tag) in _SHAPES]
    try:
        return values, (_geometry(shapes[0]) if shapes else None), []
    except CoordinateProblem as problem:
        return values, None, [("geometry", problem.text)]


def kml_records(data: bytes) -> list[Record]:
    """Read every placemark of a KML document, in every folder, into one record each."""
    placemarks = [_placemark(element) for element in _document(data).iter() if _local(element.tag) == "Placemark"]
    names = list(dict.fromkeys(name for values, _, _ in placemarks for name in values))
    rows = [{name: values.get(name) for name in names} for values, _, _ in placemarks]
    geometries = [geometry for _, geometry, _ in placemarks]
    return table_records(rows, geometries, FileLayout({}), names, [problems for _, _, problems in placemarks])
