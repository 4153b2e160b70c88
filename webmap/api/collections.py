"""The API's collections, the incidents and one per reference layer, behind one small interface."""
import json
import re
from dataclasses import dataclass, replace

from ..analysis.within import BUFFER_KM, count_within, keys_within
from ..core.errors import FieldError, NotFound, field_error
from ..core.i18n import message
from ..core.model import Incident, ReferenceLayer, geometry_bounds, layer_status
from ..core.vocabulary import Vocabulary
from ..store import Store
from . import params, schema
from .links import CSV, GEOJSON, GEOPACKAGE, HTML, JSON, JSON_SCHEMA, Urls, link
from .schema import Property

INCIDENTS = "incidents"
SCHEMA_REL = "http://www.opengis.net/def/rel/ogc/1.0/schema"
CRS84 = params.CRS84
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"

ITEMS_FORMATS = {"json": GEOJSON, "html": HTML, "csv": CSV}
ITEM_FORMATS = {"json": GEOJSON, "html": HTML}
EXPORT_FORMATS = {"json": GEOJSON, "csv": CSV, "gpkg": GEOPACKAGE}
EXPORT_EXTENSIONS = {"json": "geojson", "csv": "csv", "gpkg": "gpkg"}
EXPORT_TITLES = {"json": "GeoJSON", "csv": "CSV", "gpkg": "GeoPackage"}

INCIDENTS_DESCRIPTION = (
    "Reported incidents in southern Syria since 8 December 2024: airstrikes, shelling, ground incursions, "
    "raids, arrests, new outposts, demolitions and clashes. Each carries its date (or date range), event type, "
    "sources, location precision (exact, town, area, region) and verification state (unverified, verified, "
    "disputed, debunked); a position is only as exact as its precision says."
)
INCIDENTS_ATTRIBUTION = "Incidents: each record names the outlets that reported it in `sources`; claims are theirs."


@dataclass(frozen=True)
class Selection:
    """A checked request: what to select (a store query, or a bbox for a layer), which page (None: all), and
    whether a CSV file starts with a byte order mark."""

    criteria: object
    page: params.Page | None
    bom: bool = False


@dataclass(frozen=True)
class FeaturePage:
    """What one request selected: serialised GeoJSON Features, how many matched in all, and the slice."""

    features: list[str]
    matched: int
    page: params.Page | None  # None: every match, as exports give
    version: int | None = None  # the data version the incidents were read at (None for a reference layer)


def _parse(args, filters: tuple[str, ...], paged: bool, fmt: str, criteria) -> Selection:
    """Check a request for format `fmt` against the `filters` it may carry (and paging, if `paged`);
    `criteria(errors)` parses the collection's own filters. Every problem found is reported in one 400."""
    errors = params.unknown_parameters(args, filters + params.FILE_PARAMS + (params.PAGE_PARAMS if paged else ()))
    parsed = criteria(errors)
    page = params.parse_page(args, errors) if paged else None
    bom = params.parse_bom(args, fmt, errors)
    if errors:
        raise params.invalid(errors)
    return Selection(parsed, page, bom)


def _count(features: list[str], page: params.Page | None, count) -> int:
    """Return how many features match in all, running the `count` query only when the page cannot tell."""
    if page is None:
        return len(features)
    if len(features) < page.limit and (features or page.offset == 0):
        return page.offset + len(features)
    return count()


def _dumps(value) -> str:
    """Serialise JSON compactly, keeping Arabic text readable."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _temporal_extent(first: str, last: str) -> dict:
    """Return the OGC temporal extent covering whole days `first` to `last`."""
    return {"interval": [[f"{first}T00:00:00Z", f"{last}T23:59:59Z"]], "trs": GREGORIAN}


def _spatial_extent(bounds: tuple[float, float, float, float]) -> dict:
    """Return the OGC spatial extent of a bounding box."""
    return {"bbox": [list(bounds)], "crs": CRS84}


def _bbox_intersects(bounds: tuple, bbox: tuple) -> bool:
    """Tell whether feature bounds touch a bbox (one with minx > maxx wraps the antimeridian)."""
    minx, miny, maxx, maxy = bbox
    fminx, fminy, fmaxx, fmaxy = bounds
    if fminy > maxy or fmaxy < miny:
        return False
    if minx <= maxx:
        return fminx <= maxx and fmaxx >= minx
    return fminx <= maxx or fmaxx >= minx


def reference_attribution(layers: list[ReferenceLayer]) -> str:
    """Return one line crediting the reference layers: each distinct attribution with its licence, once."""
    credits = dict.fromkeys(f"{layer.meta['attribution']} ({layer.meta['licence']})" for layer in layers)
    return "Reference layers: " + " | ".join(credits)


def collection_links(urls: Urls, collection_id: str, title: str) -> list[dict]:
    """Return a collection's links: itself, its items in each format, its exports and queryables."""
    links = [
        link(urls.collection(collection_id), "self", JSON[0], f"{title}: this document"),
        link(urls.collection(collection_id, args={"f": "html"}), "alternate", HTML[0], f"{title} as HTML"),
        link(urls.collection(collection_id, "/items"), "items", GEOJSON[0], f"{title}: features as GeoJSON"),
    ]
    links += [
        link(urls.collection(collection_id, "/items", {"f": name}), "items", types[0], f"{title}: features as {name}")
        for name, types in ITEMS_FORMATS.items() if name != "json"
    ]
    links += [
        link(urls.collection(collection_id, "/export", {"f": name}), "enclosure", types[0],
             f"{title}: download every feature as {EXPORT_TITLES[name]}")
        for name, types in EXPORT_FORMATS.items()
    ]
    links.append(link(urls.collection(collection_id, "/queryables"),
                      "http://www.opengis.net/def/rel/ogc/1.0/queryables", JSON_SCHEMA[0], f"{title}: queryables"))
    links.append(link(urls.collection(collection_id, "/schema"), SCHEMA_REL, JSON_SCHEMA[0], f"{title}: schema"))
    # GDAL's OGC API - Features driver types its fields from the schema linked as `describedby`. Relation types
    # are case-insensitive, but older GDAL (Debian 12's 3.6 among them) matches only this spelling, and reads only
    # a schema of the GeoJSON Feature, with the properties inside its `properties` member.
    links.append(link(urls.collection(collection_id, "/schema/geojson"), "describedBy", JSON_SCHEMA[0],
                      f"{title}: schema of one feature as GeoJSON"))
    links.append(link(urls.about, "license", HTML[0], "Data sources, licences and precision"))
    return links


class IncidentCollection:
    """The incidents in the store, selected by every incident parameter; they change with the data version."""

    id = INCIDENTS
    title = "Incidents"
    versioned = True  # the data version alone tells whether a response is still current

    def __init__(self, store: Store, vocabulary: Vocabulary):
        self.store = store
        self.vocabulary = vocabulary
        self.properties = schema.incident_properties(vocabulary)
        self.filter_only = schema.incident_filter_only()
        self.leading_columns = schema.columns(self.properties)
        # Read once, so the ETag, the paging links and the query all see the same version.
        self.version = store.data_version()

    def parse(self, args, paged: bool, fmt: str) -> Selection:
        """Check the request's parameters for format `fmt` and turn them into a store query (for one page, if
        `paged`)."""
        selection = _parse(args, params.INCIDENT_FILTER_PARAMS, paged, fmt, lambda errors: self._criteria(args, errors))
        page = selection.page
        if page:
            selection = replace(selection, criteria=replace(selection.criteria, limit=page.limit, offset=page.offset))
        return selection

    def described_properties(self) -> list[Property]:
        """Return every property the incidents carry: the known ones, then those uploads added, by name."""
        added = schema.uploaded_properties(self.store.property_types(), self.properties)
        return [*self.properties, *sorted(added, key=lambda p: p.name)]

    def _criteria(self, args, errors: list[FieldError]):
        """Parse the incident filters, narrowed by `within` to the incidents that lie against a reference layer."""
        query = params.parse_incident_filters(args, self.vocabulary, self.version, errors)
        layer_id = args.get("within")
        if layer_id is None:
            return query
        layer = self.store.get_reference_layer(layer_id)
        if layer is None:
            known = ", ".join(self.store.reference_layer_ids())
            errors.append(field_error("within", "layer_unknown_within", layer=repr(layer_id[:70]), known=known))
        if errors:
            return query
        return replace(query, keys=keys_within(self.store.incident_points(query.as_of), layer))

    def fetch(self, selection: Selection) -> FeaturePage:
        """Return the selected incidents as stored, how many match in all, and the data version read."""
        query, page = selection.criteria, selection.page
        features = self.store.query_feature_json(query)
        matched = _count(features, page, lambda: self.store.count_incidents(query))
        return FeaturePage(features, matched, page, self.version if query.as_of is None else query.as_of)

    def feature(self, feature_id: str) -> dict | None:
        """Return one incident as a GeoJSON Feature, or None."""
        incident = self.store.get_incident(feature_id)
        return incident.to_feature() if incident else None

    def metadata(self, urls: Urls) -> dict:
        """Return the collection description, with the extent of the current incidents."""
        extent = self.store.incident_extent()
        described = {
            "id": self.id, "title": self.title, "description": INCIDENTS_DESCRIPTION,
            "itemType": "feature", "crs": [CRS84], "storageCrs": CRS84,
            "attribution": INCIDENTS_ATTRIBUTION,
        }
        if extent:
            described["extent"] = {"spatial": _spatial_extent(extent[0]), "temporal": _temporal_extent(*extent[1])}
        described["links"] = collection_links(urls, self.id, self.title)
        return described

    def attribution(self, urls: Urls) -> str:
        """Return the licence and attribution line that travels with every export."""
        layers = self.store.list_reference_layers()
        return (f"{INCIDENTS_ATTRIBUTION} {reference_attribution(layers)}. "
                f"Sources, licences and precision: {urls.about}")

    def map_content(self, features: list[dict]) -> tuple[list[Incident], list[ReferenceLayer]]:
        """Return what a small map of these features draws: the incidents over the reference layers."""
        return [Incident.from_feature(feature) for feature in features], self.store.list_reference_layers()

    def download_name(self, extension: str) -> str:
        """Return the file name an export is saved under."""
        return f"{self.id}-v{self.version}.{extension}"


class ReferenceCollection:
    """One bundled reference layer; its features are numbered 1, 2, ... in file order."""

    versioned = False  # reloading the geodata changes a layer without a new data version: hash the body

    def __init__(self, layer: ReferenceLayer, count_within=None):
        self.layer = layer
        self.count_within = count_within  # returns how many live incidents lie against the layer (None: not told)
        self.id = layer.id
        self.title = layer.title("en")
        self.features = [
            {"type": "Feature", "id": number, "geometry": feature["geometry"], "properties": feature["properties"]}
            for number, feature in enumerate(layer.data.get("features", []), start=1)
        ]
        self.properties = schema.layer_properties(self.features)
        self.filter_only = []
        self.leading_columns = schema.columns(self.properties)

    def parse(self, args, paged: bool, fmt: str) -> Selection:
        """Check the request's parameters for format `fmt`: a bbox, and the page if `paged`."""
        return _parse(args, params.REFERENCE_FILTER_PARAMS, paged, fmt,
                      lambda errors: params.parse_bbox(args.get("bbox"), errors))

    def described_properties(self) -> list[Property]:
        """Return every property the layer's features carry."""
        return self.properties

    def fetch(self, selection: Selection) -> FeaturePage:
        """Return the layer's features inside the bbox (the page of them, if any), and how many match."""
        bbox, page = selection.criteria, selection.page
        matches = [f for f in self.features if bbox is None or _bbox_intersects(geometry_bounds(f["geometry"]), bbox)]
        window = matches[page.offset:page.offset + page.limit] if page else matches
        return FeaturePage([_dumps(f) for f in window], len(matches), page)

    def feature(self, feature_id: str) -> dict | None:
        """Return the feature numbered `feature_id`, or None."""
        number = int(feature_id) if re.fullmatch(r"[0-9]{1,9}", feature_id) else 0
        return self.features[number - 1] if 1 <= number <= len(self.features) else None

    def metadata(self, urls: Urls) -> dict:
        """Return the collection description with the layer's source, licence, attribution and precision."""
        meta = self.layer.meta
        described = {
            "id": self.id, "title": self.title, "description": meta["source"],
            "itemType": "feature", "crs": [CRS84], "storageCrs": CRS84,
            "license": meta["licence"], "attribution": meta["attribution"], "precision": meta["precision"],
            "approximate": bool(meta.get("approximate")),
            "status": layer_status(self.layer), "date": meta.get("date"),
            "bundled": meta.get("origin") != "editor",
        }
        if self.count_within:
            described["incidents_within"] = self.count_within()
            described["within_buffer_km"] = 0 if meta.get("geometry_kind") == "polygon" else BUFFER_KM
        if self.features:
            boxes = [geometry_bounds(f["geometry"]) for f in self.features]
            described["extent"] = {"spatial": _spatial_extent((
                min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes),
            ))}
        described["links"] = collection_links(urls, self.id, self.title)
        if meta.get("source_url"):
            described["links"].append(link(meta["source_url"], "via", HTML[0], "Where the layer comes from"))
        return described

    def attribution(self, urls: Urls) -> str:
        """Return the layer's licence, attribution and precision line that travels with every export."""
        meta = self.layer.meta
        approximate = " Approximate: not an official map." if meta.get("approximate") else ""
        return (f"{self.title}: {meta['attribution']}. Licence: {meta['licence']}. Precision: {meta['precision']}."
                f"{approximate} Sources, licences and precision: {urls.about}")

    def map_content(self, features: list[dict]) -> tuple[list[Incident], list[ReferenceLayer]]:
        """Return what a small map of these features draws: just them, as their own layer."""
        shown = ReferenceLayer(self.id, self.layer.meta, {"type": "FeatureCollection", "features": features})
        return [], [shown]

    def download_name(self, extension: str) -> str:
        """Return the file name an export is saved under."""
        return f"{self.id}.{extension}"


Collection = IncidentCollection | ReferenceCollection


def all_collections(store: Store, vocabulary: Vocabulary) -> list[Collection]:
    """Return every collection: the incidents first, then the reference layers in draw order."""
    layers = store.list_reference_layers()
    return [IncidentCollection(store, vocabulary), *(ReferenceCollection(layer) for layer in layers)]


def open_collection(store: Store, vocabulary: Vocabulary, collection_id: str) -> Collection:
    """Return the collection with this id (the incidents without loading any layer), or raise NotFound."""
    if collection_id == INCIDENTS:
        return IncidentCollection(store, vocabulary)
    layer = store.get_reference_layer(collection_id)
    if layer is None:
        known = ", ".join([INCIDENTS, *store.reference_layer_ids()])
        raise NotFound(message("error_texts.no_collection", collection=collection_id),
                       [field_error("collectionId", "collection_unknown", known=known)])
    return ReferenceCollection(layer, lambda: count_within(store, layer))
