"""Reading zipped Shapefiles with pyshp, in memory: only one Shapefile's own files, each checked by its header."""
import io
import struct
import zipfile
import zlib
from datetime import date
from pathlib import PurePosixPath

import shapefile
import shapely.geometry

from ..core.errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from ..core.i18n import message
from ..core.model import CANONICAL_PROPERTIES
from .crs import file_transform
from .record import FileLayout, Record
from .tabular import shape_geojson, table_records

# A zip may not unpack to more than this: a small upload must not fill the memory.
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024
MEMBER_SUFFIXES = (".shp", ".shx", ".dbf", ".prj", ".cpg")
SHP_FILE_CODE = 9994  # big-endian at byte 0 of every .shp and .shx
# Shapefile field names are cut to 10 characters; these are webmap's names as a Shapefile keeps them.
_SHAPEFILE_NAMES = {name[:10]: name for name in CANONICAL_PROPERTIES if len(name) > 10}


def _shown(names) -> str:
    """Return member names for a message, quoted and cut to a readable length."""
    names = list(names)
    more = f" and {len(names) - 10} more" if len(names) > 10 else ""
    return ", ".join(repr(name[:80]) for name in names[:10]) + more


def _path(name: str) -> PurePosixPath:
    """Return a member's path, reading backslashes as the separators some Windows tools write."""
    return PurePosixPath(name.replace("\\", "/"))


def _unsafe(name: str) -> bool:
    """Tell whether a member's path is absolute, climbs out of the archive, or lies deeper than one folder."""
    parts = _path(name).parts
    return not parts or parts[0] == "/" or ":" in parts[0] or ".." in parts or len(parts) > 2


def _members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """Return the Shapefile's members by suffix, refusing unsafe paths, other files and a second Shapefile."""
    entries = archive.infolist()
    unsafe = [entry.filename for entry in entries if _unsafe(entry.filename)]
    if unsafe:
        raise BadRequest(message("error_texts.zip_unsafe", names=_shown(unsafe)))
    files = [entry for entry in entries if not entry.is_dir()]
    others = [entry.filename for entry in files if _path(entry.filename).suffix.lower() not in MEMBER_SUFFIXES]
    if others:
        raise UnsupportedMediaType(message("error_texts.zip_others", names=_shown(others)))
    if sum(entry.file_size for entry in files) > MAX_UNZIPPED_BYTES:
        raise PayloadTooLarge(message("error_texts.zip_too_big", size=MAX_UNZIPPED_BYTES // 2**20))
    stems = {str(_path(entry.filename).with_suffix("")).lower() for entry in files}
    by_suffix = {_path(entry.filename).suffix.lower(): entry for entry in files}
    if len(stems) > 1 or len(by_suffix) < len(files):
        raise UnsupportedMediaType(message("error_texts.zip_several", names=_shown(stems)))
    if ".shp" not in by_suffix:
        raise UnsupportedMediaType(message("error_texts.zip_no_shp"))
    if ".dbf" not in by_suffix:
        raise BadRequest(message("error_texts.zip_no_dbf"))
    return by_suffix


def _unpacked(data: bytes) -> dict[str, bytes]:
    """Return the bytes of the zip's Shapefile members by suffix."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {suffix: archive.read(entry) for suffix, entry in _members(archive).items()}
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError, ValueError) as exc:
        raise BadRequest(message("error_texts.zip_unreadable", detail=exc)) from exc


def _check_headers(files: dict[str, bytes]) -> int:
    """Refuse a .shp or .shx without the Shapefile file code, or a .dbf without a dBASE III header; return its size."""
    for suffix in (".shp", ".shx"):
        if suffix in files and (len(files[suffix]) < 100 or struct.unpack(">i", files[suffix][:4])[0] != SHP_FILE_CODE):
            raise BadRequest(message("error_texts.shp_file_code", suffix=suffix, code=SHP_FILE_CODE))
    dbf = files[".dbf"]
    header_size = struct.unpack("<H", dbf[8:10])[0] if len(dbf) >= 32 else 0
    if not header_size or dbf[0] & 0x07 != 3 or not 33 <= header_size <= len(dbf):
        raise BadRequest(message("error_texts.dbf_not_dbase"))
    return header_size


def _text(files: dict[str, bytes], suffix: str) -> str | None:
    """Return a small text member (.prj, .cpg) trimmed, or None when absent or blank."""
    if suffix not in files:
        return None
    try:
        return files[suffix].decode("utf-8-sig").strip() or None
    except UnicodeDecodeError as exc:
        raise BadRequest(message("error_texts.zip_member_not_utf8", suffix=suffix)) from exc


def _encoding(files: dict[str, bytes], dbf_header_size: int) -> str:
    """Return the encoding the .cpg names (a code page number such as 1252 too), else UTF-8, if the .dbf is in it."""
    name = _text(files, ".cpg") or "utf-8"
    name = f"cp{name}" if name.isdigit() else name
    try:
        files[".dbf"][dbf_header_size:].decode(name)
    except LookupError as exc:
        raise BadRequest(message("error_texts.cpg_unknown", name=repr(name[:40]))) from exc
    except UnicodeDecodeError as exc:
        raise BadRequest(message("error_texts.dbf_encoding", name=name)) from exc
    return name


def _geometry(shape: shapefile.Shape, problems: list) -> dict | None:
    """Return a shape as GeoJSON (None for a null shape), noting a kind of shape GeoJSON cannot hold."""
    if shape.shapeType == shapefile.NULL:
        return None
    try:
        return shape_geojson(shapely.geometry.shape(shape.__geo_interface__))
    except shapefile.GeoJSON_Error:
        problems.append(("geometry", message("field_errors.shape_type_unread", kind=shape.shapeTypeName)))
        return None


def _cell(value):
    """Return a .dbf value as a plain JSON value: ISO text for a date."""
    return value.isoformat() if isinstance(value, date) else value


def _read(files: dict[str, bytes], encoding: str) -> tuple[list[str], list[dict], list, list[list]]:
    """Read the Shapefile: its field names, rows of values, GeoJSON geometries and problems per row."""
    reader = shapefile.Reader(shp=io.BytesIO(files[".shp"]), dbf=io.BytesIO(files[".dbf"]), encoding=encoding,
                              shx=io.BytesIO(files[".shx"]) if ".shx" in files else None)
    with reader:
        names = [_SHAPEFILE_NAMES.get(field.name.lower(), field.name) for field in reader.fields[1:]]
        rows, geometries, problems = [], [], []
        for item in reader.iterShapeRecords():
            problems.append([])
            geometries.append(_geometry(item.shape, problems[-1]))
            rows.append(dict(zip(names, map(_cell, item.record))))
    return names, rows, geometries, problems


def shapefile_zip_records(data: bytes) -> list[Record]:
    """Read a zipped Shapefile into one record per shape, reprojected from its .prj (none: WGS84)."""
    files = _unpacked(data)
    encoding = _encoding(files, _check_headers(files))
    transform = file_transform(_text(files, ".prj"))
    try:
        names, rows, geometries, problems = _read(files, encoding)
    except (shapefile.ShapefileException, struct.error, ValueError, LookupError, EOFError) as exc:
        raise BadRequest(message("error_texts.shapefile_unreadable", detail=exc)) from exc
    return table_records(rows, geometries, FileLayout({}, transform=transform), names, problems)
