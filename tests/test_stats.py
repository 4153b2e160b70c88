"""Statistics that follow the filters: the same counts as the API, the summary sentence in both languages,
CSV, SVG and PNG, embeds and oEmbed."""
import csv
import io
import re
from collections import Counter
from datetime import date
from xml.etree import ElementTree

import pytest
from PIL import Image

from webmap.analysis.zones import ZONES
from webmap.api.params import datetime_interval
from webmap.core.i18n import human_date, messages, period_label
from webmap.core.model import Incident
from webmap.core.vocabulary import load_vocabulary
from webmap.stats.compute import compute_statistics, counting_unit, selection_range
from webmap.stats.periods import period_start, periods, previous_range
from webmap.stats.summary import Comparison, summary_sentence
from webmap.store import BatchInfo, IncidentQuery, Tally, get_store
from webmap.store.sqlite import MIGRATIONS, SQLiteStore

QUERIES = [
    {},
    {"start": "2025-02-01"},
    {"start": "2025-03-01", "end": "2025-03-31"},
    {"type": "incursion,airstrike"},
    {"type": "raid", "verification": "verified", "end": "2025-06-30"},
    {"verification": "unverified,disputed", "start": "2025-01-01", "end": "2025-12-31"},
    {"batch": "2"},
    {"batch": "1", "type": "airstrike"},
]
GOVERNORATES = {"SY13": {"en": "As-Suwayda", "ar": "السويداء"}, "SY14": {"en": "Quneitra", "ar": "القنيطرة"}}


def api_args(query: dict) -> dict:
    """Return the API's parameters for the map's filters (datetime, event_type, verification)."""
    args = {"datetime": datetime_interval(query.get("start"), query.get("end")),
            "event_type": query.get("type"), "verification": query.get("verification"), "batch": query.get("batch"),
            "limit": 10000}
    return {k: v for k, v in args.items() if v}


@pytest.mark.parametrize("query", QUERIES)
def test_statistics_equal_the_api_counts_for_the_same_filters(read_client, query):
    """Totals, zones, governorates and the sums of each chart equal what the API's items say."""
    stats = read_client.get("/stats.json", query_string=query).get_json()
    body = read_client.get("/api/collections/incidents/items", query_string=api_args(query)).get_json()
    items = [f["properties"] for f in body["features"]]
    assert stats["total"] == body["numberMatched"] == len(items) > 0
    charts = stats["charts"]
    zones = {row[0]: row[2] for row in charts["zones"]["rows"]}
    assert zones == {zone: sum(p["zone"] == zone for p in items) for zone in ZONES}
    near = {row[0]: row[3] for row in charts["zones"]["rows"]}
    assert near == {zone: sum(p["zone"] == zone and p["near_line"] for p in items) for zone in ZONES}
    governorates = {row[0]: row[2] for row in charts["governorates"]["rows"]}
    assert governorates == {g: sum((p["governorate"] or "") == g for p in items)
                            for g in {p["governorate"] or "" for p in items}}
    assert stats["separation"] == sum(p["zone"] == "separation" for p in items)
    assert sum(row[4] for row in charts["timeline"]["rows"]) == stats["total"]
    assert sum(row[2] for row in charts["share"]["rows"]) == stats["total"]
    assert sum(row[3] + row[4] for row in charts["fatalities"]["rows"]) == stats["total"]
    assert sum(row[2] for row in charts["fatalities"]["rows"]) == sum(p.get("fatalities") or 0 for p in items)


def test_summary_compares_with_the_month_before_as_the_api_counts_it(read_client):
    """For a whole month the sentence names the month before, with the API's counts inside the Area of Separation."""
    def separation(start, end):
        args = api_args({"start": start, "end": end})
        features = read_client.get("/api/collections/incidents/items", query_string=args).get_json()["features"]
        return sum(f["properties"]["zone"] == "separation" for f in features)

    stats = read_client.get("/stats.json?start=2025-03-01&end=2025-03-31").get_json()
    now, before = separation("2025-03-01", "2025-03-31"), separation("2025-02-01", "2025-02-28")
    assert stats["summary"].startswith(f"From 1 March 2025 to 31 March 2025, {now} incident")
    if now == before:
        assert "as many as from 1 February 2025 to 28 February 2025" in stats["summary"]
    else:
        assert f"{abs(now - before)} {'more' if now > before else 'fewer'} than from 1 February 2025 to 28 February 2025" \
            in stats["summary"]


def placed(day: str, zone: str, event_type: str = "incursion", fatalities=None) -> Incident:
    """Return an incident already placed against the lines (as the store and positions give them)."""
    governorate = "SY14" if zone != "bravo_beyond" else "SY13"
    return Incident(id=f"{day}-{zone}-{event_type}-{fatalities}",
                    geometry={"type": "Point", "coordinates": [35.8, 33.1]}, date=day, event_type=event_type, fatalities=fatalities,
                    extra={"zone": zone, "near_line": zone == "separation", "governorate": governorate})


def tallies(incidents: list[Incident], unit: str) -> list[Tally]:
    """Count constructed incidents as a store's tally_incidents does."""
    counts = {}
    for i in incidents:
        key = (period_start(date.fromisoformat(i.date), unit).isoformat(), i.event_type, i.extra["zone"],
               i.extra["governorate"], i.extra["near_line"])
        counts.setdefault(key, Counter()).update(incidents=1, with_fatalities=i.fatalities is not None,
                                                 fatalities=i.fatalities or 0)
    return [Tally(*key, c["incidents"], c["with_fatalities"], c["fatalities"]) for key, c in counts.items()]


def statistics(incidents: list[Incident], lang: str = "en", start=None, end=None, unit=None):
    """Return the statistics of constructed incidents."""
    text = messages(lang)
    extent = (min(i.date for i in incidents), max(i.last_date for i in incidents)) if incidents else None
    covered = selection_range(extent, start, end)
    unit = counting_unit(covered, unit)
    return compute_statistics(tallies(incidents, unit), load_vocabulary(), GOVERNORATES, lang,
                              {zone: text[f"zone_{zone}"] for zone in ZONES}, covered, unit)


def march(separation: int, elsewhere: int = 0) -> list[Incident]:
    """Return incidents in March 2025: some inside the Area of Separation, others west of the Alpha line."""
    days = [f"2025-03-{1 + n % 31:02d}" for n in range(separation + elsewhere)]
    return ([placed(day, "separation") for day in days[:separation]]
            + [placed(day, "alpha_0_10", "airstrike") for day in days[separation:]])


def test_summary_sentence_in_english():
    """The example of issue 14, with the plural forms and dates as English writes them."""
    stats = statistics(march(42, 8), start="2025-03-01", end="2025-03-31")
    february = Comparison(date(2025, 2, 1), date(2025, 2, 28), 25)
    assert summary_sentence("en", messages("en"), stats, february) == (
        "From 1 March 2025 to 31 March 2025, 42 incidents were reported inside the Area of Separation, 17 more than "
        "from 1 February 2025 to 28 February 2025. In all, 50 incidents match the filters, 84 % of them past the Alpha line.")
    one = statistics(march(1), start="2025-03-01", end="2025-03-31")
    assert summary_sentence("en", messages("en"), one, Comparison(date(2025, 2, 1), date(2025, 2, 28), 2)) == (
        "From 1 March 2025 to 31 March 2025, 1 incident was reported inside the Area of Separation, 1 fewer than "
        "from 1 February 2025 to 28 February 2025. In all, 1 incident matches the filters (100 % past the Alpha line).")
    same = summary_sentence("en", messages("en"), one, Comparison(date(2025, 2, 1), date(2025, 2, 28), 1))
    assert ", as many as from 1 February 2025 to 28 February 2025." in same
    assert summary_sentence("en", messages("en"), statistics([]), None) == "No incidents match these filters."


def ar_date(day: str) -> str:
    """Return an ISO day as United Nations Arabic texts write it (1 آذار/مارس 2025)."""
    return human_date(date.fromisoformat(day), "ar")


@pytest.mark.parametrize("count, words", [
    (0, "لم تُسجَّل أي حادثة داخل منطقة الفصل"),
    (1, "سُجِّلت حادثة واحدة داخل منطقة الفصل"),
    (2, "سُجِّلت حادثتان داخل منطقة الفصل"),
    (3, "سُجِّلت 3 حوادث داخل منطقة الفصل"),
    (11, "سُجِّلت 11 حادثةً داخل منطقة الفصل"),
    (100, "سُجِّلت 100 حادثة داخل منطقة الفصل"),
])
def test_summary_sentence_in_arabic_takes_each_plural_form(count, words):
    """Arabic's six plural forms (zero, one, two, few, many, other) each give their own wording."""
    stats = statistics(march(count, 1), "ar", start="2025-03-01", end="2025-03-31")
    sentence = summary_sentence("ar", messages("ar"), stats, Comparison(date(2025, 2, 1), date(2025, 2, 28), count))
    assert sentence.startswith(f"من {ar_date('2025-03-01')} إلى {ar_date('2025-03-31')}، {words}، وهو العدد نفسه المسجَّل "
                               f"من {ar_date('2025-02-01')} إلى {ar_date('2025-02-28')}. ")


def test_arabic_summary_counts_the_change_and_the_total():
    """The change and the total take their own plural forms."""
    stats = statistics(march(5, 6), "ar", start="2025-03-01", end="2025-03-31")
    sentence = summary_sentence("ar", messages("ar"), stats, Comparison(date(2025, 2, 1), date(2025, 2, 28), 3))
    assert sentence == (f"من {ar_date('2025-03-01')} إلى {ar_date('2025-03-31')}، سُجِّلت 5 حوادث داخل منطقة الفصل، بزيادة "
                        f"حادثتين عن الفترة من {ar_date('2025-02-01')} إلى {ar_date('2025-02-28')}. تطابق عوامل التصفية 11 حادثةً "
                        "في المجموع، 45.5٪ منها شرقي خط ألفا.")


def test_periods_and_the_range_before():
    """Weeks start on Monday, months on the 1st; a whole month compares with the month before, else as many days."""
    assert periods(date(2025, 3, 5), date(2025, 3, 18), "week")[0] == (date(2025, 3, 3), date(2025, 3, 9))
    assert len(periods(date(2025, 3, 5), date(2025, 3, 18), "week")) == 3
    assert periods(date(2024, 12, 31), date(2025, 1, 1), "month") == [
        (date(2024, 12, 1), date(2024, 12, 31)), (date(2025, 1, 1), date(2025, 1, 31))]
    assert previous_range(date(2025, 3, 1), date(2025, 3, 31)) == (date(2025, 2, 1), date(2025, 2, 28))
    assert previous_range(date(2025, 1, 1), date(2025, 3, 31)) == (date(2024, 10, 1), date(2024, 12, 31))
    assert previous_range(date(2025, 3, 10), date(2025, 3, 16)) == (date(2025, 3, 3), date(2025, 3, 9))


def test_fatalities_are_summed_where_recorded_and_the_rest_counted():
    """Incidents with a figure add it; those without one are counted apart, per period."""
    incidents = [placed("2025-03-02", "separation", fatalities=3), placed("2025-03-09", "separation", fatalities=0),
                 placed("2025-04-01", "bravo_beyond"), placed("2025-04-02", "alpha_0_10", fatalities=2)]
    stats = statistics(incidents, unit="month")
    assert stats.tables["fatalities"].rows == [("2025-03-01", "2025-03-31", 3, 2, 0),
                                               ("2025-04-01", "2025-04-30", 2, 1, 1)]
    assert stats.without_fatalities == 1
    assert stats.tables["share"].rows == [("2025-03-01", "2025-03-31", 2, 2, 2, 100.0, 100.0),
                                          ("2025-04-01", "2025-04-30", 2, 0, 1, 0.0, 50.0)]
    assert [row[2] for row in stats.tables["governorates"].rows] == [3, 1]


@pytest.mark.parametrize("unit", ["week", "month"])
def test_store_tallies_equal_the_incidents_it_returns(read_client, unit):
    """The store's grouped counts (periods, zones, governorates, near_line, fatalities summed in SQL) equal
    those of the incidents it returns for the same filters, weeks starting on Monday."""
    query = IncidentQuery(start="2025-01-01")
    with read_client.application.app_context():
        store = get_store()
        got = store.tally_incidents(query, unit)
        expected = tallies(store.query_incidents(query), unit)
    assert sorted(got, key=repr) == sorted(expected, key=repr)
    assert sum(t.incidents for t in got) > 10 and sum(t.fatalities for t in got) > 0
    assert all(date.fromisoformat(t.period) == period_start(date.fromisoformat(t.period), unit) for t in got)


def test_csv_parses_with_the_header_first(read_client):
    """Each chart's CSV has its columns first, CRLF line ends, and the rows of the JSON."""
    stats = read_client.get("/stats.json?type=incursion").get_json()
    for chart, table in stats["charts"].items():
        response = read_client.get(f"/stats.csv?chart={chart}&type=incursion")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        text = response.get_data(as_text=True)
        assert text.endswith("\r\n")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert rows[0] == table["columns"]
        assert rows[1:] == [["" if v is None else str(v) for v in row] for row in table["rows"]]
    assert read_client.get("/stats.csv").get_json()["errors"][0]["field"] == "chart"


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_png_has_the_requested_size_and_is_not_blank(read_client, lang):
    """A chart image is as large as asked, holds bars and text, and is cached by data version."""
    url = f"/stats.png?chart=timeline&width=640&height=360&lang={lang}"
    response = read_client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data)).convert("RGB")
    assert image.size == (640, 360)
    colours = {colour for _, colour in image.getcolors(640 * 360)}
    assert len(colours) > 10 and (192, 57, 43) in colours  # antialiased text, and the airstrike colour's bars
    again = read_client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_image_size_is_capped(read_client):
    """Too large or too small an image is a 400 in the API's error shape."""
    body = read_client.get("/stats.png?chart=zones&width=9000&height=100").get_json()
    assert body["code"] == "InvalidParameterValue"
    assert {e["field"] for e in body["errors"]} == {"width", "height"}


def test_svg_is_a_document_with_text(read_client):
    """The SVG parses, has the asked size and its text in the page language."""
    response = read_client.get("/stats.svg?chart=zones&lang=ar&width=500&height=400")
    root = ElementTree.fromstring(response.data)
    assert (root.get("width"), root.get("height")) == ("500", "400")
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "منطقة الفصل" in texts and "الحوادث في كل منطقة، من الغرب إلى الشرق" in texts


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("chart", ["timeline", "share"])
def test_server_charts_name_periods_and_read_the_page_way(read_client, chart, lang):
    """The SVG charts over time name their months as the page's language does (Dec 2024, كانون الأول/ديسمبر
    2024) and run the way it reads: in Arabic the earliest month right of the latest and the counts at the right;
    the CSV keeps ISO dates."""
    rows = list(csv.reader(io.StringIO(read_client.get(f"/stats.csv?chart={chart}&lang={lang}").get_data(as_text=True))))
    first = rows[1][0]
    assert re.fullmatch(r"\d{4}-\d{2}-01", first)
    root = ElementTree.fromstring(read_client.get(f"/stats.svg?chart={chart}&lang={lang}&width=1400&height=400").data)
    at = {t.text: float(t.get("x")) for t in root.iter("{http://www.w3.org/2000/svg}text")}
    months = {period_label(row[0], "month", lang): row[0] for row in rows[1:]}
    shown = sorted((months[text], x) for text, x in at.items() if text in months)
    assert len(shown) >= 3 and shown[0][0] == first  # the first period is always named
    xs = [x for _, x in shown]
    assert xs == (sorted(xs, reverse=True) if lang == "ar" else sorted(xs))
    assert (at["0"] > xs[0]) == (lang == "ar")  # the value axis stands where time starts


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_tables_for_screen_readers_name_periods_and_days_in_words(read_client, lang):
    """The charts' tables write each period and its last day as the page's language does, ISO in `datetime`."""
    page = read_client.get(f"/stats?lang={lang}&start=2025-02-01&end=2025-03-31&unit=month").get_data(as_text=True)
    table = page.split('data-chart-table="timeline"', 1)[1].split("</table>", 1)[0]
    assert f'<time datetime="2025-02-01">{period_label("2025-02-01", "month", lang)}</time>' in table
    assert f'<time datetime="2025-02-28">{human_date("2025-02-28", lang)}</time>' in table


def test_page_in_both_languages_with_tables_for_screen_readers(read_client):
    """The page has the navigation, a table per chart (visually collapsed, not display:none) and the data block."""
    english = read_client.get("/stats?type=incursion").get_data(as_text=True)
    assert english.count('<div class="visually-hidden"><table data-chart-table=') == 5
    assert 'id="webmap-stats-data"' in english and "Back to the full map" in english
    assert 'href="/?type=incursion"' in english
    assert english.count("&lt;iframe src=&#34;http://localhost/embed/chart?chart=") == 5  # a share snippet each
    assert 'href="/stats.csv?chart=zones&amp;type=incursion"' in english
    arabic = read_client.get("/stats?type=incursion&lang=ar").get_data(as_text=True)
    assert 'dir="rtl"' in arabic and "الحوادث في كل محافظة" in arabic
    css = read_client.get("/static/css/stats.css").get_data(as_text=True)
    hidden = css.split(".visually-hidden {", 1)[1].split("}", 1)[0]
    assert "display" not in hidden and "clip" in hidden
    assert read_client.get("/stats?start=2025-13-01").status_code == 400
    assert 'id="stats-link"' in read_client.get("/?type=raid").get_data(as_text=True)


def test_chart_embed_is_framable_and_the_page_is_not(read_client):
    """Only the chart embed may be framed."""
    embed = read_client.get("/embed/chart?chart=share&type=incursion")
    assert embed.status_code == 200 and "X-Frame-Options" not in embed.headers
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    assert read_client.get("/stats").headers["X-Frame-Options"] == "DENY"
    assert read_client.get("/embed/chart").status_code == 400


@pytest.mark.parametrize("path", ["/stats?type=raid&chart=zones", "/embed/chart?chart=zones&type=raid"])
def test_oembed_answers_for_charts(read_client, path):
    """A pasted statistics or chart link becomes the chart embed's sandboxed iframe."""
    body = read_client.get("/oembed", query_string={"url": f"http://localhost{path}", "maxwidth": "400"}).get_json()
    assert body["type"] == "rich" and body["width"] == 400
    assert 'src="http://localhost/embed/chart?chart=zones&amp;type=raid"' in body["html"]
    assert 'sandbox="' in body["html"] and body["title"] == "Incidents per zone, west to east"


def test_chart_library_is_served_from_our_origin(read_client):
    """Plot and d3 come from /vendor/, and nothing else of node_modules does."""
    assert read_client.get("/vendor/@observablehq/plot/dist/plot.umd.min.js").status_code == 200
    assert read_client.get("/vendor/d3/dist/d3.min.js").status_code == 200
    assert read_client.get("/vendor/d3/package.json").status_code == 404


def test_answers_follow_the_data_version(fixture_app):
    """A current copy gets a 304; a write gives a new ETag and new numbers."""
    client = fixture_app.test_client()
    first = client.get("/stats.json?type=raid&unit=week")
    assert first.status_code == 200 and first.mimetype == "application/json"
    assert first.get_json()["unit"] == "week" and first.get_json()["total"] == 1
    assert client.get("/stats.json?type=raid&unit=week",
                      headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    with fixture_app.app_context():
        get_store().add_incidents([placed("2025-01-20", "separation", "raid")], BatchInfo(user="test"))
    second = client.get("/stats.json?type=raid&unit=week", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200 and second.headers["ETag"] != first.headers["ETag"]
    assert second.get_json()["total"] == 2


def test_migration_fills_the_fatalities_of_existing_rows(tmp_path):
    """A database from before fatalities had a column of their own gets them from each stored Feature, so the
    statistics of old rows sum the same figures."""
    store = SQLiteStore(tmp_path / "old.db")
    store.initialize()
    incidents = [placed("2025-03-02", "separation", fatalities=3), placed("2025-03-09", "separation"),
                 placed("2025-04-01", "bravo_beyond", fatalities=2)]
    store.add_incidents(incidents, BatchInfo(user="test"))
    conn = store._connection()
    conn.execute("ALTER TABLE incident DROP COLUMN fatalities")
    # Later migrations cannot run twice, so the fatalities one is run alone, as initialize() runs it.
    conn.executescript(next(script for script in MIGRATIONS if "ADD COLUMN fatalities" in script))
    tallies = store.tally_incidents(IncidentQuery(), "month")
    assert sorted((t.period, t.fatalities, t.with_fatalities, t.incidents) for t in tallies) == [
        ("2025-03-01", 3, 1, 2), ("2025-04-01", 2, 1, 1)]
    store.close()
