"""Every message of the data endpoints in English and Arabic, from one catalogue: the read API's parameters, the
view's bounds and the upload rules. The API answers in the language its Accept-Language header prefers (English
without one), the pages and their data requests in their `lang`; pages show the Arabic without an English
wrapper, with the field names and the values sent isolated inside it."""
import io
import json
import re
from pathlib import Path
from string import Formatter

import pytest
from upload_helpers import add_accounts, bearer, client_of, collection, csrf_token, feature
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from webmap.core.errors import accepted_language
from webmap.core.i18n import MESSAGES_FILE, markup_of, message, text_of

REPO = Path(__file__).resolve().parents[1]
CATALOGUE = json.loads(MESSAGES_FILE.read_text(encoding="utf-8"))
SECTIONS = ("field_errors", "error_texts")
COUNTS = (0, 1, 2, 3, 11, 100)
ARABIC_CATEGORY = {0: "zero", 1: "one", 2: "two", 3: "few", 11: "many", 100: "other"}
ARABIC = re.compile("[\u0600-\u06ff]")
ITEMS = "/api/collections/incidents/items"
IN_ARABIC = {"Accept-Language": "ar,en;q=0.8"}


def forms(value) -> list[str]:
    """Return the texts of a catalogue entry: the one text, or each plural form."""
    return list(value.values()) if isinstance(value, dict) else [value]


def names(text: str) -> set[str]:
    """Return the placeholders of a catalogue text."""
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def counted() -> list[tuple[str, str]]:
    """Return (section, key) of every counted message of the error sections."""
    return [(section, key) for section in SECTIONS for key, value in CATALOGUE["en"][section].items()
            if isinstance(value, dict)]


# --- the catalogue ------------------------------------------------------------------------------


@pytest.mark.parametrize("section", [*SECTIONS, "error_descriptions"])
def test_no_message_lacks_an_arabic_entry(section):
    """Every error message of the English catalogue has its Arabic entry, with no placeholder English lacks."""
    english, arabic = CATALOGUE["en"].get(section, {}), CATALOGUE["ar"][section]
    if section == "error_descriptions":  # keyed by the English text itself
        assert arabic and all(ARABIC.search(text) for text in arabic.values())
        return
    assert set(arabic) == set(english), set(english) ^ set(arabic)
    for key, value in english.items():
        assert type(arabic[key]) is type(value), key
        allowed = set().union(*(names(text) for text in forms(value))) | {"count"}
        for text in forms(arabic[key]):
            assert ARABIC.search(text) or not ARABIC.search("".join(forms(value))), key
            assert names(text) <= allowed, (key, text)


def used_keys() -> set[str]:
    """Return every catalogue key the code writes an error message from."""
    found = set()
    for path in (REPO / "webmap").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        found |= {f"field_errors.{key}" for key in re.findall(
            r'(?:field_error\([^,]+,|(?:Problem|BboxError)\()\s*"(\w+)"', source)}
        found |= set(re.findall(r'message\(\s*f?"((?:field_errors|error_texts)\.\w+)"', source))
    return found


def test_every_message_the_code_writes_is_in_the_catalogue():
    """Each key the code names exists in both languages (the row label of CSV files too)."""
    keys = used_keys() | {"field_errors.where_csv_row"}
    assert len(keys) > 80
    for language in ("en", "ar"):
        missing = [key for key in keys if key.split(".")[1] not in CATALOGUE[language][key.split(".")[0]]]
        assert not missing, (language, missing)


def test_arabic_error_messages_use_arabic_punctuation():
    """No Latin comma, semicolon or question mark right after an Arabic word in the error messages."""
    for section in (*SECTIONS, "error_descriptions"):
        for key, value in CATALOGUE["ar"][section].items():
            for text in forms(value):
                assert not re.search("[\u0600-\u06ff][)\\s]*[,;?]", text), (key, text)


def test_every_counted_message_has_all_its_forms():
    """English has one and other; Arabic all six CLDR forms."""
    assert len(counted()) >= 10
    for section, key in counted():
        assert set(CATALOGUE["en"][section][key]) == {"one", "other"}, key
        assert set(CATALOGUE["ar"][section][key]) == {"zero", "one", "two", "few", "many", "other"}, key


@pytest.mark.parametrize("count", COUNTS)
@pytest.mark.parametrize("section, key", counted())
def test_counted_messages_take_the_form_of_their_count(section, key, count):
    """Arabic picks the CLDR form of each count: none, one and two in words, 3 and more with the number; English
    the singular for 1 only."""
    values = {name: f"[{name}]" for text in forms(CATALOGUE["en"][section][key]) for name in names(text)}
    values["count"] = count
    arabic = text_of(message(f"{section}.{key}", **values), "ar")
    assert arabic == CATALOGUE["ar"][section][key][ARABIC_CATEGORY[count]].format(**values)
    if count in (0, 1, 2):  # in words, never "2 خلية"
        assert "{count}" not in CATALOGUE["ar"][section][key][ARABIC_CATEGORY[count]], arabic
    else:
        assert f"{count} " in arabic
    english = text_of(message(f"{section}.{key}", **values), "en")
    assert english == CATALOGUE["en"][section][key]["one" if count == 1 else "other"].format(**values)


@pytest.mark.parametrize("count, arabic, english", [
    (0, "لا تُقبل أي كلمة", "at most 0 words"),
    (1, "كلمة واحدة على الأكثر", "at most 1 word"),
    (2, "كلمتان على الأكثر", "at most 2 words"),
    (3, "3 كلمات على الأكثر", "at most 3 words"),
    (11, "11 كلمةً على الأكثر", "at most 11 words"),
    (100, "100 كلمة على الأكثر", "at most 100 words"),
])
def test_the_word_cap_reads_as_an_editor_would_write_it(count, arabic, english):
    """The cap on `q`'s words, word for word in both languages."""
    assert text_of(message("field_errors.words_too_many", count=count), "ar") == arabic
    assert text_of(message("field_errors.words_too_many", count=count), "en") == english


def test_values_are_escaped_and_isolated_never_template_source():
    """A value that looks like markup or a placeholder stays text: escaped, isolated, never filled in again."""
    sent = "<script>{text}</script>"
    html = str(markup_of(message("field_errors.zero_or_one", text=sent), "ar"))
    assert "<script>" not in html and '<bdi dir="ltr" lang="en">&lt;script&gt;{text}&lt;/script&gt;</bdi>' in html
    assert text_of(message("field_errors.zero_or_one", text=sent), "en") == "'<script>{text}</script>' is not 0 or 1"
    arabic_value = str(markup_of(message("field_errors.zero_or_one", text="نعم"), "en"))
    assert arabic_value == '&#39;<bdi dir="rtl" lang="ar">نعم</bdi>&#39; is not 0 or 1'


# --- the read API ---------------------------------------------------------------------------------

BAD_ITEMS = ("bbox=35,32,36&datetime=soon&limit=0&zone=nowhere&governorate=SY99&distance_alpha_km=x"
             "&q=" + "+".join(["w"] * 21) + "&batch=" + ",".join(["1"] * 101) + "&sortby=title&version=99")


def test_api_parameter_errors_follow_accept_language(client):
    """Asked in Arabic (Accept-Language), every field of a bad API request is described in Arabic; without the
    header, or with English first, the same request is answered in English, word for word as before."""
    arabic = client.get(f"{ITEMS}?{BAD_ITEMS}", headers=IN_ARABIC)
    body = arabic.get_json()
    assert arabic.status_code == 400 and arabic.headers["Content-Language"] == "ar"
    assert "Accept-Language" in arabic.headers["Vary"]
    assert body["code"] == "InvalidParameterValue" and body["description"] == "معاملات الاستعلام غير صالحة."
    fields = [item["field"] for item in body["errors"]]
    assert {"bbox", "datetime", "limit", "zone", "governorate", "distance_alpha_km", "q", "batch", "sortby",
            "version"} <= set(fields)
    assert all(ARABIC.search(item["message"]) for item in body["errors"]), body["errors"]
    by_field = {item["field"]: item["message"] for item in body["errors"]}
    assert by_field["q"] == "20 كلمةً على الأكثر" and by_field["batch"] == "100 دفعة على الأكثر"
    assert by_field["bbox"].startswith("«35,32,36» ليس أربعة أعداد (أو ستة)")
    english = client.get(f"{ITEMS}?{BAD_ITEMS}")
    assert english.headers["Content-Language"] == "en"
    assert english.get_json()["description"] == "The query parameters are not valid."
    by_field = {item["field"]: item["message"] for item in english.get_json()["errors"]}
    assert by_field["bbox"] == ("'35,32,36' is not 4 (or 6) comma-separated numbers minx,miny,maxx,maxy "
                                "(longitude, latitude)")
    assert by_field["limit"] == "must be at least 1" and by_field["q"] == "at most 20 words"
    assert by_field["datetime"].startswith("'soon' is not a date, an RFC 3339 date-time")
    english_first = client.get(f"{ITEMS}?{BAD_ITEMS}", headers={"Accept-Language": "en,ar;q=0.9"}).get_json()
    assert english_first == english.get_json()
    assert [e["field"] for e in english.get_json()["errors"]] == fields  # the same errors, in the same order


@pytest.mark.parametrize("header, language", [
    ("ar", "ar"), ("ar-SY,ar;q=0.9", "ar"), ("fr,ar;q=0.4", "ar"), ("en-GB,ar;q=0.5", "en"), ("fr", "en"),
    ("*", "en"), ("", "en"), ("ar;q=0,en", "en"),
])
def test_the_api_language_is_the_first_the_header_ranks(header, language):
    """Accept-Language picks by primary tag, best quality first: British English before Arabic stays English."""
    assert accepted_language(parse_accept_header(header, LanguageAccept)) == language


def test_the_api_has_no_lang_parameter(client):
    """`lang` stays an unknown parameter of the API, answered in English (its default)."""
    body = client.get(f"{ITEMS}?lang=ar").get_json()
    assert body["errors"][0]["field"] == "lang" and body["errors"][0]["message"].startswith("unknown parameter")


def test_api_not_found_speaks_arabic(client):
    """An unknown collection or feature is named in Arabic when asked in Arabic."""
    body = client.get("/api/collections/nowhere", headers=IN_ARABIC).get_json()
    assert body["description"] == "لا توجد مجموعة باسم «nowhere»."
    assert body["errors"][0]["message"].startswith("مجموعة غير معروفة؛ المجموعات المتاحة: incidents")
    english = client.get("/api/collections/nowhere").get_json()
    assert english["description"] == "There is no collection 'nowhere'."


# --- the view's bounds ----------------------------------------------------------------------------


@pytest.mark.parametrize("path, field, arabic, english", [
    ("/map-data/view?bbox=-180,-85,180,85&zoom=12", "bbox", "خليةً من الشبكة عند مستوى التكبير 12", "grid cells"),
    ("/map-data/view?bbox=36,32,35,33&zoom=9", "bbox", "يجب أن تكون قيمة minx (36) أصغر من قيمة maxx (35)",
     "minx (36) must be below maxx (35)"),
    ("/map-data/view?zoom=9", "bbox", "المعامل bbox مطلوب", "bbox is required"),
    ("/map-data/view?bbox=35,32,36,33&zoom=99", "zoom", "«99» ليس عددًا صحيحًا بين 0 و22",
     "'99' is not a whole number from 0 to 22"),
    ("/map-data/list?bbox=35,32,36,33&sort=title", "sort", "«title» ليست من القيم المتاحة", "'title' is not one of"),
    ("/map-data/view?bbox=35,32,36,33&zoom=9&list=2", "list", "«2» ليس 0 ولا 1", "'2' is not 0 or 1"),
    ("/map.png?width=5", "width", "بكسلات خارج المدى من", "5 pixels is outside"),
])
def test_view_errors_of_the_data_requests_speak_arabic(client, path, field, arabic, english):
    """The map's data and image requests describe a bad view in the page's language."""
    body = client.get(f"{path}&lang=ar").get_json()
    messages_ = {item["field"]: item["message"] for item in body["errors"]}
    assert ARABIC.search(body["description"]) and arabic in messages_[field], body
    body = client.get(path).get_json()
    assert english in {item["field"]: item["message"] for item in body["errors"]}[field], body


def test_view_errors_on_arabic_pages_have_no_english_wrapper(client):
    """The map page and an embed show the view's errors in Arabic, isolated and marked Arabic; only the data keys
    and the values sent are isolated and marked English inside the sentence."""
    page = client.get("/?bbox=36,32,35,33&lang=ar").get_data(as_text=True)
    assert ('<code>bbox</code>: <bdi dir="auto" lang="ar">يجب أن تكون قيمة <bdi lang="en">minx</bdi> (<bdi dir="ltr">36</bdi>) أصغر من قيمة '
            '<bdi lang="en">maxx</bdi> (<bdi dir="ltr">35</bdi>)</bdi></li>') in page
    page = client.get("/?lat=33&lang=ar").get_data(as_text=True)
    assert '<code>lon</code>: <bdi dir="auto" lang="ar">يُعطى <bdi lang="en">lat</bdi> و<bdi lang="en">lon</bdi> معًا؛ أعطِ كليهما' in page
    embed = client.get("/embed?as_of=99&lang=ar").get_data(as_text=True)
    assert "<code>as_of</code>: <bdi dir=\"auto\" lang=\"ar\">إصدار البيانات <bdi dir=\"ltr\">99</bdi> غير موجود بعد؛" in embed
    legend = client.get("/embed?legend=yes&lang=ar").get_data(as_text=True)
    assert '<code>legend</code>: <bdi dir="auto" lang="ar">«<bdi dir="ltr" lang="en">yes</bdi>» ليس 0 ولا 1' in legend
    for html in (page, embed, legend):
        assert not re.search(r'<li><code>\w+</code>: <bdi dir="auto" lang="en">', html)
    english = client.get("/?bbox=36,32,35,33").get_data(as_text=True)
    assert '<code>bbox</code>: <bdi dir="auto" lang="en">minx (36) must be below maxx (35)</bdi></li>' in english


# --- uploads --------------------------------------------------------------------------------------

BAD_FEATURES = [feature(1), feature(2, event_type="picnic", date="soon"), feature(3, date="2999-01-01", fatalities=-1)]


def test_upload_page_reports_each_rule_in_arabic(fixture_app):
    """The Arabic upload page says each problem in Arabic, by feature and field, with the values sent isolated;
    the English page keeps its words. The message is isolated in its cell and marked with the page's language."""
    client = client_of(fixture_app, "contributor")
    form = {"file": (io.BytesIO(json.dumps(collection(*BAD_FEATURES)).encode()), "upload.geojson"),
            "csrf_token": csrf_token(client, "/upload?lang=ar")}
    response = client.post("/upload?lang=ar", data=form, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    rows = re.findall(r"<tr><td>(\d+)</td><td><code>([^<]+)</code></td><td>(.*?)</td></tr>", html)
    assert [(row, field) for row, field, _ in rows] == [
        ("2", "properties.date"), ("2", "properties.event_type"), ("3", "properties.date"),
        ("3", "properties.fatalities")]
    assert all(ARABIC.search(text) and text.startswith('<bdi dir="auto" lang="ar">') for _, _, text in rows)
    assert rows[0][2].startswith('<bdi dir="auto" lang="ar"><bdi dir="ltr" lang="en">&#34;soon&#34;</bdi> ليس تاريخًا؛')
    assert rows[2][2] == '<bdi dir="auto" lang="ar"><bdi dir="ltr">2999-01-01</bdi> تاريخ في المستقبل</bdi>'
    assert "وُجدت 4 مشكلات؛ لم يُكتب شيء." in html
    english = client.post("/upload", data={
        "file": (io.BytesIO(json.dumps(collection(*BAD_FEATURES)).encode()), "upload.geojson"),
        "csrf_token": csrf_token(client, "/upload")}, content_type="multipart/form-data").get_data(as_text=True)
    assert "2999-01-01 is in the future" in english and "unknown event type &#34;picnic&#34;" in english


def test_upload_api_reports_in_the_language_asked(fixture_app):
    """The upload API answers a refused file in Arabic when asked so (description counted in Arabic), and in
    English by default, with the same fields and features."""
    token = add_accounts(fixture_app)["contributor"]
    api = fixture_app.test_client()
    body = json.dumps(collection(*BAD_FEATURES))
    arabic = api.post(ITEMS, data=body, content_type="application/geo+json",
                      headers={**bearer(token), **IN_ARABIC}).get_json()
    assert arabic["description"] == "4 مشكلات في عنصرين من أصل 3 عناصر؛ لم يُستورد شيء."
    assert all(ARABIC.search(item["message"]) for item in arabic["errors"])
    english = api.post(ITEMS, data=body, content_type="application/geo+json", headers=bearer(token)).get_json()
    assert english["description"] == "4 problems in 2 of 3 features; nothing was imported."
    assert [(e["feature"], e["field"]) for e in arabic["errors"]] == [(e["feature"], e["field"])
                                                                       for e in english["errors"]]


def test_csv_rows_are_named_in_arabic(fixture_app):
    """A CSV's problems name the data row in Arabic on the Arabic page (counted from 1)."""
    client = client_of(fixture_app, "contributor")
    text = "date,event_type,latitude,longitude\nsoon,airstrike,33.1,35.8\n"
    form = {"file": (io.BytesIO(text.encode()), "upload.csv"), "csrf_token": csrf_token(client, "/upload?lang=ar")}
    html = client.post("/upload?lang=ar", data=form, content_type="multipart/form-data").get_data(as_text=True)
    assert 'سطر البيانات <bdi dir="ltr">1</bdi> من ملف <bdi lang="en">CSV</bdi>: ' in html


def test_geometry_rules_speak_arabic():
    """Geometry rules, counted where they count, in both languages."""
    ring = message("field_errors.ring_too_short", polygon=0, ring=0, count=3)
    assert text_of(ring, "ar") == "للحلقة 0 من المضلع 0 3 مواضع؛ تحتاج الحلقة إلى 4 مواضع على الأقل"
    assert text_of(ring, "en") == "polygon 0 ring 0 has 3 positions; a ring needs at least 4"
    vertices = message("field_errors.too_many_vertices", count=10_001, most="10,000")
    assert text_of(vertices, "en").startswith("10,001 vertices; at most 10,000 per feature")
    assert text_of(vertices, "ar").startswith("10,001 رأس؛ الحد الأقصى 10,000 لكل عنصر")


@pytest.mark.parametrize("body, content_type, arabic, english", [
    (b'{"type": "FeatureCollection", "features": [', "application/geo+json", "الملف ليس GeoJSON صالحًا: ",
     "The file is not valid GeoJSON: "),
    (b"date,event_type\n\xff\xfe,airstrike\n", "text/csv", "ملف CSV ليس نصًا بترميز UTF-8 (البايت ",
     "The CSV is not UTF-8 text (byte "),
    (b"PK\x03\x04not really a zip", "application/zip", "الملف ليس أرشيفًا مضغوطًا مقروءًا: ",
     "The file is not a readable zip archive: "),
])
def test_unreadable_files_are_described_in_the_language_asked(fixture_app, body, content_type, arabic, english):
    """A file that cannot be read at all is described in Arabic when asked so; the parser's own words stay as
    they are inside the sentence."""
    token = add_accounts(fixture_app)["contributor"]
    api = fixture_app.test_client()
    answer = api.post(ITEMS, data=body, content_type=content_type, headers={**bearer(token), **IN_ARABIC})
    assert answer.status_code == 400 and answer.get_json()["description"].startswith(arabic), answer.get_json()
    answer = api.post(ITEMS, data=body, content_type=content_type, headers=bearer(token))
    assert answer.get_json()["description"].startswith(english), answer.get_json()
