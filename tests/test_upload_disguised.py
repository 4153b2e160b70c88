"""Uploads that disguise one format as another, or point outside themselves, are refused and read nothing else."""
import io
import secrets
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from conftest import make_app
from ingest_helpers import geopackage_bytes, incident_frame, run_sql
from upload_helpers import PASSWORD_HASH, add_accounts, bearer

from webmap.ingest.geodata import prepare_database
from webmap.store import IncidentQuery, get_store

ITEMS = "/api/collections/incidents/items"
PASSWD_LINE = "root:x:0:0"
GPKG_TYPE, KML_TYPE = "application/geopackage+sqlite3", "application/vnd.google-earth.kml+xml"


class _Counting(BaseHTTPRequestHandler):
    """Answers every request 404 and counts the connections, so a test can tell that nothing was fetched."""

    def setup(self):
        self.server.connections += 1
        super().setup()

    def do_GET(self):  # noqa: N802 - the name http.server calls
        self.send_error(404)

    do_HEAD = do_POST = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    """A loopback HTTP server that counts connections; yield it with its base URL as `url`."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    server.connections = 0
    server.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def target(tmp_path, listener):
    """An app whose secrets sit in files next to its database, plus a sentinel file an upload might point at."""
    secret = secrets.token_hex(32)
    secret_file = tmp_path / "instance" / "secret_key"
    secret_file.parent.mkdir()
    secret_file.write_text(secret)
    app = make_app(tmp_path, SECRET_KEY=secret)
    with app.app_context():
        prepare_database(with_samples=False)
    token = add_accounts(app)["contributor"]
    mark = secrets.token_hex(8)
    sentinel_lines = ["id,date,event_type,title,latitude,longitude",
                      f"SENTINEL-{mark},2025-01-05,SENTINEL-TYPE-{mark},SENTINEL-TITLE-{mark},33.1,35.8"]
    sentinel = tmp_path / "sentinel.csv"
    sentinel.write_text("\n".join(sentinel_lines) + "\n")
    return SimpleNamespace(app=app, token=token, secret=secret, secret_file=secret_file, sentinel=sentinel,
                          sentinel_lines=sentinel_lines, mark=mark, db=tmp_path / "webmap.db", tmp_path=tmp_path,
                          listener=listener)


# --- files that point elsewhere: OGR VRT XML ---------------------------------------------------------------

def _vrt(source: str, sql: str = "", options: str = "", x: str = "longitude", y: str = "latitude",
         layer: str = "") -> bytes:
    """Return an OGR VRT document whose one layer reads `source` (a layer of it, or SQL on it) as points."""
    return f"""<OGRVRTDataSource>
  <OGRVRTLayer name="leak">
    <SrcDataSource>{source}</SrcDataSource>{options}{sql and f'<SrcSQL dialect="SQLITE">{sql}</SrcSQL>'}
    {layer and f'<SrcLayer>{layer}</SrcLayer>'}
    <GeometryType>wkbPoint</GeometryType>
    <GeometryField encoding="PointFromColumns" x="{x}" y="{y}"/>
  </OGRVRTLayer>
</OGRVRTDataSource>
""".encode()


def vrt_sentinel(t) -> bytes:
    """A VRT reading the sentinel CSV."""
    return _vrt(str(t.sentinel), layer=t.sentinel.stem)


def vrt_secret_key(t) -> bytes:
    """A VRT reading the instance secret key file as a one-cell CSV, the key becoming id and event type."""
    sql = ("SELECT field_1 AS id, field_1 AS event_type, field_1 AS title, '2025-01-05' AS date, "
           "35.8 AS x, 33.1 AS y FROM secret_key")
    return _vrt(f"CSV:{t.secret_file}", sql, '<OpenOptions><OOI key="HEADERS">NO</OOI></OpenOptions>', "x", "y")


def vrt_accounts(t) -> bytes:
    """A VRT reading every account's password hash from the app's own database."""
    sql = ("SELECT name AS id, password_hash AS event_type, password_hash AS title, '2025-01-05' AS date, "
           "35.8 AS x, 33.1 AS y FROM account")
    return _vrt(str(t.db), sql, x="x", y="y")


def vrt_vsicurl(t) -> bytes:
    """A VRT whose source is fetched over HTTP through GDAL's /vsicurl/."""
    return _vrt(f"/vsicurl/{t.listener.url}/incidents.csv")


def vrt_wfs(t) -> bytes:
    """A VRT whose source is a WFS server."""
    return _vrt(f"WFS:{t.listener.url}/wfs")


# --- SQLite databases that are not GeoPackages -------------------------------------------------------------

def geopackage(t, *statements: str) -> bytes:
    """A valid one-layer GeoPackage, changed by SQL statements run on it."""
    return geopackage_bytes(t.tmp_path / f"made-{secrets.token_hex(4)}.gpkg", *statements)


def plain_sqlite(t) -> bytes:
    """A SQLite database with an incidents table but none of GeoPackage's."""
    return run_sql(t.tmp_path / "plain.sqlite",
                     "CREATE TABLE incidents (id TEXT, date TEXT, event_type TEXT, latitude REAL, longitude REAL)",
                     "INSERT INTO incidents VALUES ('p-1', '2025-01-05', 'raid', 33.1, 35.8)")


def wrong_application_id(t) -> bytes:
    """A GeoPackage's tables in a database whose application_id is not GeoPackage's."""
    return geopackage(t, "PRAGMA application_id = 1234")


def contents_view(t) -> bytes:
    """A GeoPackage whose layer is a view (over the database's own schema) instead of a table."""
    return geopackage(
        t,
        "CREATE VIEW leak AS SELECT i.fid, i.geom, i.id, i.date, i.event_type, m.sql AS title "
        "FROM incidents i, sqlite_master m LIMIT 1",
        "UPDATE gpkg_contents SET table_name = 'leak'",
        "UPDATE gpkg_geometry_columns SET table_name = 'leak'",
    )


def contents_sqlite_master(t) -> bytes:
    """A GeoPackage whose layer is SQLite's own schema table."""
    return geopackage(t, "UPDATE gpkg_contents SET table_name = 'sqlite_master'",
                      "UPDATE gpkg_geometry_columns SET table_name = 'sqlite_master', column_name = 'sql'")


def no_gpkg_tables(t) -> bytes:
    """A database that claims to be a GeoPackage but has none of its tables."""
    return run_sql(t.tmp_path / "claims.gpkg", "PRAGMA application_id = 1196444487",
                     "CREATE TABLE incidents (id TEXT, date TEXT, event_type TEXT)")


# --- XML that is not plain KML -------------------------------------------------------------------------------

PLACEMARK = """<Placemark><name>{name}</name><TimeStamp><when>2025-01-05</when></TimeStamp>
<ExtendedData><Data name="event_type"><value>raid</value></Data></ExtendedData>
<Point><coordinates>35.8246,33.126</coordinates></Point></Placemark>"""


def _kml(doctype: str = "", name: str = "Test") -> bytes:
    """A one-placemark KML document, with a DTD before it if given."""
    return (f'<?xml version="1.0"?>\n{doctype}<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
            f"{PLACEMARK.format(name=name)}</Document></kml>").encode()


def kml_passwd_entity(t) -> bytes:
    """A KML whose placemark name is an external entity reading /etc/passwd."""
    return _kml('<!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n', "&x;")


def kml_sentinel_entity(t) -> bytes:
    """A KML whose placemark name is an external entity reading the sentinel file."""
    return _kml(f'<!DOCTYPE kml [<!ENTITY x SYSTEM "file://{t.sentinel}">]>\n', "&x;")


def kml_http_entity(t) -> bytes:
    """A KML whose placemark name is an external entity fetched over HTTP."""
    return _kml(f'<!DOCTYPE kml [<!ENTITY x SYSTEM "{t.listener.url}/entity">]>\n', "&x;")


def kml_billion_laughs(t) -> bytes:
    """A KML with an exponentially expanding entity."""
    levels = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    return _kml(f"<!DOCTYPE kml [{''.join(levels)}]>\n", "&lol9;")


def gpx_as_kml(t) -> bytes:
    """A GPX file (another XML format GDAL reads) named as KML."""
    return (b'<?xml version="1.0"?><gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">'
            b'<wpt lat="33.126" lon="35.8246"><name>raid</name><time>2025-01-05T00:00:00Z</time></wpt></gpx>')


def kml_network_link(t) -> bytes:
    """A KML that links to another document over HTTP."""
    return (f'<kml xmlns="http://www.opengis.net/kml/2.2"><Document><NetworkLink><Link>'
            f"<href>{t.listener.url}/more.kml</href></Link></NetworkLink></Document></kml>").encode()


def kml_xinclude(t) -> bytes:
    """A KML that asks for /etc/passwd through XInclude."""
    return ('<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:xi="http://www.w3.org/2001/XInclude"><Document>'
            + PLACEMARK.format(name='<xi:include href="file:///etc/passwd" parse="text"/>')
            + "</Document></kml>").encode()


# --- zipped Shapefiles with something else inside -------------------------------------------------------------

def shapefile_members(t) -> dict[str, bytes]:
    """The files of a valid one-incident Shapefile, by suffix."""
    folder = t.tmp_path / f"shp-{secrets.token_hex(4)}"
    folder.mkdir()
    incident_frame().to_file(folder / "incidents.shp")
    return {path.suffix: path.read_bytes() for path in folder.iterdir()}


def zipped(members: dict[str, bytes]) -> bytes:
    """Zip these members (name -> bytes) in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def shapefile_zip(t, extra: dict[str, bytes] = None, stem: str = "incidents", **replaced) -> bytes:
    """A zipped Shapefile with members renamed under `stem`, some replaced (by suffix) and extra ones added."""
    members = {f"{stem}{suffix}": replaced.get(suffix[1:], data) for suffix, data in shapefile_members(t).items()}
    return zipped({**members, **(extra or {})})


def zip_with_vrt(t) -> bytes:
    """A Shapefile with a VRT reading the sentinel file next to it."""
    return shapefile_zip(t, {"leak.vrt": vrt_sentinel(t)})


def zip_with_geopackage(t) -> bytes:
    """A Shapefile with a GeoPackage next to it."""
    return shapefile_zip(t, {"more.gpkg": geopackage(t)})


def zip_in_zip(t) -> bytes:
    """A Shapefile with another zipped Shapefile inside."""
    return shapefile_zip(t, {"inner.zip": shapefile_zip(t)})


def zip_parent_path(t) -> bytes:
    """A Shapefile whose members climb out of the archive's folder."""
    return shapefile_zip(t, stem="../evil")


def zip_absolute_path(t) -> bytes:
    """A Shapefile whose members have absolute paths."""
    return shapefile_zip(t, stem="/var/tmp/evil")


def zip_two_shapefiles(t) -> bytes:
    """Two Shapefiles in one zip."""
    return shapefile_zip(t, {f"second{suffix}": data for suffix, data in shapefile_members(t).items()})


def zip_shp_is_vrt(t) -> bytes:
    """A zip whose .shp is really a VRT reading the sentinel file."""
    return shapefile_zip(t, shp=vrt_sentinel(t))


def zip_dbf_is_vrt(t) -> bytes:
    """A zip whose .dbf is really a VRT reading the sentinel file."""
    return shapefile_zip(t, dbf=vrt_sentinel(t))


def zip_only_vrt(t) -> bytes:
    """A zip holding only a VRT named like a Shapefile's parts."""
    return zipped({"leak.shp": vrt_sentinel(t), "leak.vrt": vrt_sentinel(t)})


def geojson(t) -> bytes:
    """A valid one-incident GeoJSON document."""
    return incident_frame().to_json().encode()


VSICURL_CSV = "id,date,event_type,title,latitude,longitude\nv-1,2025-01-05,raid,/vsicurl/{url}/a.csv,33.1,35.8\n"

# id -> (how to build the body, file name or None, declared content type or None, expected status or None for 4xx)
CASES = {
    "vrt-sentinel.gpkg": (vrt_sentinel, "incidents.gpkg", None, None),
    "vrt-sentinel.kml": (vrt_sentinel, "incidents.kml", None, None),
    "vrt-sentinel.csv": (vrt_sentinel, "incidents.csv", None, None),
    "vrt-sentinel-as-gpkg-type": (vrt_sentinel, None, GPKG_TYPE, None),
    "vrt-sentinel-as-kml-type": (vrt_sentinel, None, KML_TYPE, None),
    "vrt-sentinel-as-csv-type": (vrt_sentinel, None, "text/csv", None),
    "vrt-secret-key.gpkg": (vrt_secret_key, "incidents.gpkg", None, None),
    "vrt-secret-key.kml": (vrt_secret_key, "incidents.kml", None, None),
    "vrt-accounts.gpkg": (vrt_accounts, "incidents.gpkg", None, None),
    "vrt-accounts.csv": (vrt_accounts, "incidents.csv", None, None),
    "vrt-vsicurl.gpkg": (vrt_vsicurl, "incidents.gpkg", None, None),
    "vrt-wfs.kml": (vrt_wfs, "incidents.kml", None, None),
    "vrt-wfs.csv": (vrt_wfs, "incidents.csv", None, None),
    "plain-sqlite.gpkg": (plain_sqlite, "incidents.gpkg", None, None),
    "wrong-application-id.gpkg": (wrong_application_id, "incidents.gpkg", None, None),
    "contents-view.gpkg": (contents_view, "incidents.gpkg", None, None),
    "contents-sqlite-master.gpkg": (contents_sqlite_master, "incidents.gpkg", None, None),
    "no-gpkg-tables.gpkg": (no_gpkg_tables, "incidents.gpkg", None, None),
    "geojson.gpkg": (geojson, "incidents.gpkg", None, None),
    "geojson-as-gpkg-type": (geojson, None, GPKG_TYPE, None),
    "geojson.kml": (geojson, "incidents.kml", None, None),
    "geojson.zip": (geojson, "incidents.zip", None, None),
    "geopackage.kml": (geopackage, "incidents.kml", None, None),
    "geopackage.csv": (geopackage, "incidents.csv", None, None),
    "geopackage.geojson": (geopackage, "incidents.geojson", None, None),
    "kml-passwd-entity": (kml_passwd_entity, "incidents.kml", None, None),
    "kml-sentinel-entity": (kml_sentinel_entity, "incidents.kml", None, None),
    "kml-http-entity": (kml_http_entity, "incidents.kml", None, None),
    "kml-billion-laughs": (kml_billion_laughs, "incidents.kml", None, None),
    "gpx.kml": (gpx_as_kml, "incidents.kml", None, None),
    "kml-network-link": (kml_network_link, "incidents.kml", None, None),
    "kml-xinclude": (kml_xinclude, "incidents.kml", None, 201),  # XInclude is not processed: a name-less placemark
    "kml.gpkg": (lambda t: _kml(), "incidents.gpkg", None, None),
    "zip-with-vrt": (zip_with_vrt, "incidents.zip", None, None),
    "zip-with-geopackage": (zip_with_geopackage, "incidents.zip", None, None),
    "zip-in-zip": (zip_in_zip, "incidents.zip", None, None),
    "zip-parent-path": (zip_parent_path, "incidents.zip", None, None),
    "zip-absolute-path": (zip_absolute_path, "incidents.zip", None, None),
    "zip-two-shapefiles": (zip_two_shapefiles, "incidents.zip", None, None),
    "zip-shp-is-vrt": (zip_shp_is_vrt, "incidents.zip", None, None),
    "zip-dbf-is-vrt": (zip_dbf_is_vrt, "incidents.zip", None, None),
    "zip-only-vrt": (zip_only_vrt, "incidents.zip", None, None),
    "csv-vsicurl-text": (lambda t: VSICURL_CSV.format(url=t.listener.url).encode(), "incidents.csv", None, 201),
    "csv-vsicurl-wkt": (lambda t: (f"id,date,event_type,wkt\nv-2,2025-01-05,raid,/vsicurl/{t.listener.url}/a\n"
                                   .encode()), "incidents.csv", None, None),
}


def _pieces(text: str, size: int = 12):
    """Yield overlapping pieces of a secret, so a message that quotes part of it is caught too."""
    return (text[start:start + size] for start in range(0, max(1, len(text) - size + 1), size // 2))


def leaks(t, text: str) -> list[str]:
    """Return what the text quotes from outside the upload: sentinel, /etc/passwd, secret key, hashes, paths."""
    salt_and_hash = PASSWORD_HASH.split("$", 1)[1]
    secrets_shown = [piece for secret in (t.secret, salt_and_hash) for piece in _pieces(secret) if piece in text]
    others = [needle for needle in (*t.sentinel_lines, t.mark, PASSWD_LINE, str(t.tmp_path)) if needle in text]
    return secrets_shown + others


def state(app) -> tuple[int, int, int]:
    """Return what a refused upload must leave alone: incidents, data version and batches."""
    with app.app_context():
        store = get_store()
        return store.count_incidents(IncidentQuery()), store.data_version(), len(store.list_batches(limit=1000))


def _stored_text(app) -> str:
    """Return every stored incident as text, to look for anything read from outside the upload."""
    with app.app_context():
        return "\n".join(get_store().query_feature_json(IncidentQuery()))


def _check_nothing_escaped(t, text: str, before, written: bool) -> None:
    """Assert nothing outside the upload shows or was stored, nothing was fetched, and a refusal wrote nothing."""
    assert not leaks(t, text), text
    assert not leaks(t, _stored_text(t.app))
    assert t.listener.connections == 0, "the upload made the server send a request"
    if not written:
        assert state(t.app) == before


@pytest.mark.parametrize("case", list(CASES))
def test_disguised_upload_through_the_api(target, case):
    """Each disguised or pointing file gets a 4xx in the error shape, writes nothing and shows nothing else."""
    build, filename, content_type, expected = CASES[case]
    data = build(target)
    before = state(target.app)
    api = target.app.test_client()
    if filename:
        response = api.post(ITEMS, data={"file": (io.BytesIO(data), filename)},
                            content_type="multipart/form-data", headers=bearer(target.token))
    else:
        response = api.post(ITEMS, data=data, content_type=content_type, headers=bearer(target.token))
    text = response.get_data(as_text=True)
    if expected:
        assert response.status_code == expected, text
    else:
        assert 400 <= response.status_code < 500 and response.status_code not in (401, 403), text
        assert set(response.get_json()) == {"code", "description", "errors"}
    _check_nothing_escaped(target, text, before, written=bool(expected))


@pytest.mark.parametrize("case", [name for name, (_, filename, _, _) in CASES.items() if filename])
def test_disguised_file_through_webmap_import(target, case):
    """`webmap import` refuses the same files with exit status 1, quoting nothing from outside them."""
    build, filename, _, expected = CASES[case]
    path = target.tmp_path / "upload" / filename
    path.parent.mkdir()
    path.write_bytes(build(target))
    before = state(target.app)
    result = target.app.test_cli_runner().invoke(args=["import", str(path)])
    assert result.exit_code == (0 if expected else 1), result.output
    text = result.output.replace(str(path), "FILE")  # the command names the file it was given
    _check_nothing_escaped(target, text, before, written=bool(expected))
