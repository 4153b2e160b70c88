"""The map page `/`: counts checked against the fixture file, filters in the URL, clear 400s."""
import json
import re

import pytest
from conftest import DATA

FIXTURE = json.loads((DATA / "incidents_small.geojson").read_text(encoding="utf-8"))["features"]


def expected(start=None, end=None, types=()):
    """Count fixture incidents whose date span overlaps [start, end] and whose type is in `types`."""
    count = 0
    for feature in FIXTURE:
        props = feature["properties"]
        first, last = props["date"], props.get("end_date", props["date"])
        if (start and last < start) or (end and first > end) or (types and props["event_type"] not in types):
            continue
        count += 1
    return count


WORLD = "bbox=-180,-85,180,85&zoom=2"


def drawn_ids(client, query: str) -> list[str]:
    """Return the ids of the incidents the map loads for the whole world with the page's filters."""
    separator = "&" if query else "?"
    return [f["id"] for f in client.get(f"/map-data/view{query}{separator}{WORLD}").get_json()["features"]]


def shown_count(html: str) -> int:
    """Return the number the page states as matching."""
    return int(re.search(r'id="incident-count" data-count="(\d+)"', html).group(1))


@pytest.mark.parametrize("query, start, end, types", [
    ("", None, None, ()),
    ("?start=2025-01-01", "2025-01-01", None, ()),
    ("?end=2025-02-02", None, "2025-02-02", ()),
    ("?start=2025-02-03&end=2025-03-31", "2025-02-03", "2025-03-31", ()),
    ("?type=airstrike", None, None, ("airstrike",)),
    ("?type=airstrike,incursion&start=2025-01-01", "2025-01-01", None, ("airstrike", "incursion")),
    ("?type=raid&type=arrest", None, None, ("raid", "arrest")),
])
def test_filters_select_the_right_incidents(client, query, start, end, types):
    """The count on the page and the incidents the map loads match the fixture data for each filter."""
    response = client.get("/" + query)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert shown_count(html) == expected(start, end, types)
    assert len(drawn_ids(client, query)) == expected(start, end, types)
    assert "t-00" not in html  # incidents reach the browser by view, never inside the page


def test_filters_are_kept_in_the_form(client):
    """The form shows the active filters, so the page and its URL agree."""
    html = client.get("/?start=2025-01-01&end=2025-06-30&type=raid").get_data(as_text=True)
    assert 'name="start" value="2025-01-01"' in html
    assert 'name="end" value="2025-06-30"' in html
    assert re.search(r'value="raid"\s+checked', html)


@pytest.mark.parametrize("query, field, words", [
    ("?start=2025-13-01", "start", "not a valid date"),
    ("?end=yesterday", "end", "not a valid date"),
    ("?start=2025-03-01&end=2025-01-01", "end", "before start"),
    ("?type=airstrike,bombardment", "type", "unknown event type 'bombardment'"),
    ("?lang=fr", "lang", "not one of"),
])
def test_bad_parameters_get_a_400_page_that_says_why(client, query, field, words):
    """Invalid filters answer 400 with the field and the reason in words, never a 500."""
    response = client.get("/" + query)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f"<code>{field}</code>" in html
    assert words.replace("'", "&#39;") in html


def test_reference_layers_and_approximate_labels(client):
    """The 1974 layers are on the map, and every approximate one is labelled so."""
    html = client.get("/").get_data(as_text=True)
    for title in ("Alpha line", "Bravo line", "Area of Separation", "Areas of Limitation", "Governorates"):
        assert title in html
    assert html.count("(approximate)") >= 4
    assert "not an official map" in html


def test_page_loads_nothing_from_other_hosts(client):
    """Scripts and stylesheets come from the app's origin when tiles are off."""
    html = client.get("/").get_data(as_text=True)
    absolute = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', html)
    assert [url for url in absolute if not url.startswith("http://localhost/")] == []
    assert "/vendor/leaflet/dist/leaflet.js" in html


def test_arabic_page_is_right_to_left(client):
    """lang=ar gives an Arabic, right-to-left page with Arabic event-type labels."""
    html = client.get("/?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    assert "غارة جوية" in html


def test_sample_incidents_are_labelled_illustrative(tmp_path):
    """With the bundled samples loaded, the page says they are an illustrative sample."""
    from conftest import make_app

    from webmap.ingest.geodata import prepare_database

    app = make_app(tmp_path)
    with app.app_context():
        prepare_database(with_samples=True)
    client = app.test_client()
    html = client.get("/").get_data(as_text=True)
    assert "illustrative sample incidents" in html
    features = client.get(f"/map-data/view?{WORLD}").get_json()["features"]
    assert features and all(f["properties"]["illustrative"] is True for f in features)


def test_vendor_route_serves_only_library_builds(client):
    """Leaflet's built files are served with a long cache; other node_modules files are not."""
    response = client.get("/vendor/leaflet/dist/leaflet.js")
    assert response.status_code == 200 and "max-age" in response.headers["Cache-Control"]
    assert client.get("/vendor/leaflet/package.json").status_code == 404
    assert client.get("/vendor/leaflet/dist/../package.json").status_code == 404


def test_about_page_credits_openstreetmap_and_states_line_uncertainty(client):
    """/about credits OpenStreetMap under ODbL with a link and says how uncertain each 1974 line is, in both languages."""
    html = client.get("/about").get_data(as_text=True)
    assert "© OpenStreetMap contributors (ODbL)" in html
    assert '<a href="https://opendatacommons.org/licenses/odbl/1-0/" rel="noopener license">ODbL 1.0</a>' in html
    assert "offered under ODbL" in html
    for line_id in ("alpha_line", "bravo_line"):
        sentence = re.search(rf'<p data-uncertainty="{line_id}">([^<]+)</p>', html).group(1)
        assert "a median" in sentence and "at most" in sentence and "largest" in sentence
    arabic = client.get("/about?lang=ar").get_data(as_text=True)
    assert re.search(r'<p data-uncertainty="alpha_line">خط ألفا: [^<]*بوسيط', arabic)


def test_about_page_lists_sources_and_licences(client):
    """Every reference layer's source and licence is on /about."""
    html = client.get("/about").get_data(as_text=True)
    assert "Natural Earth" in html and "OCHA" in html and "GeoNames" in html
    assert "lines of 7 December 2024" in html


@pytest.mark.parametrize("lang, words", [
    ("en", ("The Alpha line is the western limit", "The Bravo line is the eastern limit",
            "The Area of Separation lies between", "The Areas of Limitation are bands")),
    ("ar", ("خط ألفا هو الحد الغربي", "خط برافو هو الحد الشرقي", "تقع منطقة الفصل بين الخطين",
            "مناطق الحد من القوات والأسلحة")),
])
def test_about_explains_the_lines_with_the_site_navigation(client, lang, words):
    """/about says what each line and zone is, keeps the site's top bar, and says 'approximate' once per layer."""
    html = client.get(f"/about?lang={lang}").get_data(as_text=True)
    assert '<header class="topbar">' in html
    for text in words:
        assert text in html
    rows = re.findall(r'<tr data-layer="(\w+)">\s*<td>(.*?)</td>', html, re.DOTALL)
    approximate = "approximate" if lang == "en" else "تقريبي"
    assert rows and all(cell.count(approximate) <= 1 for _, cell in rows)
