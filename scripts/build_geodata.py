#!/usr/bin/env python3
"""Build the bundled reference layers in geodata/ from the openly licensed files in shared/data.

usage: build_geodata.py [--source DIR] [--out DIR] [--lines {osm,naturalearth}]

Writes layers.json, one GeoJSON file per reference layer, line_uncertainty.geojson,
sample_incidents.geojson and gazetteer.json (the places search knows, see gazetteer.py).
The 1974 lines and zones come from OpenStreetMap by default; with --lines naturalearth
they come from the Natural Earth derivation instead, as before.
The output is byte-for-byte deterministic, so tests can rebuild it and compare with the
committed copy. geodata/PROVENANCE.md is written by hand and explains every file.
"""
import argparse
import gzip
import json
import math
import statistics
from pathlib import Path
from xml.etree import ElementTree

import geopandas as gpd
import shapely
from gazetteer import GAZETTEER_FILE, build_gazetteer
from shapely.geometry import LineString, Polygon, box, mapping, shape

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO.parent / "shared" / "data"
DEFAULT_OUT = REPO / "geodata"

GEONAMES_FILE = Path("geonames_cities500", "geonames_cities500_golan_southsyria.geojson")
WIKIPEDIA_FILE = Path("wikipedia_reference_points", "wikipedia_reference_points.geojson")
OSM_AOS_FILE = Path("osm_undof", "184888.osm.xml.gz")
OSM_GOLAN_FILE = Path("osm_undof", "16119376.osm.xml.gz")
NE_AGREEMENT_FILE = Path("derived_undof_approx", "undof_1974_lines_and_zones_approx.geojson")
UNCERTAINTY_FILE = "line_uncertainty.geojson"
# Azimuthal equidistant centred on the Area of Separation: within 60 km of the centre every
# distance is true to better than 0.01%, so buffers and gaps between lines come out in metres.
LOCAL_CRS = "+proj=aeqd +lat_0=33.1 +lon_0=35.85 +datum=WGS84 +units=m +no_defs"
BANDS_KM = ((0, 10), (10, 20), (20, 25))  # Areas of Limitation, from the AoS outward
SAMPLE_SPACING_M = 1000  # how often the two sources' lines are compared
OUTSIDE_COUNTRIES = ("LBN", "JOR")  # Areas of Limitation stop at these borders
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

# GeoNames' first Arabic alternate name is sometimes another place or a typo: fixes we are sure
# of. Israeli localities without an Arabic name in GeoNames get the name Arabic sources on the Golan
# use for them, each source named below and in geodata/PROVENANCE.md.
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
    443093: "كتسرين",  # Katzrin, as jawlan.org and golan-marsad.org write it; "قصرين" is the older Arab village
    443100: "ماروم غولان",  # Mārom Golan; GeoNames' "ماروم ها جولان" keeps the Hebrew article
    443092: "حاد نيس",  # Had Nes, as the book "المستوطنات الصهيونية في الجولان العربية" writes it (ektab.com)
    443090: "خسفين",  # Haspin: Arabic Wikipedia's article "خسفين" (GeoNames 443090), after the Syrian village
    443088: "نوف",  # Nov, as the Israeli army's Arabic spokesman's glossary writes it (avichayadraee.com)
    443091: "رمات مغشيميم",  # Ramat Magshimim: jawlan.org, "مستوطنة رمات مغشيميم" (2014)
    443084: "راموت",  # Ramot: Arabic transliteration of the Hebrew name (no Arabic source found)
    173334: "القنيطرة (أطلال)",
}
# One English spelling per place in every layer and in the interface; GeoNames' own name and other
# common spellings stay searchable as `aliases`.
TOWN_NAMES = {
    172408: ("As-Suwayda", ["As Suwayda", "As-Sweida", "Sweida", "Suwayda"]),
    170905: ("Daraa", ["Dar'a", "Deraa"]),
    173334: ("Quneitra (ruins)", ["Quneitra", "Old Quneitra", "Kuneitra"]),
}
GOVERNORATE_NAMES = {  # OCHA NAME_EN -> the spelling used everywhere else
    "As-Sweida": "As-Suwayda",
    "Dar'a": "Daraa",
}
# Old Quneitra has lain in ruins since 1974; GeoNames' population (36,143) is the governorate's or
# the new town's, never the ruins'.
TOWN_NOTES = {
    173334: "Old Quneitra: destroyed in 1974 and largely abandoned, inside the Area of Separation. The "
    "governorate's seat is Madinat al-Baath (New Quneitra).",
}
NO_POPULATION = {173334}
# Places missing from GeoNames cities500 and the shared Wikipedia points, each with the
# coordinates of the article named in PROVENANCE.md. Kudna (كودنا) is not here: no source
# with coordinates for it was found.
EXTRA_TOWNS = [
    {"name": "Madinat al-Baath (New Quneitra)", "name_ar": "مدينة البعث", "source": "Wikipedia",
     "lon": 35.87, "lat": 33.17, "aliases": ["New Quneitra", "Baath City", "Madinat al-Ba'ath"],
     "note": "Seat of Quneitra governorate since 1986. Wikipedia gives its position to 0.01° (about 1 km)."},
    {"name": "Jubata al-Khashab", "name_ar": "جباتا الخشب", "source": "Marefa",
     "lon": 35.83167, "lat": 33.22556, "aliases": ["Jubbata al-Khashab", "Jubata"], "note": ""},
]
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
        "location_name": "Quneitra area; shown at Quneitra (ruins)",
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
        "location_name": "Near Quneitra (ruins)",
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
        "title": "Israeli strikes on government forces in the As-Suwayda area",
        "description": "Israel's military said it struck tanks and vehicles of Syrian government forces "
        "heading for and inside As-Suwayda, saying it was acting to protect the Druze; Syrian state media "
        "reported strikes on the city.",
        "sources": ["AFP", "Reuters", "SANA"],
    },
    {
        "date": "2025-07-16", "event_type": "airstrike", "place": DAMASCUS,
        "location_name": "Damascus (military headquarters, Umayyad Square)",
        "title": "Israeli strikes on the military headquarters in Damascus",
        "description": "Israel's military said it struck the entrance of the Syrian military headquarters "
        "complex and a target near the presidential palace, linking the strikes to the fighting in "
        "As-Suwayda.",
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
NE_TERMS_URL = "https://www.naturalearthdata.com/about/terms-of-use/"
ODBL_URL = "https://opendatacommons.org/licenses/odbl/1-0/"
OSM_ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"
OSM_OFFERED = "This derived database is offered under ODbL 1.0."
# Where the 1974 lines and zones come from: `lines` in build() picks one; the other source is the
# yardstick for the lines' uncertainty.
AGREEMENT_SOURCES = {
    "osm": {
        "label": "OpenStreetMap",
        "label_ar": "أوبن ستريت ماب",
        "source_url": "https://www.openstreetmap.org/relation/184888",
        "licence": "ODbL 1.0",
        "licence_url": ODBL_URL,
        "attribution": OSM_ATTRIBUTION,
        "source": {
            "area_of_separation": "OpenStreetMap relation 184888 'UNDOF' (version 37, 2025-09-19): its 13 outer "
            f"ways merged and polygonised. {OSM_OFFERED}",
            "alpha_line": "Western edge of OpenStreetMap relation 184888: the ways tagged A-Line, shared with "
            f"relation 16119376 (Golan Heights), from the Lebanese to the Jordanian border. {OSM_OFFERED}",
            "bravo_line": "Eastern edge of OpenStreetMap relation 184888: its ways that are neither the A-Line "
            f"nor a national border, from the Lebanese to the Jordanian border. {OSM_OFFERED}",
            "areas_of_limitation": "0-10, 10-20 and 20-25 km distance bands around the OpenStreetMap Area of "
            "Separation (relation 184888), split at the Alpha line extended due north and south, without the "
            f"parts in Lebanon and Jordan (Natural Earth 1:50m). {OSM_OFFERED}",
        },
        "precision": "crowd-mapped in OpenStreetMap, not the map annexed to the 1974 agreement",
        "aos_errors": "",
        "note": "DERIVED APPROXIMATION - not an official UN/party map. Geometry from OpenStreetMap relation "
        "184888 (© OpenStreetMap contributors, ODbL 1.0); bands are simple distance buffers drawn for "
        "illustration.",
    },
    "naturalearth": {
        "label": "Natural Earth 1:10m",
        "label_ar": "ناتشورال إيرث 1:10م",
        "source_url": NE_URL,
        "licence": "Public domain (derived from Natural Earth)",
        "licence_url": NE_TERMS_URL,
        "attribution": "Approximate 1974 lines and zones derived from Natural Earth",
        "source": {
            "area_of_separation": "Derived from Natural Earth 1:10m (shared/data/derived_undof_approx): disputed "
            "area 'UNDOF Zone'.",
            "alpha_line": "Derived from Natural Earth 1:10m (shared/data/derived_undof_approx): boundary line "
            "'Ceasefire Lines 1974'.",
            "bravo_line": "Derived from Natural Earth 1:10m (shared/data/derived_undof_approx): boundary line "
            "'UNDOF' (overlay limit).",
            "areas_of_limitation": "0-10, 10-20 and 20-25 km distance bands around the Natural Earth 'UNDOF "
            "Zone' polygon, split at the Alpha line extended due north and south, without the parts in "
            "Lebanon and Jordan (Natural Earth 1:50m).",
        },
        "precision": "about ±1 km (Natural Earth 1:10m); derived for illustration, not an official UN or "
        "party map",
        "aos_errors": "; it wrongly contains Majdal Shams and Hader",
        "note": "DERIVED APPROXIMATION - not an official UN/party map. Lines from Natural Earth 1:10m (public "
        "domain); bands are simple distance buffers drawn for illustration.",
    },
}
AGREEMENT_NAMES = {
    "alpha_line": ("Alpha line (Line A) - approximate", "خط ألفا (الخط أ)، تقريبي"),
    "bravo_line": ("Bravo line (Line B) - approximate", "خط برافو (الخط ب)، تقريبي"),
    "area_of_separation": ("UNDOF Area of Separation - approximate", "منطقة الفصل (أندوف)، تقريبية"),
}
LINE_NAMES = {"alpha_line": ("Alpha line", "خط ألفا"), "bravo_line": ("Bravo line", "خط برافو")}
SIDE_NAMES = {"alpha": "Alpha (Israeli-held)", "bravo": "Bravo (Syrian)"}
LAYER_KEY_ORDER = ("id", "title", "file", "geometry_kind", "group", "approximate", "source", "source_url",
                   "licence", "licence_url", "attribution", "precision", "uncertainty", "shown_by_default",
                   "style")
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
        "licence_url": NE_TERMS_URL,
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
        "licence_url": NE_TERMS_URL,
        "attribution": "Made with Natural Earth",
        "precision": "about ±1 km (Natural Earth 1:10m); the western edge follows Natural Earth's "
        "Syrian claim line",
        "shown_by_default": True,
        "style": {"color": "#8c6d31", "weight": 2, "opacity": 0.9, "fillColor": "#c7a76c",
                  "fillOpacity": 0.1},
    },
    {
        "id": "governorates",
        "title": {"en": "Governorates (simplified, approximate)", "ar": "المحافظات (حدود مبسّطة وتقريبية)"},
        "file": "governorates.geojson",
        "geometry_kind": "polygon",
        "group": "admin",
        "approximate": True,
        "source": "UN OCHA COD-AB Syria admin level 1 (UNCS, updated 2016-09-05), 14 governorates, "
        f"shared borders simplified once with a {GOVERNORATE_TOLERANCE_M} m Douglas-Peucker tolerance.",
        "source_url": "https://data.humdata.org/dataset/syrian-arab-republic-administrative-boundaries-populated-places",
        "licence": "CC BY-IGO (UN OCHA / UNCS)",
        "licence_url": "https://creativecommons.org/licenses/by/3.0/igo/",
        "attribution": "Boundaries: UN OCHA / UNCS (CC BY-IGO)",
        "precision": f"borders simplified with a {GOVERNORATE_TOLERANCE_M} m tolerance (UTM 37N), so "
        "positions stay within about 125 m of the source; neighbours still share their borders; as on UN "
        "maps, Quneitra governorate includes the Israeli-occupied Golan",
        "shown_by_default": True,
        "style": {"color": "#636363", "weight": 1.5, "opacity": 1.0, "fillColor": "#ffffff",
                  "fillOpacity": 0.0, "dashArray": DASH},
    },
    {
        "id": "areas_of_limitation",
        "title": {"en": "Areas of Limitation (approximate)", "ar": "مناطق الحد من القوات والأسلحة (تقريبية)"},
        "file": "areas_of_limitation.geojson",
        "geometry_kind": "polygon",
        "group": "agreement_1974",
        "approximate": True,
        "shown_by_default": True,
        # A strong purple edge at 10, 20 and 25 km: a faint one vanished against any basemap.
        "style": {"color": "#6a51a3", "weight": 2, "opacity": 0.9, "fillColor": "#9e9ac8",
                  "fillOpacity": 0.1, "dashArray": DASH},
    },
    {
        "id": "area_of_separation",
        "title": {"en": "Area of Separation (approximate)", "ar": "منطقة الفصل (تقريبية)"},
        "file": "area_of_separation.geojson",
        "geometry_kind": "polygon",
        "group": "agreement_1974",
        "approximate": True,
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
        "shown_by_default": True,
        "style": {"color": "#13763e", "weight": 3, "opacity": 1.0, "fillColor": "#13763e",
                  "fillOpacity": 0.0, "dashArray": DASH},
    },
    {
        "id": "towns",
        "title": {"en": "Towns and reference points", "ar": "البلدات والنقاط المرجعية"},
        "file": "towns.geojson",
        "geometry_kind": "point",
        "group": "towns",
        "approximate": False,
        "source": "GeoNames cities500 places inside Syria as mapped by UN OCHA / UNCS (so including the "
        "Golan), plus infobox points for Hader, Beit Jinn, the Mount Hermon summit and Madinat al-Baath (New "
        "Quneitra) from Wikipedia and for Jubata al-Khashab from Marefa.",
        "source_url": "https://www.geonames.org",
        "licence": "CC BY 4.0 (GeoNames); Wikipedia coordinates are factual data",
        "licence_url": "https://creativecommons.org/licenses/by/4.0/",
        "attribution": "Towns: GeoNames (CC BY 4.0), Wikipedia contributors",
        "precision": "one point per place as given by GeoNames or Wikipedia (the town centre, "
        "usually within a few hundred metres; Madinat al-Baath to about 1 km); Arabic names checked by hand",
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
        feature({"name": GOVERNORATE_NAMES.get(row.NAME_EN, row.NAME_EN), "name_ar": row.NAME_AR,
                 "aliases": [row.NAME_EN] if row.NAME_EN in GOVERNORATE_NAMES else [], "pcode": row.PCODE}, geom)
        for row, geom in zip(frame.itertuples(), geoms, strict=True)
    ]


def aol_name_ar(side: str, from_km: int, to_km: int) -> str:
    """Return the Arabic name of an Area of Limitation band."""
    side_ar = {"alpha": "جانب ألفا (الخاضع لإسرائيل)", "bravo": "جانب برافو (السوري)"}[side]
    return f"منطقة الحد من القوات والأسلحة، {side_ar}، {from_km}-{to_km} كم، تقريبية"


def osm_outer_ways(path: Path) -> dict[str, tuple[dict, LineString]]:
    """Return {way id: (tags, line)} for the outer ways of the relation in an OSM XML export."""
    with gzip.open(path) as stream:
        root = ElementTree.parse(stream).getroot()
    nodes = {node.get("id"): (float(node.get("lon")), float(node.get("lat"))) for node in root.iter("node")}
    outer = {member.get("ref") for member in root.find("relation").iter("member")
             if member.get("type") == "way" and member.get("role") == "outer"}
    return {
        way.get("id"): ({tag.get("k"): tag.get("v") for tag in way.iter("tag")},
                        LineString([nodes[nd.get("ref")] for nd in way.iter("nd")]))
        for way in root.iter("way") if way.get("id") in outer
    }


def north_to_south(line: LineString) -> LineString:
    """Return the line running from its northern end to its southern end."""
    return shapely.reverse(line) if line.coords[0][1] < line.coords[-1][1] else line


def merged_line(lines: list[LineString]) -> LineString:
    """Merge ways that meet end to end into one LineString running north to south."""
    merged = shapely.line_merge(shapely.multilinestrings(lines))
    if merged.geom_type != "LineString":
        raise ValueError(f"the ways do not form one line ({len(shapely.get_parts(merged))} pieces)")
    return north_to_south(merged)


def osm_agreement(source: Path) -> dict:
    """Return the Area of Separation and the Alpha and Bravo lines from OpenStreetMap relation 184888."""
    ways = osm_outer_ways(source / OSM_AOS_FILE)
    golan = osm_outer_ways(source / OSM_GOLAN_FILE)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(
        shapely.line_merge(shapely.union_all([line for _, line in ways.values()])))))
    if len(faces) != 1:
        raise ValueError(f"relation 184888 gives {len(faces)} polygons, expected one")
    # The ring is four runs: the Alpha line (west), the Syria-Jordan border along the Yarmouk (the
    # southern end, 0.8 km), the Bravo line (east) and the Syria-Lebanon border on Mount Hermon (the
    # northern end). Each way belongs to one run: Alpha ways carry alt_name=A-Line and are also the
    # Golan Heights relation's eastern edge, border ways carry border_type=nation, the rest is Bravo.
    # So the ring is split at the four points where a border way meets a line way.
    alpha = {way_id for way_id, (tags, _) in ways.items() if tags.get("alt_name") == "A-Line"}
    if alpha != ways.keys() & golan.keys():
        raise ValueError("the A-Line ways are not the ways shared with the Golan Heights relation")
    border = {way_id for way_id, (tags, _) in ways.items() if tags.get("border_type") == "nation"}
    return {
        "area_of_separation": faces[0],
        "alpha_line": merged_line([line for way_id, (_, line) in ways.items() if way_id in alpha]),
        "bravo_line": merged_line([line for way_id, (_, line) in ways.items()
                                   if way_id not in alpha | border]),
    }


def naturalearth_agreement(source: Path) -> dict:
    """Return the Area of Separation and the Alpha and Bravo lines derived from Natural Earth 1:10m."""
    by_role = {item["properties"]["role"]: shape(item["geometry"])
               for item in read_collection(source / NE_AGREEMENT_FILE)}
    return {
        "area_of_separation": by_role["area_of_separation"],
        "alpha_line": north_to_south(by_role["alpha_line"]),
        "bravo_line": north_to_south(by_role["bravo_line"]),
    }


def to_local(geoms: list) -> list:
    """Project lon/lat geometries to LOCAL_CRS (metres)."""
    return gpd.GeoSeries(geoms, crs="EPSG:4326").to_crs(LOCAL_CRS).tolist()


def to_lonlat(geoms: list) -> list:
    """Project LOCAL_CRS geometries back to lon/lat."""
    return gpd.GeoSeries(geoms, crs=LOCAL_CRS).to_crs("EPSG:4326").tolist()


def west_of(line: LineString, reach: float = 100_000) -> Polygon:
    """Return the area west of a north-to-south line extended due north and south from its ends."""
    (north_x, north_y), (south_x, south_y) = line.coords[0], line.coords[-1]
    far_west = min(x for x, _ in line.coords) - reach
    return Polygon([(north_x, north_y + reach), *line.coords, (south_x, south_y - reach),
                    (far_west, south_y - reach), (far_west, north_y + reach)])


def limitation_bands(aos, alpha_line, outside) -> list[tuple[str, int, int, object]]:
    """Return (side, from km, to km, polygon) for the six Areas of Limitation, alpha side first."""
    aos_m, alpha_m = to_local([aos, alpha_line])
    west = west_of(alpha_m)
    rings = [(low, high, aos_m.buffer(high * 1000).difference(aos_m.buffer(low * 1000)))
             for low, high in BANDS_KM]
    parts = [("alpha", low, high, ring.intersection(west)) for low, high, ring in rings]
    parts += [("bravo", low, high, ring.difference(west)) for low, high, ring in rings]
    lonlat = to_lonlat([geom for *_, geom in parts])
    return [(side, low, high, gridded(geom.difference(outside)))
            for (side, low, high, _), geom in zip(parts, lonlat, strict=True)]


def outside_countries(source: Path):
    """Return Natural Earth's Lebanon and Jordan, where no Area of Limitation is drawn."""
    path = source / "naturalearth" / "ne_50m_admin_0_countries_levant.geojson"
    return shapely.union_all([shape(item["geometry"]) for item in read_collection(path)
                              if item["properties"]["ADM0_A3"] in OUTSIDE_COUNTRIES])


def disagreement(line_m: LineString, other_m) -> list[tuple[float, object, float]]:
    """Sample a projected line about every kilometre: (km from its north end, point, km to `other_m`)."""
    count = max(1, math.ceil(line_m.length / SAMPLE_SPACING_M))
    samples = []
    for step in range(count + 1):
        point = line_m.interpolate(line_m.length * step / count)
        samples.append((line_m.length * step / count / 1000, point, point.distance(other_m) / 1000))
    return samples


def nearest_town(point_m, towns: list[dict]) -> tuple[dict, float]:
    """Return the properties of the town nearest a projected point and its distance in km."""
    points = to_local([shape(town["geometry"]) for town in towns])
    distances = [point_m.distance(town_point) for town_point in points]
    best = distances.index(min(distances))
    return towns[best]["properties"], distances[best] / 1000


def line_uncertainty(chosen: dict, other: dict, towns: list[dict]) -> tuple[list[dict], dict]:
    """Return the uncertainty sample features and a summary per line: how far the two sources disagree."""
    features, summaries = [], {}
    for line_id in LINE_NAMES:
        line_m, other_m = to_local([chosen[line_id], other[line_id]])
        samples = disagreement(line_m, other_m)
        points = to_lonlat([point for _, point, _ in samples])
        for (along_km, _, gap_km), point in zip(samples, points, strict=True):
            props = {"line": line_id, "km": round(along_km, 3), "uncertainty_km": round(gap_km, 2)}
            features.append(feature(props, gridded(point)))
        gaps = [gap for *_, gap in samples]
        worst_km, worst_point, worst = max(samples, key=lambda sample: sample[2])
        town, town_km = nearest_town(worst_point, towns)
        summaries[line_id] = {"min": min(gaps), "median": statistics.median(gaps), "max": worst,
                              "at_km": worst_km, "town": town, "town_km": town_km}
    return features, summaries


def km(value: float) -> str:
    """Format kilometres with two decimals."""
    return f"{value:.2f}"


def uncertainty_sentences(line_id: str, summary: dict, lines: str) -> dict:
    """Return the English and Arabic sentence that says how uncertain a line is and where most."""
    chosen, other = (AGREEMENT_SOURCES[key] for key in (lines, other_lines(lines)))
    name, name_ar = LINE_NAMES[line_id]
    town = summary["town"]
    return {
        "en": f"{name}: sampled every kilometre, the {chosen['label']} line drawn here lies a median "
        f"{km(summary['median'])} km (at most {km(summary['max'])} km) from the {other['label']} line; the gap "
        f"is largest about {summary['at_km']:.0f} km from the line's northern end, {summary['town_km']:.1f} km "
        f"from {town['name']}.",
        "ar": f"{name_ar}: عند قياسه كل كيلومتر، يبعد خط {chosen['label_ar']} المرسوم هنا عن خط "
        f"{other['label_ar']} بوسيط {km(summary['median'])} كم (وبحد أقصى {km(summary['max'])} كم)؛ وأكبر فرق "
        f"على بعد نحو {summary['at_km']:.0f} كم من الطرف الشمالي للخط، وعلى بعد {summary['town_km']:.1f} كم "
        f"من {town['name_ar']}.",
    }


def other_lines(lines: str) -> str:
    """Return the other source of the 1974 lines, the one the chosen lines are measured against."""
    return next(key for key in AGREEMENT_SOURCES if key != lines)


def agreement_descriptors(lines: str, summaries: dict, aos_km2: float) -> dict[str, dict]:
    """Return the source, licence, attribution and precision of each 1974 layer for the chosen lines."""
    meta = AGREEMENT_SOURCES[lines]
    other = AGREEMENT_SOURCES[other_lines(lines)]["label"]
    common = {key: meta[key] for key in ("source_url", "licence", "licence_url", "attribution")}
    largest = max(summary["max"] for summary in summaries.values())
    described = {
        "area_of_separation": {
            "precision": f"{meta['precision']}; {aos_km2:.0f} km²; its edges are the Alpha and Bravo lines, up "
            f"to {km(largest)} km from the {other} lines{meta['aos_errors']}; Line A-1 (Quneitra) is not "
            "represented",
        },
        "areas_of_limitation": {
            "precision": "distance bands drawn around the approximate Area of Separation for illustration "
            f"({meta['precision']}, plus the band construction); not the agreed Areas of Limitation",
        },
    }
    for line_id, summary in summaries.items():
        described[line_id] = {
            "precision": f"{meta['precision']}; sampled every kilometre it lies {km(summary['min'])}-"
            f"{km(summary['max'])} km (median {km(summary['median'])} km) from the {other} line, which is taken "
            f"as its uncertainty at each place ({UNCERTAINTY_FILE})",
            "uncertainty": uncertainty_sentences(line_id, summary, lines),
        }
    return {layer_id: common | {"source": meta["source"][layer_id]} | extra
            for layer_id, extra in described.items()}


def layer_descriptors(agreement: dict[str, dict]) -> list[dict]:
    """Return the layers of layers.json, the 1974 ones completed from `agreement`, keys in a fixed order."""
    merged = [layer | agreement.get(layer["id"], {}) for layer in LAYERS]
    return [{key: layer[key] for key in LAYER_KEY_ORDER if key in layer} for layer in merged]


def build_agreement_layers(source: Path, lines: str, towns: list[dict]) -> tuple[dict, list[dict], dict]:
    """Return the 1974 layers' features, the line uncertainty samples and the layers' descriptors."""
    readers = {"osm": osm_agreement, "naturalearth": naturalearth_agreement}
    chosen = readers[lines](source)
    other = readers[other_lines(lines)](source)
    note = AGREEMENT_SOURCES[lines]["note"]
    layers = {}
    for layer_id, (name, name_ar) in AGREEMENT_NAMES.items():
        props = {"name": name, "name_ar": name_ar, "approximate": True, "note": note}
        layers[layer_id] = [feature(props, gridded(chosen[layer_id]))]
    bands = limitation_bands(chosen["area_of_separation"], chosen["alpha_line"], outside_countries(source))
    layers["areas_of_limitation"] = [
        feature({"name": f"Area of Limitation, {SIDE_NAMES[side]} side, {low}-{high} km - approximate",
                 "name_ar": aol_name_ar(side, low, high), "band": f"{low}-{high} km", "side": side,
                 "approximate": True, "note": note}, geom)
        for side, low, high, geom in bands
    ]
    samples, summaries = line_uncertainty(chosen, other, towns)
    aos_km2 = to_local([chosen["area_of_separation"]])[0].area / 1e6
    return layers, samples, agreement_descriptors(lines, summaries, aos_km2)


def syria_outline(source: Path):
    """Return the union of the unsimplified OCHA governorates: Syria as UN maps draw it."""
    return shapely.union_all(gpd.read_file(source / "ocha_cod_ab_syr" / "syr_admin1.shp").geometry.tolist())


def town_properties(name: str, name_ar: str, source: str, aliases: list[str], note: str = "",
                    population: int | None = None, geonameid: int | None = None) -> dict:
    """Return a town's properties in the order every town has them; `note` only when there is one."""
    props = {"name": name, "name_ar": name_ar, "aliases": aliases, "source": source,
             "population": population, "geonameid": geonameid}
    return props | {"note": note} if note else props


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
        name, aliases = TOWN_NAMES.get(geonameid, (props["name"], []))
        if name != props["name"]:
            aliases = [props["name"], *aliases]
        population = None if geonameid in NO_POPULATION else int(props["population"]) or None
        town = town_properties(name, ARABIC_FIXES.get(geonameid, props["name_ar_first"]), "GeoNames", aliases,
                               TOWN_NOTES.get(geonameid, ""), population, geonameid)
        towns.append((props["asciiname"].strip("`'").casefold(), town, point))
    return towns


def wikipedia_points(source: Path, near) -> list[tuple[str, dict, object]]:
    """Return (sort key, properties, point) for Wikipedia reference points not already in GeoNames."""
    points = []
    for item in read_collection(source / WIKIPEDIA_FILE):
        props, point = item["properties"], shape(item["geometry"])
        if any(point.distance(other) < DUPLICATE_DISTANCE_DEG for other in near):
            continue
        points.append((props["name"].casefold(),
                       town_properties(props["name"], props["name_ar"], "Wikipedia", []), point))
    return points


def extra_towns() -> list[tuple[str, dict, object]]:
    """Return (sort key, properties, point) for the places in EXTRA_TOWNS."""
    return [
        (town["name"].casefold(),
         town_properties(town["name"], town["name_ar"], town["source"], town["aliases"], town["note"]),
         shapely.Point(town["lon"], town["lat"]))
        for town in EXTRA_TOWNS
    ]


def build_towns(source: Path) -> list[dict]:
    """Return the gazetteer of towns: GeoNames places of Syria and the Golan plus the named extra points."""
    towns = geonames_towns(source)
    towns += wikipedia_points(source, [point for *_, point in towns])
    towns += extra_towns()
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


def build(source: Path, out: Path, lines: str = "osm") -> list[Path]:
    """Write every output file into `out` and return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    towns = build_towns(source)
    agreement, samples, descriptors = build_agreement_layers(source, lines, towns)
    features = {
        "countries": build_countries(source),
        "golan_heights": build_golan(source),
        "governorates": build_governorates(source),
        **agreement,
        "towns": towns,
    }
    layers = layer_descriptors(descriptors)
    written = []
    for layer in layers:
        path = out / layer["file"]
        write_json(path, collection(features[layer["id"]], name=layer["id"]))
        written.append(path)
    written.append(out / UNCERTAINTY_FILE)
    write_json(written[-1], uncertainty_collection(samples, lines))
    written.append(out / "sample_incidents.geojson")
    write_json(written[-1], build_sample_incidents(towns))
    written.append(out / GAZETTEER_FILE)
    write_json(written[-1], build_gazetteer(source, towns, features["governorates"]))
    written.append(out / "layers.json")
    write_json(written[-1], {"generated_by": "scripts/build_geodata.py", "layers": layers})
    return written


def uncertainty_collection(samples: list[dict], lines: str) -> dict:
    """Return the line uncertainty samples as a FeatureCollection that explains its own fields."""
    drawn, other = AGREEMENT_SOURCES[lines]["label"], AGREEMENT_SOURCES[other_lines(lines)]["label"]
    return collection(
        samples,
        name="line_uncertainty",
        description=f"Points about every kilometre along the Alpha and Bravo lines ({drawn}). uncertainty_km: "
        f"distance from the point to the same line in {other}, taken as the line's uncertainty there. km: "
        "distance along the line from its northern end. For a place, use the sample nearest to the nearest "
        "point of the line. See geodata/PROVENANCE.md.",
        lines=lines,
        measured_against=other_lines(lines),
        attribution=AGREEMENT_SOURCES[lines]["attribution"],
    )


def main() -> None:
    """Parse the command line and build the layers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="shared/data folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--lines", choices=sorted(AGREEMENT_SOURCES), default="osm",
                        help="source of the 1974 lines and zones (default: osm)")
    args = parser.parse_args()
    if not args.source.is_dir():
        parser.error(f"source folder {args.source} does not exist")
    for path in build(args.source, args.out, args.lines):
        print(f"{path.stat().st_size:>9,} B  {path}")


if __name__ == "__main__":
    main()
