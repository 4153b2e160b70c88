#!/usr/bin/env python3
"""Build the bundled reference layers in geodata/ from the openly licensed files in shared/data.

usage: build_geodata.py [--source DIR] [--out DIR]

Writes layers.json, one GeoJSON file per reference layer and sample_incidents.geojson.
The output is byte-for-byte deterministic, so tests can rebuild it and compare with the
committed copy. geodata/PROVENANCE.md is written by hand and explains every file.
"""
import argparse
import json
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import box, mapping, shape

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO.parent / "shared" / "data"
DEFAULT_OUT = REPO / "geodata"

GEONAMES_FILE = Path("geonames_cities500", "geonames_cities500_golan_southsyria.geojson")
WIKIPEDIA_FILE = Path("wikipedia_reference_points", "wikipedia_reference_points.geojson")
GRID = 1e-5  # degrees, about 1 m: far finer than any source here
DIGITS = 5
LEVANT_BOX = (34.0, 31.0, 38.5, 34.8)  # lon/lat: the part of the region the map shows
COUNTRIES = {  # NE ADM0_A3 -> Arabic name, in output order
    "SYR": "سوريا",
    "ISR": "إسرائيل",
    "LBN": "لبنان",
    "JOR": "الأردن",
    "PSX": "فلسطين",
}
METRIC_CRS = "EPSG:32637"  # UTM 37N: covers all of Syria with <0.2% scale error
GOVERNORATE_TOLERANCE_M = 100
DASH = "6 4"

# GeoNames' first Arabic alternate name is sometimes another place or a typo: fixes we are
# sure of, and "" where no trustworthy Arabic name is known (mostly Hebrew-named villages).
ARABIC_FIXES = {
    172441: "المزرعة",  # Al Mazra‘ah; GeoNames gives "السجن", a different village
    171998: "ببيلا",  # Babīlā; GeoNames gives "باب بيلا"
    170654: "دمشق",  # Damascus; GeoNames has a stray space
    5174: "عريقة",  # ‘Arīqah; GeoNames gives "تل عمار"
    171126: "بصرى الشام",
    169341: "إزرع",
    169375: "إنخل",
    167167: "مسعدة",
    12795: "الصورة الصغيرة",
    167444: "مجدل شمس",
    443093: "كتسرين",  # Katzrin; "قصرين" is the older Arab village name
    443100: "",  # Mārom Golan: GeoNames' Arabic is a loose transliteration
}
INCIDENT_KEYS = ("date", "end_date", "event_type", "title", "description", "location_name", "sources")
# A Wikipedia point this close to a GeoNames town is the same place, so it is not repeated.
DUPLICATE_DISTANCE_DEG = 0.01

# Illustrative sample of widely reported events. Points sit on a town of the bundled
# gazetteer: ("geonames", geonameid) or ("wikipedia", name in the reference file).
HERMON = ("wikipedia", "Mount Hermon (Jabal al-Sheikh) summit")
QUNEITRA = ("geonames", 173334)
DAMASCUS = ("geonames", 170654)
KISWAH = ("geonames", 173598)
BEIT_JINN = ("wikipedia", "Beit Jinn")
SAMPLE_INCIDENTS = [
    {
        "date": "2024-12-08", "event_type": "incursion", "place": HERMON,
        "location_name": "Mount Hermon (Jabal al-Sheikh), Syrian side",
        "title": "Israeli forces take Syrian positions on Mount Hermon",
        "description": "Israeli officials said troops had entered the buffer zone and taken over positions "
        "on the Syrian side of Mount Hermon abandoned by the Syrian army; Prime Minister Netanyahu "
        "called the deployment temporary.",
        "sources": ["Reuters", "Times of Israel", "Jerusalem Post"],
    },
    {
        "date": "2024-12-08", "event_type": "incursion", "place": QUNEITRA,
        "location_name": "Quneitra",
        "title": "Israeli forces enter the Area of Separation near Quneitra",
        "description": "Israel's military said it had deployed forces into the buffer zone along the 1974 "
        "line; Israeli and Arab media reported troops and tanks in the Quneitra area.",
        "sources": ["Times of Israel", "Reuters"],
    },
    {
        "date": "2024-12-08", "end_date": "2024-12-10", "event_type": "airstrike", "place": DAMASCUS,
        "location_name": "Damascus (Mezzeh military airport and other sites)",
        "title": "Wave of Israeli airstrikes on Syrian military sites",
        "description": "After the fall of the Assad government, Israel struck hundreds of Syrian military "
        "sites, including the Mezzeh military airport and sites around Damascus, according to the "
        "Israeli military and the Syrian Observatory for Human Rights.",
        "sources": ["Reuters", "AP", "Syrian Observatory for Human Rights"],
    },
    {
        "date": "2024-12-17", "event_type": "other", "place": HERMON,
        "location_name": "Mount Hermon (Jabal al-Sheikh) summit",
        "title": "Israeli prime minister visits the Syrian side of Mount Hermon",
        "description": "Benjamin Netanyahu held a security assessment on the summit and said Israeli "
        "forces would stay until another arrangement ensuring Israel's security was found.",
        "sources": ["Reuters", "Times of Israel"],
    },
    {
        "date": "2024-12-19", "end_date": "2025-02-01", "event_type": "outpost",
        "place": ("wikipedia", "Hader (Hadar)"),
        "location_name": "West of Hader, Quneitra governorate",
        "title": "New Israeli military site reported west of Hader",
        "description": "Al Jazeera's Sanad verification unit reported satellite images taken between these "
        "dates showing sites built inside the buffer zone, one of them west of Hader; Haaretz later "
        "published imagery of an outpost near Hader.",
        "sources": ["Al Jazeera", "Haaretz"],
    },
    {
        "date": "2024-12-19", "end_date": "2025-02-01", "event_type": "outpost", "place": QUNEITRA,
        "location_name": "Quneitra",
        "title": "New Israeli military site reported near Quneitra",
        "description": "Satellite images analysed by Al Jazeera's Sanad unit and published by Haaretz showed "
        "a new Israeli military site near Quneitra, inside the buffer zone.",
        "sources": ["Al Jazeera", "Haaretz"],
    },
    {
        "date": "2025-02-25", "event_type": "airstrike", "place": KISWAH,
        "location_name": "Al-Kiswah, Rural Damascus",
        "title": "Israeli airstrikes south of Damascus",
        "description": "Israel's military said it struck command centres and weapons sites in southern "
        "Syria; a Syrian security source and Syria TV said a military site near Kiswah was hit.",
        "sources": ["Reuters", "AFP", "Syrian Observatory for Human Rights"],
    },
    {
        "date": "2025-02-25", "event_type": "airstrike", "place": ("geonames", 169341),
        "location_name": "Izraa, Daraa governorate",
        "title": "Israeli airstrikes reported in Izraa",
        "description": "Anadolu Agency reported Israeli strikes on Izraa in Daraa province on the same "
        "night as the strikes near Kiswah.",
        "sources": ["Anadolu Agency"],
    },
    {
        "date": "2025-03-17", "event_type": "airstrike", "place": ("geonames", 170905),
        "location_name": "Daraa",
        "title": "Israeli airstrikes on the outskirts of Daraa",
        "description": "SANA reported Israeli airstrikes around Daraa city; the Syrian Observatory said a "
        "former army brigade base was hit, and Israel's military said it struck military sites.",
        "sources": ["SANA", "Syrian Observatory for Human Rights", "Reuters"],
    },
    {
        "date": "2025-03-25", "event_type": "clash", "place": ("geonames", 172829),
        "location_name": "Koya (Kuwayya), Yarmouk Basin; shown at Ash Shajarah",
        "title": "Clash and shelling at Koya, western Daraa",
        "description": "Residents and the Daraa governor said Israeli forces trying to enter Koya were "
        "confronted by locals and then shelled the village; Israel's military said its troops fired "
        "back at gunmen. The point is at neighbouring Ash Shajarah, as Koya is not in the bundled gazetteer.",
        "sources": ["AP", "Al Jazeera", "Syrian Observatory for Human Rights", "SANA"],
    },
    {
        "date": "2025-04-02", "end_date": "2025-04-03", "event_type": "incursion",
        "place": ("geonames", 166365),
        "location_name": "Near Nawa, western Daraa",
        "title": "Israeli incursion and strikes near Nawa",
        "description": "The Daraa governorate said Israeli forces advanced into a wooded area near Nawa and "
        "shelled it; Israel's military said troops operating in the Tasil area came under fire and "
        "responded from the ground and the air.",
        "sources": ["Reuters", "DW", "TRT World"],
    },
    {
        "date": "2025-04-30", "event_type": "airstrike", "place": ("geonames", 164994),
        "location_name": "Sahnaya, Rural Damascus",
        "title": "Israeli strike near Sahnaya during clashes near Damascus",
        "description": "Israel said it carried out a warning strike on a group it said was preparing to "
        "attack Druze residents of Sahnaya; a Syrian interior ministry spokesman said he had no "
        "indication of such an attack.",
        "sources": ["Reuters", "AFP", "DW"],
    },
    {
        "date": "2025-05-02", "event_type": "airstrike", "place": DAMASCUS,
        "location_name": "Damascus (near the presidential palace)",
        "title": "Israeli strike near the presidential palace in Damascus",
        "description": "Israel's military said it struck near the presidential palace, and Israeli leaders "
        "called it a message against deploying forces south of Damascus; Syria's presidency condemned "
        "the strike.",
        "sources": ["AP", "Reuters"],
    },
    {
        "date": "2025-06-12", "event_type": "arrest", "place": BEIT_JINN,
        "location_name": "Beit Jinn, Rural Damascus",
        "title": "Overnight raid and detentions in Beit Jinn",
        "description": "Israel's military said troops detained suspected Hamas members in Beit Jinn; "
        "Syria's interior ministry said those detained were civilians.",
        "sources": ["AP", "AFP", "Reuters"],
    },
    {
        "date": "2025-07-14", "end_date": "2025-07-16", "event_type": "airstrike",
        "place": ("geonames", 172408),
        "location_name": "As-Suwayda and its western approaches",
        "title": "Israeli strikes on government forces in the Sweida area",
        "description": "Israel's military said it struck tanks and vehicles of Syrian government forces "
        "heading for and inside Sweida, saying it was acting to protect the Druze; Syrian state media "
        "reported strikes on the city.",
        "sources": ["AFP", "Reuters", "SANA"],
    },
    {
        "date": "2025-07-16", "event_type": "airstrike", "place": DAMASCUS,
        "location_name": "Damascus (military headquarters, Umayyad Square)",
        "title": "Israeli strikes on the military headquarters in Damascus",
        "description": "Israel's military said it struck the entrance of the Syrian military headquarters "
        "complex and a target near the presidential palace, linking the strikes to the fighting in "
        "Sweida.",
        "sources": ["Reuters", "AP", "The National"],
    },
    {
        "date": "2025-08-26", "event_type": "airstrike", "place": KISWAH,
        "location_name": "Near al-Kiswah, Rural Damascus",
        "title": "Drone strikes on Syrian troops near Kiswah",
        "description": "Syrian state media said Israeli drone strikes hit soldiers near Kiswah who had "
        "found surveillance devices; Israel's military did not comment.",
        "sources": ["SANA", "AP", "Al Jazeera"],
    },
    {
        "date": "2025-08-27", "event_type": "raid", "place": KISWAH,
        "location_name": "Former military base near al-Kiswah, Rural Damascus",
        "title": "Heliborne landing at a former military site near Kiswah",
        "description": "SANA and a Syrian military source quoted by Al Jazeera reported further strikes and "
        "a landing by Israeli troops from helicopters at a former military base near Kiswah.",
        "sources": ["SANA", "Al Jazeera", "AFP"],
    },
    {
        "date": "2025-11-28", "event_type": "raid", "place": BEIT_JINN,
        "location_name": "Beit Jinn, Rural Damascus",
        "title": "Raid, clashes and strikes in Beit Jinn",
        "description": "Israel's military said troops entered Beit Jinn to detain suspects it linked to "
        "Jamaa Islamiya, came under fire and called in air support; Syria's foreign ministry "
        "condemned the operation.",
        "sources": ["AP", "AFP", "Reuters", "Al Jazeera"],
    },
]

NE_URL = "https://www.naturalearthdata.com"
NE_LICENCE = "Public domain (Natural Earth)"
DERIVED_SOURCE = (
    "Derived from Natural Earth 1:10m (shared/data/derived_undof_approx): {what}; "
    "copied with 5-decimal coordinates."
)
DERIVED_PRECISION = (
    "about ±1 km (Natural Earth 1:10m); derived for illustration, not an official UN or party map"
)
LAYERS = [  # draw order, bottom to top
    {
        "id": "countries",
        "title": {"en": "Countries", "ar": "الدول"},
        "file": "countries.geojson",
        "geometry_kind": "polygon",
        "group": "context",
        "approximate": False,
        "source": "Natural Earth 1:50m admin-0 countries (v4), Syria, Israel, Lebanon, Jordan and "
        "Palestine clipped to lon 34.0-38.5, lat 31.0-34.8.",
        "source_url": NE_URL,
        "licence": NE_LICENCE,
        "attribution": "Made with Natural Earth",
        "precision": "Natural Earth 1:50m generalisation, borders can be off by a few km; Natural Earth "
        "draws de facto control (its Israel polygon covers the Golan Heights and most of the Area of "
        "Separation), so do not use it to decide which side of the 1974 lines a point is on",
        "shown_by_default": True,
        "style": {"color": "#666666", "weight": 1, "opacity": 0.8, "fillColor": "#f2efe9",
                  "fillOpacity": 0.05},
    },
    {
        "id": "golan_heights",
        "title": {"en": "Golan Heights", "ar": "مرتفعات الجولان"},
        "file": "golan_heights.geojson",
        "geometry_kind": "polygon",
        "group": "context",
        "approximate": False,
        "source": "Natural Earth 1:10m admin-0 disputed areas (v4), feature 'Golan Heights' (B16), "
        "geometry unchanged apart from 5-decimal coordinates.",
        "source_url": NE_URL,
        "licence": NE_LICENCE,
        "attribution": "Made with Natural Earth",
        "precision": "about ±1 km (Natural Earth 1:10m); the western edge follows Natural Earth's "
        "Syrian claim line",
        "shown_by_default": True,
        "style": {"color": "#8c6d31", "weight": 2, "opacity": 0.9, "fillColor": "#c7a76c",
                  "fillOpacity": 0.1},
    },
    {
        "id": "governorates",
        "title": {"en": "Governorates (simplified, approximate)", "ar": "المحافظات (حدود مبسّطة، تقريبي)"},
        "file": "governorates.geojson",
        "geometry_kind": "polygon",
        "group": "admin",
        "approximate": True,
        "source": "UN OCHA COD-AB Syria admin level 1 (UNCS, updated 2016-09-05), 14 governorates, "
        f"shared borders simplified once with a {GOVERNORATE_TOLERANCE_M} m Douglas-Peucker tolerance.",
        "source_url": "https://data.humdata.org/dataset/syrian-arab-republic-administrative-boundaries-populated-places",
        "licence": "CC BY-IGO (UN OCHA / UNCS)",
        "attribution": "Boundaries: UN OCHA / UNCS (CC BY-IGO)",
        "precision": f"borders simplified with a {GOVERNORATE_TOLERANCE_M} m tolerance (UTM 37N), so "
        "positions stay within about 125 m of the source; neighbours still share their borders; as on UN "
        "maps, Quneitra governorate includes the Israeli-occupied Golan",
        "shown_by_default": True,
        "style": {"color": "#7f7f7f", "weight": 1, "opacity": 0.7, "fillColor": "#ffffff",
                  "fillOpacity": 0.0, "dashArray": DASH},
    },
    {
        "id": "areas_of_limitation",
        "title": {"en": "Areas of Limitation (approximate)", "ar": "مناطق التحديد (تقريبي)"},
        "file": "areas_of_limitation.geojson",
        "geometry_kind": "polygon",
        "group": "agreement_1974",
        "approximate": True,
        "source": DERIVED_SOURCE.format(
            what="0-10, 10-20 and 20-25 km distance bands around the Natural Earth 'UNDOF Zone' polygon, "
            "split at the Alpha line"),
        "source_url": NE_URL,
        "licence": "Public domain (derived from Natural Earth)",
        "attribution": "Approximate 1974 zones derived from Natural Earth",
        "precision": "distance bands drawn around the approximate Area of Separation for illustration "
        "(about ±1 km plus the band construction); not the agreed Areas of Limitation",
        "shown_by_default": True,
        "style": {"color": "#9e9ac8", "weight": 1, "opacity": 0.6, "fillColor": "#dadaeb",
                  "fillOpacity": 0.12, "dashArray": DASH},
    },
    {
        "id": "area_of_separation",
        "title": {"en": "Area of Separation (approximate)", "ar": "منطقة الفصل (تقريبي)"},
        "file": "area_of_separation.geojson",
        "geometry_kind": "polygon",
        "group": "agreement_1974",
        "approximate": True,
        "source": DERIVED_SOURCE.format(what="Natural Earth 1:10m disputed area 'UNDOF Zone'"),
        "source_url": NE_URL,
        "licence": "Public domain (derived from Natural Earth)",
        "attribution": "Approximate 1974 zones derived from Natural Earth",
        "precision": DERIVED_PRECISION + "; it wrongly contains Majdal Shams and Hader, and Line A-1 "
        "(Quneitra) is not represented",
        "shown_by_default": True,
        "style": {"color": "#2171b5", "weight": 2, "opacity": 0.9, "fillColor": "#6baed6",
                  "fillOpacity": 0.25, "dashArray": DASH},
    },
    {
        "id": "alpha_line",
        "title": {"en": "Alpha line (approximate)", "ar": "خط ألفا (تقريبي)"},
        "file": "alpha_line.geojson",
        "geometry_kind": "line",
        "group": "agreement_1974",
        "approximate": True,
        "source": DERIVED_SOURCE.format(what="Natural Earth 1:10m boundary line 'Ceasefire Lines 1974'"),
        "source_url": NE_URL,
        "licence": "Public domain (derived from Natural Earth)",
        "attribution": "Approximate 1974 lines derived from Natural Earth",
        "precision": DERIVED_PRECISION,
        "shown_by_default": True,
        "style": {"color": "#d7301f", "weight": 3, "opacity": 0.9, "fillColor": "#d7301f",
                  "fillOpacity": 0.0, "dashArray": DASH},
    },
    {
        "id": "bravo_line",
        "title": {"en": "Bravo line (approximate)", "ar": "خط برافو (تقريبي)"},
        "file": "bravo_line.geojson",
        "geometry_kind": "line",
        "group": "agreement_1974",
        "approximate": True,
        "source": DERIVED_SOURCE.format(what="Natural Earth 1:10m boundary line 'UNDOF' (overlay limit)"),
        "source_url": NE_URL,
        "licence": "Public domain (derived from Natural Earth)",
        "attribution": "Approximate 1974 lines derived from Natural Earth",
        "precision": DERIVED_PRECISION,
        "shown_by_default": True,
        "style": {"color": "#1a9850", "weight": 3, "opacity": 0.9, "fillColor": "#1a9850",
                  "fillOpacity": 0.0, "dashArray": DASH},
    },
    {
        "id": "towns",
        "title": {"en": "Towns and reference points", "ar": "البلدات ونقاط مرجعية"},
        "file": "towns.geojson",
        "geometry_kind": "point",
        "group": "towns",
        "approximate": False,
        "source": "GeoNames cities500 places inside Syria as mapped by UN OCHA / UNCS (so including the "
        "Golan), plus Wikipedia infobox points for Hader, Beit Jinn and the Mount Hermon summit.",
        "source_url": "https://www.geonames.org",
        "licence": "CC BY 4.0 (GeoNames); Wikipedia coordinates are factual data",
        "attribution": "Towns: GeoNames (CC BY 4.0), Wikipedia contributors",
        "precision": "one point per place as given by GeoNames or Wikipedia (the town centre, "
        "usually within a few hundred metres); Arabic names checked by hand and left blank where unsure",
        "shown_by_default": True,
        "style": {"color": "#333333", "weight": 1, "opacity": 0.9, "fillColor": "#ffffff",
                  "fillOpacity": 0.9},
    },
]


def read_collection(path: Path) -> list[dict]:
    """Return the features of a GeoJSON file."""
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def rounded(coords):
    """Round nested coordinate tuples to DIGITS decimals, as lists."""
    if isinstance(coords[0], (int, float)):
        return [round(c, DIGITS) for c in coords]
    return [rounded(c) for c in coords]


def geometry_json(geom) -> dict:
    """Return a 2-D GeoJSON geometry with rounded coordinates."""
    plain = mapping(shapely.force_2d(geom))
    return {"type": plain["type"], "coordinates": rounded(plain["coordinates"])}


def gridded(geom):
    """Snap a geometry to the output grid, keeping it valid."""
    snapped = shapely.set_precision(geom, GRID)
    return snapped if snapped.is_valid else shapely.make_valid(snapped)


def feature(properties: dict, geom, feature_id: str | None = None) -> dict:
    """Return a GeoJSON Feature; the id comes first when there is one."""
    head = {"type": "Feature", "id": feature_id} if feature_id else {"type": "Feature"}
    return {**head, "properties": properties, "geometry": geometry_json(geom)}


def collection(features: list[dict], **members) -> dict:
    """Return a FeatureCollection with optional foreign members (name, description)."""
    return {"type": "FeatureCollection", **members, "features": features}


def write_json(path: Path, data: dict) -> None:
    """Write compact UTF-8 JSON with a trailing newline."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")


def build_countries(source: Path) -> list[dict]:
    """Clip the NE 50m countries around the Golan to the Levant box."""
    frame = box(*LEVANT_BOX)
    by_code = {f["properties"]["ADM0_A3"]: f for f in
               read_collection(source / "naturalearth" / "ne_50m_admin_0_countries_levant.geojson")}
    features = []
    for code, name_ar in COUNTRIES.items():
        props = by_code[code]["properties"]
        clipped = gridded(shape(by_code[code]["geometry"]).intersection(frame))
        if not clipped.is_empty:
            features.append(feature({"name": props["NAME"], "name_ar": name_ar, "iso_a3": props["ISO_A3"]},
                                    clipped))
    return features


def disputed_area(source: Path, name: str):
    """Return a NE 10m disputed-area feature by its NAME."""
    path = source / "naturalearth" / "ne_10m_admin_0_disputed_areas_levant.geojson"
    return next(f for f in read_collection(path) if f["properties"]["NAME"] == name)


def build_golan(source: Path) -> list[dict]:
    """Return the NE 10m Golan Heights polygon with NE's own description."""
    golan = disputed_area(source, "Golan Heights")
    note = f"Natural Earth description: {golan['properties']['NOTE_BRK']}."
    props = {"name": "Golan Heights", "name_ar": "مرتفعات الجولان", "note": note}
    return [feature(props, gridded(shape(golan["geometry"])))]


def simplify_coverage(geoms: list, tolerance: float) -> list:
    """Simplify polygons that share borders so that neighbours stay gap-free and overlap-free.

    Each shared border is simplified once (Douglas-Peucker keeps the end points where three
    governorates meet), snapped to the output grid and the faces are rebuilt; each face goes
    back to the input polygon it overlaps most.
    """
    edges = shapely.line_merge(shapely.union_all([g.boundary for g in geoms]))
    simple = gpd.GeoSeries([edges], crs=METRIC_CRS).simplify(tolerance, preserve_topology=True)
    lonlat_edges = shapely.set_precision(simple.to_crs("EPSG:4326").iloc[0], GRID)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(lonlat_edges)))
    originals = gpd.GeoSeries(geoms, crs=METRIC_CRS).to_crs("EPSG:4326").tolist()
    owned = [[] for _ in geoms]
    for face in faces:
        overlaps = [face.intersection(g).area for g in originals]
        if max(overlaps) > 0:
            owned[overlaps.index(max(overlaps))].append(face)
    return [gridded(shapely.union_all(parts)) for parts in owned]


def build_governorates(source: Path) -> list[dict]:
    """Return the 14 OCHA governorates with Arabic names and P-codes, borders simplified."""
    frame = gpd.read_file(source / "ocha_cod_ab_syr" / "syr_admin1.shp").sort_values("PCODE")
    geoms = simplify_coverage(frame.to_crs(METRIC_CRS).geometry.tolist(), GOVERNORATE_TOLERANCE_M)
    return [
        feature({"name": row.NAME_EN, "name_ar": row.NAME_AR, "pcode": row.PCODE}, geom)
        for row, geom in zip(frame.itertuples(), geoms, strict=True)
    ]


def aol_name_ar(side: str, from_km: int, to_km: int) -> str:
    """Return the Arabic name of an Area of Limitation band."""
    side_ar = {"alpha": "جانب ألفا (الخاضع لإسرائيل)", "bravo": "جانب برافو (السوري)"}[side]
    return f"منطقة التحديد، {side_ar}، {from_km}-{to_km} كم - تقريبي"


def build_agreement_layers(source: Path) -> dict[str, list[dict]]:
    """Split the derived 1974 lines and zones into one feature list per layer id."""
    path = source / "derived_undof_approx" / "undof_1974_lines_and_zones_approx.geojson"
    layers = {"alpha_line": [], "bravo_line": [], "area_of_separation": [], "areas_of_limitation": []}
    for item in read_collection(path):
        props = item["properties"]
        geom = gridded(shape(item["geometry"]))
        if props["role"].startswith("aol_"):
            band = {
                "name": props["name"],
                "name_ar": aol_name_ar(props["side"], props["from_km"], props["to_km"]),
                "band": f"{props['from_km']}-{props['to_km']} km",
                "side": props["side"],
                "approximate": True,
                "note": props["note"],
            }
            layers["areas_of_limitation"].append((props["side"], props["from_km"], feature(band, geom)))
        else:
            kept = {k: props[k] for k in ("name", "name_ar")} | {"approximate": True, "note": props["note"]}
            layers[props["role"]].append(feature(kept, geom))
    bands = sorted(layers["areas_of_limitation"], key=lambda t: t[:2])
    layers["areas_of_limitation"] = [band for *_, band in bands]
    return layers


def syria_outline(source: Path):
    """Return the union of the unsimplified OCHA governorates: Syria as UN maps draw it."""
    return shapely.union_all(gpd.read_file(source / "ocha_cod_ab_syr" / "syr_admin1.shp").geometry.tolist())


def geonames_towns(source: Path) -> list[tuple[str, dict, object]]:
    """Return (sort key, properties, point) for the GeoNames places of Syria, the Golan included."""
    # GeoNames codes some Golan villages IL and others SY, so places are picked by area, not code.
    # The Natural Earth Golan polygon would add Israeli villages west of the Golan (Dan, Ein Gev)
    # and miss Majdal Shams; the UN-mapped Syrian outline has neither problem.
    syria = syria_outline(source)
    towns = []
    for item in read_collection(source / GEONAMES_FILE):
        props, point = item["properties"], shape(item["geometry"])
        if not syria.contains(point):
            continue
        geonameid = int(props["geonameid"])
        population = int(props["population"]) or None
        town = {
            "name": props["name"],
            "name_ar": ARABIC_FIXES.get(geonameid, props["name_ar_first"]),
            "source": "GeoNames",
            "population": population,
            "geonameid": geonameid,
        }
        towns.append((props["asciiname"].strip("`'").casefold(), town, point))
    return towns


def wikipedia_points(source: Path, near) -> list[tuple[str, dict, object]]:
    """Return (sort key, properties, point) for Wikipedia reference points not already in GeoNames."""
    points = []
    for item in read_collection(source / WIKIPEDIA_FILE):
        props, point = item["properties"], shape(item["geometry"])
        if any(point.distance(other) < DUPLICATE_DISTANCE_DEG for other in near):
            continue
        town = {"name": props["name"], "name_ar": props["name_ar"], "source": "Wikipedia",
                "population": None, "geonameid": None}
        points.append((props["name"].casefold(), town, point))
    return points


def build_towns(source: Path) -> list[dict]:
    """Return the gazetteer of towns: GeoNames places of Syria and the Golan plus Wikipedia points."""
    towns = geonames_towns(source)
    towns += wikipedia_points(source, [point for *_, point in towns])
    towns.sort(key=lambda t: (t[1]["source"], t[0]))
    return [feature(props, point) for _, props, point in towns]


def town_key(town: dict) -> tuple:
    """Return ("geonames", id) or ("wikipedia", name), the key incidents use to name their town."""
    props = town["properties"]
    return ("geonames", props["geonameid"]) if props["geonameid"] else ("wikipedia", props["name"])


def build_sample_incidents(towns: list[dict]) -> dict:
    """Return the illustrative sample incidents, each placed on a town of the bundled gazetteer."""
    points = {town_key(town): shape(town["geometry"]) for town in towns}
    features = []
    for number, incident in enumerate(SAMPLE_INCIDENTS, start=1):
        props = {k: incident[k] for k in INCIDENT_KEYS if k in incident}
        props |= {"precision": "town", "verification": "unverified", "illustrative": True}
        features.append(feature(props, points[incident["place"]], f"sample-{number:03d}"))
    return collection(
        features,
        name="Illustrative sample incidents",
        description="An illustrative sample of widely reported events since 8 December 2024, placed at "
        "town level on GeoNames/Wikipedia town coordinates. Unverified and incomplete: this is not a "
        "dataset. Sources are the outlets that reported each event; claims are theirs.",
    )


def build(source: Path, out: Path) -> list[Path]:
    """Write every output file into `out` and return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    features = {
        "countries": build_countries(source),
        "golan_heights": build_golan(source),
        "governorates": build_governorates(source),
        **build_agreement_layers(source),
        "towns": build_towns(source),
    }
    written = []
    for layer in LAYERS:
        path = out / layer["file"]
        write_json(path, collection(features[layer["id"]], name=layer["id"]))
        written.append(path)
    written.append(out / "sample_incidents.geojson")
    write_json(written[-1], build_sample_incidents(features["towns"]))
    written.append(out / "layers.json")
    write_json(written[-1], {"generated_by": "scripts/build_geodata.py", "layers": LAYERS})
    return written


def main() -> None:
    """Parse the command line and build the layers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="shared/data folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args()
    if not args.source.is_dir():
        parser.error(f"source folder {args.source} does not exist")
    for path in build(args.source, args.out):
        print(f"{path.stat().st_size:>9,} B  {path}")


if __name__ == "__main__":
    main()
