"""The read API's routes: each checks the request, calls the framework-free functions and serialises."""
import hashlib
import json
from datetime import datetime
from urllib.parse import quote

from flask import Blueprint, Response, render_template, request, url_for
from werkzeug.http import is_resource_modified

from ..core.caching import cache_for_version, version_etag
from ..core.errors import NotFound, field_error
from ..core.i18n import message, messages
from ..core.security import allow_inline_scripts
from ..core.vocabulary import load_vocabulary
from ..editing.history import gone, tombstone
from ..map.filters import MapFilters, batch_arg, position_args
from ..map.page import map_options
from ..store import get_store
from . import documents, html, params, tables
from .collections import (EXPORT_EXTENSIONS, EXPORT_FORMATS, EXPORT_TITLES, INCIDENTS, ITEM_FORMATS, ITEMS_FORMATS,
                          Collection, FeaturePage, all_collections, open_collection)
from .links import GEOJSON, Urls
from .openapi import DOCUMENT_FORMATS, OPENAPI_FORMATS, SCHEMA_FORMATS, openapi_document

bp = Blueprint("api", __name__, url_prefix="/api")

# Clients revalidate on every use; while the data version is unchanged that costs a 304 and no query,
# and an upload shows at once.
MAX_AGE = 0


def _urls() -> Urls:
    """Return the URL builder for the API as this request reached it."""
    return Urls(base=request.url_root + "api", about=url_for("pages.about", _external=True))


def _format(formats: dict) -> str:
    """Return the format the request asks for (`f`, else the Accept header)."""
    return params.negotiate(request.args.get("f"), request.accept_mimetypes, formats)


def _response(body, formats: dict, fmt: str) -> Response:
    """Wrap a body in a response of the format's media type; it varies with the Accept header."""
    content_type = formats[fmt][0]
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"
    response = Response(body, content_type=content_type)
    response.vary.add("Accept")
    if content_type == GEOJSON[0]:
        response.headers["Content-Crs"] = f"<{params.CRS84}>"
    return response


def _cached_by_content(response: Response, fmt: str) -> Response:
    """Label a response whose content is not a function of the data version alone with an ETag of its bytes."""
    digest = hashlib.sha1(response.get_data()).hexdigest()[:16]
    return cache_for_version(response, version_etag(get_store().data_version(), fmt, digest), None, MAX_AGE)


def _html(template: str, **context) -> str:
    """Render an API page (in English: the API speaks its parameters' language)."""
    return render_template(template, lang="en", dir="ltr", t=messages("en"), vocabulary=load_vocabulary(), **context)


def _json(document: dict) -> str:
    """Serialise a JSON document, keeping Arabic text readable."""
    return json.dumps(document, ensure_ascii=False)


def _document(document: dict, formats: dict, fmt: str, title: str) -> Response:
    """Serve a JSON document, or the HTML page that shows it."""
    body = _html("api/document.html", doc=document, title=title) if fmt == "html" else _json(document)
    return _cached_by_content(_response(body, formats, fmt), fmt)


def _document_format(formats: dict) -> str:
    """Check that a document request carries only `f`, and return the format it asks for."""
    params.check_parameters(request.args, params.DOCUMENT_PARAMS)
    return _format(formats)


def _collection(collection_id: str) -> Collection:
    """Return the collection named in the path, or raise NotFound."""
    return open_collection(get_store(), load_vocabulary(), collection_id)


def _from_features(collection: Collection, kind: str, formats: dict, fmt: str, build) -> Response:
    """Serve a response made of features, labelled so clients can revalidate it.

    The incidents' ETag is the data version (plus what the response is), so a client whose copy is
    current gets its 304 before any query runs; a reference layer's ETag is a digest of the bytes.
    """
    if not collection.versioned:
        return _cached_by_content(build(), fmt)
    last_modified = get_store().last_modified()
    etag = version_etag(collection.version, kind, fmt)
    changed_at = datetime.fromisoformat(last_modified) if last_modified else None
    current = not is_resource_modified(request.environ, etag=etag, last_modified=changed_at)
    response = _response(b"", formats, fmt) if current else build()
    return cache_for_version(response, etag, last_modified, MAX_AGE)


def _features_page(collection: Collection, title: str, features: list[dict], **context) -> str:
    """Render the HTML page of some features: a summary, a small map and a table."""
    incidents, layers = collection.map_content(features)
    columns, rows = html.feature_table(features, collection.leading_columns)
    parts = html.feature_map(incidents, layers, features, load_vocabulary(), map_options("en"))
    allow_inline_scripts(parts.script_hashes)
    return _html("api/items.html", title=title, collection=collection, columns=columns, rows=rows, map=parts,
                 **context)


def _export_links(urls: Urls, collection: Collection) -> dict:
    """Return the export URL of every format for the selection this request makes (all pages)."""
    kept = {k: v for k, v in request.args.to_dict(flat=False).items() if k not in ("f", *params.PAGE_PARAMS)}
    return {EXPORT_TITLES[name]: urls.collection(collection.id, "/export", {**kept, "f": name})
            for name in EXPORT_FORMATS}


def _credit(response: Response, urls: Urls, collection: Collection) -> Response:
    """Link a file's licence and attribution from its headers: the page of every source and licence, and the
    collection document, whose title here is the attribution line (RFC 8187 encoded: it may hold any text)."""
    response.headers.add("Link", f'<{urls.about}>; rel="license"; type="text/html"')
    response.headers.add("Link", f'<{urls.collection(collection.id)}>; rel="describedby"; type="application/json"; '
                                 f"title*=UTF-8''{quote(collection.attribution(urls), safe='')}")
    return response


def _items_response(collection: Collection, found: FeaturePage, fmt: str, bom: bool) -> Response:
    """Serialise a page of items as GeoJSON, CSV (with a byte order mark if `bom`) or an HTML table with a map."""
    urls = _urls()
    links = documents.items_links(urls, collection, request.args, found, ITEMS_FORMATS, fmt)
    if fmt == "json":
        members = {"numberMatched": found.matched, "numberReturned": len(found.features), "links": links}
        return _response(tables.feature_collection_json(found.features, members), ITEMS_FORMATS, fmt)
    features = [json.loads(feature) for feature in found.features]
    if fmt == "csv":
        body = tables.csv_text(features, collection.properties, bom)
    else:
        first = found.page.offset + 1
        summary = (f"{found.matched} features match; showing {first} to {found.page.offset + len(features)}."
                   if features else f"{found.matched} features match; none on this page.")
        body = _features_page(collection, collection.title, features, summary=summary,
                              paging=[l for l in links if l["rel"] in ("prev", "next")],
                              exports=_export_links(urls, collection), attribution=collection.attribution(urls))
    response = _response(body, ITEMS_FORMATS, fmt)
    # A CSV file has no place for links, so the neighbouring pages and the credits are linked from the headers.
    for page_link in links:
        if page_link["rel"] in ("next", "prev"):
            response.headers.add("Link", f'<{page_link["href"]}>; rel="{page_link["rel"]}"')
    return _credit(response, urls, collection) if fmt == "csv" else response


@bp.get("")
@bp.get("/")
def landing():
    """The landing page."""
    fmt = _document_format(DOCUMENT_FORMATS)
    return _document(documents.landing_page(_urls(), DOCUMENT_FORMATS, fmt), DOCUMENT_FORMATS, fmt, "webmap read API")


@bp.get("/conformance")
def conformance():
    """The conformance classes."""
    fmt = _document_format(DOCUMENT_FORMATS)
    return _document(documents.conformance(), DOCUMENT_FORMATS, fmt, "Conformance classes")


@bp.get("/openapi")
def openapi():
    """The OpenAPI document, as JSON or as a page rendered here (nothing loaded from elsewhere)."""
    fmt = _document_format(OPENAPI_FORMATS)
    document = openapi_document(_urls(), all_collections(get_store(), load_vocabulary()))
    if fmt == "html":
        body = _html("api/openapi.html", doc=document, operations=html.openapi_operations(document))
    else:
        body = _json(document)
    return _cached_by_content(_response(body, OPENAPI_FORMATS, fmt), fmt)


@bp.get("/collections")
def collections():
    """Every collection with its description."""
    fmt = _document_format(DOCUMENT_FORMATS)
    found = all_collections(get_store(), load_vocabulary())
    return _document(documents.collections_document(_urls(), found, DOCUMENT_FORMATS, fmt), DOCUMENT_FORMATS, fmt,
                     "Collections")


@bp.get("/collections/<collection_id>")
def collection(collection_id: str):
    """One collection's description."""
    described = _collection(collection_id)
    fmt = _document_format(DOCUMENT_FORMATS)
    return _document(described.metadata(_urls()), DOCUMENT_FORMATS, fmt, described.title)


def _schema(collection_id: str, build, title: str) -> Response:
    """Serve a JSON Schema that `build(urls, collection)` makes of a collection, or its HTML page."""
    described = _collection(collection_id)
    fmt = _document_format(SCHEMA_FORMATS)
    return _document(build(_urls(), described), SCHEMA_FORMATS, fmt, f"{described.title}: {title}")


@bp.get("/collections/<collection_id>/queryables")
def queryables(collection_id: str):
    """The properties a collection's items can be filtered on."""
    return _schema(collection_id, documents.queryables_document, "queryables")


@bp.get("/collections/<collection_id>/schema")
def schema(collection_id: str):
    """Every property a collection's features carry, with its type and role, as JSON Schema."""
    return _schema(collection_id, documents.schema_document, "schema")


@bp.get("/collections/<collection_id>/schema/geojson")
def geojson_schema(collection_id: str):
    """The JSON Schema of one feature as GeoJSON, which GDAL's OGC API - Features driver reads."""
    return _schema(collection_id, documents.geojson_schema_document, "schema of one feature as GeoJSON")


@bp.get("/collections/<collection_id>/items")
def items(collection_id: str):
    """A page of a collection's features, as selected by the query parameters."""
    selected = _collection(collection_id)
    fmt = _format(ITEMS_FORMATS)
    selection = selected.parse(request.args, paged=True, fmt=fmt)
    return _from_features(selected, "items", ITEMS_FORMATS, fmt,
                          lambda: _items_response(selected, selected.fetch(selection), fmt, selection.bom))


@bp.get("/collections/<collection_id>/items/<feature_id>")
def item(collection_id: str, feature_id: str):
    """One feature."""
    selected = _collection(collection_id)
    params.check_parameters(request.args, params.FEATURE_PARAMS)
    fmt = _format(ITEM_FORMATS)

    def build() -> Response:
        """Look the feature up and serialise it."""
        feature = selected.feature(feature_id)
        if feature is None and collection_id == INCIDENTS:
            deletion = tombstone(get_store().incident_history(feature_id))
            if deletion is not None:
                raise gone(feature_id, deletion)
        if feature is None:
            raise NotFound(message("error_texts.no_feature", feature=feature_id, collection=collection_id),
                           [field_error("featureId", "feature_unknown")])
        if fmt == "html":
            page = _features_page(selected, f"{selected.title}: {feature_id}", [feature],
                                  attribution=selected.attribution(_urls()))
            return _response(page, ITEM_FORMATS, fmt)
        links = documents.feature_links(_urls(), selected, feature_id, ITEM_FORMATS, fmt)
        return _response(_json({**feature, "links": links}), ITEM_FORMATS, fmt)

    return _from_features(selected, "item", ITEM_FORMATS, fmt, build)


@bp.get("/collections/<collection_id>/export")
def export(collection_id: str):
    """Every selected feature as a file to save: GeoJSON, CSV or GeoPackage, with its attribution line."""
    selected = _collection(collection_id)
    fmt = _format(EXPORT_FORMATS)
    selection = selected.parse(request.args, paged=False, fmt=fmt)

    def build() -> Response:
        """Fetch every selected feature and write the file."""
        found = selected.fetch(selection)
        urls = _urls()
        attribution = selected.attribution(urls)
        if fmt == "json":
            members = {"name": selected.id, "numberMatched": found.matched, "numberReturned": len(found.features),
                       "attribution": attribution}
            body = tables.feature_collection_json(found.features, members)
        else:
            features = [json.loads(feature) for feature in found.features]
            if fmt == "csv":
                body = tables.csv_text(features, selected.properties, selection.bom)
            else:
                metadata = {"title": selected.title, "bibliographicCitation": attribution, "license": urls.about,
                            "source": urls.collection(selected.id)}
                body = tables.geopackage_bytes(features, selected.properties, selected.id, selected.title,
                                               attribution, metadata)
        response = _response(body, EXPORT_FORMATS, fmt)
        name = selected.download_name(EXPORT_EXTENSIONS[fmt])
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return _credit(response, urls, selected)

    return _from_features(selected, "export", EXPORT_FORMATS, fmt, build)


@bp.app_template_global()
def data_links(filters: MapFilters) -> dict:
    """Return the API and export URLs that select the same incidents as the map page's filters."""
    args = {"datetime": params.datetime_interval(filters.start, filters.end),
            "event_type": ",".join(filters.event_types) or None, "batch": batch_arg(filters.batches) or None,
            **{name: value or None for name, value in position_args(filters.position).items()}}
    return {
        "items": {name: url_for("api.items", collection_id=INCIDENTS, f=name, **args) for name in ITEMS_FORMATS},
        "exports": {EXPORT_TITLES[name]: url_for("api.export", collection_id=INCIDENTS, f=name, **args)
                    for name in EXPORT_FORMATS},
    }
