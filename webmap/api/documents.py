"""The API's JSON documents other than features: landing page, conformance, collections, queryables, links."""
from werkzeug.datastructures import MultiDict

from . import schema
from .collections import Collection, FeaturePage
from .links import HTML, JSON, OPENAPI, Urls, link

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/schemas",
    "http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/core-roles-features",
]


def landing_page(urls: Urls, formats: dict, current: str) -> dict:
    """Return the landing page: what the API is and where its definition, conformance and data are."""
    return {
        "title": "webmap read API",
        "description": "Incidents in southern Syria since 8 December 2024 and the reference layers they are mapped "
                       "against (the approximate 1974 disengagement lines, boundaries, towns), as OGC API - "
                       "Features.",
        "links": [
            *urls.alternates(lambda name: urls.to("", {"f": name}), formats, current),
            link(urls.to("/openapi", {"f": "json"}), "service-desc", OPENAPI[0], "The API definition (OpenAPI 3.0)"),
            link(urls.to("/openapi", {"f": "html"}), "service-doc", HTML[0], "The API definition as a page"),
            link(urls.to("/conformance"), "conformance", JSON[0], "Conformance classes"),
            link(urls.to("/collections"), "data", JSON[0], "Collections"),
            link(urls.about, "license", HTML[0], "Data sources, licences and precision"),
        ],
    }


def conformance() -> dict:
    """Return the conformance classes implemented."""
    return {"conformsTo": CONFORMANCE}


def collections_document(urls: Urls, collections: list[Collection], formats: dict, current: str) -> dict:
    """Return the list of collections with each one's description."""
    return {
        "links": urls.alternates(lambda name: urls.to("/collections", {"f": name}), formats, current),
        "collections": [collection.metadata(urls) for collection in collections],
    }


def queryables_document(urls: Urls, collection: Collection) -> dict:
    """Return the queryables of a collection as a JSON Schema."""
    return schema.queryables_schema(collection.properties + collection.filter_only,
                                    urls.collection(collection.id, "/queryables"),
                                    f"{collection.title}: queryables")


def schema_document(urls: Urls, collection: Collection) -> dict:
    """Return the schema of a collection's features (OGC API - Features Part 5)."""
    return schema.feature_schema(collection.described_properties(), urls.collection(collection.id, "/schema"),
                                 collection.title)


def geojson_schema_document(urls: Urls, collection: Collection) -> dict:
    """Return the schema of one of a collection's features as a GeoJSON Feature."""
    return schema.geojson_feature_schema(collection.described_properties(),
                                         urls.collection(collection.id, "/schema/geojson"),
                                         f"{collection.title}: one feature as GeoJSON")


def items_links(urls: Urls, collection: Collection, args: MultiDict, found: FeaturePage, formats: dict,
                current: str) -> list[dict]:
    """Return the links of a page of items: itself in each format, next and prev pages, the collection."""
    kept = {name: values for name, values in args.to_dict(flat=False).items() if name != "f"}

    def url(name: str, **changes) -> str:
        """Return this items URL in format `name`, with `changes` to its parameters."""
        return urls.collection(collection.id, "/items", {**kept, **changes, "f": name})

    links = urls.alternates(url, formats, current)
    page = found.page
    media_type = formats[current][0]
    # Later pages read the data version this one did, so changes while paging cannot skip or repeat features.
    pinned = {} if found.version is None else {"version": found.version}
    if page.offset + page.limit < found.matched:
        links.append(link(url(current, **pinned, limit=page.limit, offset=page.offset + page.limit),
                          "next", media_type, "Next page"))
    if page.offset > 0:
        links.append(link(url(current, **pinned, limit=page.limit, offset=max(page.offset - page.limit, 0)),
                          "prev", media_type, "Previous page"))
    links.append(link(urls.collection(collection.id), "collection", JSON[0], collection.title))
    return links


def feature_links(urls: Urls, collection: Collection, feature_id, formats: dict, current: str) -> list[dict]:
    """Return the links of one feature: itself in each format and its collection."""
    links = urls.alternates(lambda name: urls.item(collection.id, feature_id, {"f": name}), formats, current)
    links.append(link(urls.collection(collection.id), "collection", JSON[0], collection.title))
    return links
