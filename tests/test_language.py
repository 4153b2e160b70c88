"""Arabic and English as an editor would write them: plural forms for every counted message, dates as each
language writes them, the chosen terms and punctuation, translated error pages, stored English marked as
such inside Arabic pages, and log-out and log-in redirects that keep the reader's language."""
import json
import re
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from upload_helpers import client_of, csrf_token, log_in

from webmap.core.i18n import MESSAGES_FILE, human_date, messages, period_label, plural, utc_time

REPO = Path(__file__).resolve().parents[1]
CATALOGUE = json.loads(MESSAGES_FILE.read_text(encoding="utf-8"))
COUNTS = (0, 1, 2, 3, 11, 100)
ARABIC_CATEGORY = {0: "zero", 1: "one", 2: "two", 3: "few", 11: "many", 100: "other"}
# Every message that counts something, with what else it needs filled in (without digits, so that only the
# count can put one in the text).
COUNTED = {key: {"total": "[total]", "start": "[start]", "end": "[end]", "prev_start": "[prev_start]",
                 "prev_end": "[prev_end]", "percent": "[percent]"}
           for key, value in CATALOGUE["en"].items() if isinstance(value, dict) and "other" in value}
ARABIC = re.compile("[\u0600-\u06ff]")
LATIN_MARK_BETWEEN_ARABIC = re.compile("[\u0600-\u06ff][)\\s]*[,;?]")


def arabic_strings():
    """Yield (where, text) for every Arabic string the interface shows: messages, vocabulary, reference layers."""
    def walk(value, where):
        if isinstance(value, str):
            if ARABIC.search(value):
                yield where, value
        elif isinstance(value, dict):
            for key, item in value.items():
                yield from walk(item, f"{where}/{key}")
        elif isinstance(value, list):
            for n, item in enumerate(value):
                yield from walk(item, f"{where}[{n}]")
    yield from walk(CATALOGUE["ar"], "messages")
    for path in [REPO / "webmap" / "core" / "data" / "vocabulary.json", *sorted((REPO / "geodata").glob("*.*json"))]:
        yield from walk(json.loads(path.read_text(encoding="utf-8")), path.name)


def test_counted_messages_are_the_ones_the_interface_counts_with():
    """The counted messages include those issue 17 found without plural forms."""
    assert {"matches", "in_view", "sample_note", "synthetic_note", "login_throttled", "embed_changed_since",
            "cluster_title", "cluster_approximate", "list_partial", "timeline_bin", "rows_shown",
            "undo_removed", "undo_restored", "undo_brought_back"} <= set(COUNTED)


@pytest.mark.parametrize("key", sorted(COUNTED))
def test_every_counted_message_has_all_its_forms(key):
    """English has one and other; Arabic all six CLDR forms, each a message of its own."""
    assert set(CATALOGUE["en"][key]) >= {"one", "other"}
    assert set(CATALOGUE["ar"][key]) == {"zero", "one", "two", "few", "many", "other"}


@pytest.mark.parametrize("count", COUNTS)
@pytest.mark.parametrize("key", sorted(COUNTED))
def test_counted_messages_in_english(key, count):
    """One takes the singular form, every other count (0 too) the plural, with the number in it."""
    text = plural("en", CATALOGUE["en"][key], count, **COUNTED[key])
    assert text == CATALOGUE["en"][key]["one" if count == 1 else "other"].format(count=count, **COUNTED[key])
    if count != 1:
        assert str(count) in text


@pytest.mark.parametrize("count", COUNTS)
@pytest.mark.parametrize("key", sorted(COUNTED))
def test_counted_messages_in_arabic(key, count):
    """Arabic picks the form CLDR gives for each count: none, one and two in words (no digit), 3 to 10 with the
    plural noun, 11 to 99 and 100 with the number; never "2 حادثة" or "3 حادثة"."""
    forms = CATALOGUE["ar"][key]
    text = plural("ar", forms, count, **COUNTED[key])
    assert text == forms[ARABIC_CATEGORY[count]].format(count=count, **COUNTED[key])
    if count in (0, 1, 2):
        assert not re.search(r"\d", text), text
    else:
        assert f"{count} " in text
    assert "2 حادثة" not in text and "3 حادثة" not in text and "3 حادثةً" not in text


@pytest.mark.parametrize("count, arabic, english", [
    (0, "لا تطابق أي حادثة", "0 incidents match"),
    (1, "تطابق حادثة واحدة", "1 incident matches"),
    (2, "تطابق حادثتان", "2 incidents match"),
    (3, "تطابق 3 حوادث", "3 incidents match"),
    (11, "تطابق 11 حادثةً", "11 incidents match"),
    (100, "تطابق 100 حادثة", "100 incidents match"),
])
def test_the_match_count_reads_as_an_editor_would_write_it(count, arabic, english):
    """The count above the map, word for word, in both languages."""
    assert plural("ar", CATALOGUE["ar"]["matches"], count) == arabic
    assert plural("en", CATALOGUE["en"]["matches"], count) == english


def test_the_map_page_counts_in_the_readers_language(client):
    """The page's count uses the plural form of the number of incidents shown."""
    page = client.get("/?lang=ar").get_data(as_text=True)
    matched = int(re.search(r'id="incident-count" data-count="(\d+)"', page).group(1))
    assert plural("ar", CATALOGUE["ar"]["matches"], matched) in page
    assert plural("en", CATALOGUE["en"]["matches"], matched) in client.get("/").get_data(as_text=True)


def test_dates_as_each_language_writes_them():
    """English "25 February 2025"; Arabic as UN Arabic texts do, with both month names; Western digits."""
    assert human_date(date(2025, 2, 25), "en") == "25 February 2025"
    assert human_date(date(2025, 2, 25), "ar") == "25 شباط/فبراير 2025"
    assert human_date("2024-12-08T10:00:00+00:00", "ar") == "8 كانون الأول/ديسمبر 2024"
    assert human_date(date(2025, 6, 1), "ar") == "1 حزيران/يونيه 2025"
    assert period_label(date(2025, 2, 1), "month", "en") == "Feb 2025"
    assert period_label("2025-02-01", "month", "ar") == "شباط/فبراير 2025"
    assert period_label(date(2025, 2, 3), "week", "en") == "3 Feb 2025"
    assert period_label(date(2025, 2, 3), "week", "ar") == "3 شباط/فبراير 2025"
    assert utc_time("2026-11-30T14:05:00+00:00", "en") == "30 November 2026, 14:05 UTC"
    assert utc_time("2026-11-30T16:05:00+02:00", "ar") == (
        "30 تشرين الثاني/نوفمبر 2026، الساعة \u206614:05\u2069 بالتوقيت العالمي")


def test_no_arabic_string_uses_the_rejected_terms():
    """Areas of Limitation are مناطق الحد من القوات والأسلحة, never مناطق التحديد; upload is رفع, never تحميل;
    the lines are خط ألفا and خط برافو, never الخط ألفا."""
    for where, text in arabic_strings():
        assert "التحديد" not in text, where
        assert "الخط ألفا" not in text and "الخط برافو" not in text, where
    for key, english in CATALOGUE["en"].items():
        if "upload" in json.dumps(english).lower():
            assert "تحميل" not in json.dumps(CATALOGUE["ar"].get(key, ""), ensure_ascii=False), key


def test_arabic_strings_use_arabic_punctuation():
    """No Latin comma, semicolon or question mark after an Arabic word: ، ؛ ؟ instead."""
    wrong = [(where, text) for where, text in arabic_strings() if LATIN_MARK_BETWEEN_ARABIC.search(text)]
    assert wrong == []


def test_zones_agree_in_gender_and_keep_one_name():
    """The Area of Separation is feminine (تقريبية); every layer and message names each line and zone one way."""
    layers = {layer["id"]: layer for layer in json.loads((REPO / "geodata" / "layers.json").read_text())["layers"]}
    assert layers["area_of_separation"]["title"]["ar"] == "منطقة الفصل (تقريبية)"
    assert layers["areas_of_limitation"]["title"]["ar"] == "مناطق الحد من القوات والأسلحة (تقريبية)"
    assert layers["alpha_line"]["title"]["ar"] == "خط ألفا (تقريبي)"
    assert CATALOGUE["ar"]["label_alpha"].startswith("خط ألفا") and CATALOGUE["ar"]["label_bravo"].startswith("خط برافو")
    assert CATALOGUE["ar"]["zone_separation"] == CATALOGUE["ar"]["label_separation"] == "منطقة الفصل"


@pytest.mark.parametrize("path, status", [("/no-such-page", 404), ("/logout", 405)])
def test_error_pages_speak_arabic(client, path, status):
    """Werkzeug's errors come in the page's language, with the way back to the Arabic map."""
    response = client.get(f"{path}?lang=ar")
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert '<html lang="ar" dir="rtl">' in page and messages("ar")["http_errors"][str(status)] in page
    assert 'href="/?lang=ar"' in page and messages("ar")["error_back"] in page
    assert messages("en")["error_back"] in client.get(path).get_data(as_text=True)


def test_data_endpoint_errors_speak_arabic(client):
    """A wrong filter on the statistics or the map data is described in Arabic when the request is, field by
    field; in English without `lang`."""
    for path in ("/stats.json?start=soon&end=2025-01-01&type=bogus&unit=day&lang=ar",
                 "/map-data/summary?start=soon&type=bogus&distance_alpha_km=x&lang=ar", "/?start=soon&lang=ar"):
        response = client.get(path)
        body = response.get_json() or {"description": response.get_data(as_text=True), "errors": []}
        assert response.status_code == 400 and ARABIC.search(body["description"]), (path, body)
        assert all(ARABIC.search(item["message"]) for item in body["errors"]), body["errors"]
    page = client.get("/?start=soon&lang=ar").get_data(as_text=True)
    assert '<code>start</code>: <bdi dir="auto" lang="ar">«<bdi dir="ltr" lang="en">soon</bdi>» ليس تاريخًا صالحًا' in page
    view = client.get("/?zoom=x&lang=ar").get_data(as_text=True)
    assert '<code>zoom</code>: <bdi dir="auto" lang="ar">«<bdi dir="ltr" lang="en">x</bdi>» ليس عددًا صحيحًا بين 0 و' in view
    arabic = client.get("/map-data/summary?start=2025-03-01&end=2025-01-01&lang=ar").get_json()["errors"]
    assert arabic == [{"field": "end", "message": "تاريخ النهاية (2025-01-01) يسبق تاريخ البداية (2025-03-01)"}]
    english = client.get("/stats.json?start=soon").get_json()
    assert english["description"] == "The statistics parameters are not valid."
    assert english["errors"] == [{"field": "start", "message": "'soon' is not a valid date; use YYYY-MM-DD, e.g. 2025-01-31"}]


def test_english_data_is_marked_inside_arabic_pages(fixture_app):
    """On the Arabic batches page the account name and the file name are isolated and marked English."""
    editor = client_of(fixture_app, "editor")
    page = editor.get("/batches?lang=ar").get_data(as_text=True)
    assert '<span class="account-name" title="editor"><bdi dir="auto" lang="en">editor</bdi></span>' in page


def test_log_out_and_log_in_keep_the_language(fixture_app):
    """Logging out of an Arabic page lands on the Arabic map; a page that needs a login keeps the language."""
    editor = client_of(fixture_app, "editor")
    page = editor.get("/batches?lang=ar").get_data(as_text=True)
    assert 'action="/logout?lang=ar"' in page
    response = editor.post("/logout?lang=ar", data={"csrf_token": csrf_token(editor, "/batches?lang=ar")})
    assert response.status_code == 302 and parse_qs(urlsplit(response.location).query) == {"lang": ["ar"]}
    to_login = editor.get("/batches?lang=ar")
    assert to_login.status_code == 302 and parse_qs(urlsplit(to_login.location).query)["lang"] == ["ar"]
    log_in(editor, "editor")
    assert "lang" not in editor.post("/logout", data={"csrf_token": csrf_token(editor, "/batches")}).location
