"""Embeds over HTTP: parameters, framing, cookies, oEmbed, pinned versions and version-keyed caching."""
import re
import time
from datetime import datetime, timedelta, timezone
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import make_app, map_data
from test_map_page import expected

import webmap.views.embed as view
from webmap.core.model import Incident
from webmap.store import BatchInfo, IncidentQuery, get_store

DEFAULT_LAYERS = ["countries", "golan_heights", "governorates", "areas_of_limitation",
                  "area_of_separation", "alpha_line", "bravo_line", "towns"]


def shown_layers(html: str) -> list[str]:
    """Return the reference layers a map page adds to the map at start, by id."""
    return [layer["id"] for layer in map_data(html)["layers"] if layer["shown"]]


WORLD = "-180,-85,180,85"


def embed_features(client, html: str) -> list[dict]:
    """Return the incidents an embed page loads (as its script asks /map-data/view, here for the whole world:
    the fixture's few incidents all come one by one)."""
    live = map_data(html)["config"]["live"]
    response = client.get(live["view_url"], query_string={**live["filters"], "bbox": WORLD, "zoom": "2"})
    assert response.status_code == 200 and not response.get_json()["clustered"]
    return response.get_json()["features"]


def drawn_ids_any(client, html: str) -> list[str]:
    """Return the ids of every incident an embed page loads."""
    return [feature["id"] for feature in embed_features(client, html)]


def next_second_after(moment: datetime) -> datetime:
    """Wait until the clock has passed into the second after `moment`; return the time then."""
    target = moment.replace(microsecond=0) + timedelta(seconds=1)
    while (now := datetime.now(timezone.utc)) < target:
        time.sleep((target - now).total_seconds())
    return now


def pinned_changes(html: str) -> int:
    """Return the "changed since" count a pinned embed states."""
    return int(re.search(r'data-changed="(\d+)"', html).group(1))


def incident(incident_id: str, event_type: str, day: str, lon: float = 35.9, lat: float = 33.1) -> Incident:
    """Return a point incident for a write in a test."""
    return Incident(id=incident_id, geometry={"type": "Point", "coordinates": [lon, lat]}, date=day,
                    event_type=event_type, title=f"{event_type} {incident_id}", precision="town")


def write(app, add=(), delete=()) -> int:
    """Change the data through the store as an upload would; return the new data version."""
    with app.app_context():
        store = get_store()
        if add:
            store.add_incidents(list(add), BatchInfo(user="test"))
        if delete:
            store.delete_incidents(list(delete), BatchInfo(user="test"))
        return store.data_version()


# --- the embed page ---------------------------------------------------------------------------

@pytest.mark.parametrize("query, start, end, types", [
    ("", None, None, ()),
    ("?type=airstrike", None, None, ("airstrike",)),
    ("?start=2025-02-01&end=2025-03-31&type=airstrike,arrest", "2025-02-01", "2025-03-31", ("airstrike", "arrest")),
])
def test_embed_draws_the_filtered_incidents(client, query, start, end, types):
    """The embed shows exactly the incidents the author's filters select, and says how many."""
    response = client.get("/embed" + query)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert len([i for i in drawn_ids_any(client, html) if i.startswith("t-")]) == expected(start, end, types)
    assert f"{expected(start, end, types)} incidents match" in html


def test_embed_is_chromeless_with_legend_and_a_full_map_link(client):
    """No site navigation or filter form; a legend, attributions and a new-tab link to the same view on /."""
    html = client.get("/embed?type=raid&lat=33.1&lon=35.9&zoom=11&lang=ar").get_data(as_text=True)
    assert 'class="topbar"' not in html and 'class="filters"' not in html
    assert 'class="embed-legend"' in html and "Natural Earth" in " ".join(map_data(html)["attributions"])
    link = re.search(r'<a class="embed-open" href="([^"]+)" target="_blank" rel="noopener">', html).group(1)
    parts = urlsplit(unescape(link))
    assert parts.path == "/"
    assert parse_qs(parts.query) == {"type": ["raid"], "lat": ["33.1"], "lon": ["35.9"], "zoom": ["11"], "lang": ["ar"]}
    assert '<html lang="ar" dir="rtl">' in html
    assert 'class="embed-legend"' not in client.get("/embed?legend=0").get_data(as_text=True)


def test_embed_honours_the_view_and_visible_layers(client):
    """`layers` picks the reference layers shown, `bbox` fits the map to it, lat/lon/zoom centre it."""
    html = client.get("/embed?layers=alpha_line,towns&bbox=35.5,32.5,36.5,33.5").get_data(as_text=True)
    assert shown_layers(html) == ["alpha_line", "towns"]
    assert re.search(r"fitBounds\(\s*\[\[32\.5, 35\.5\], \[33\.5, 36\.5\]\]", html)
    assert re.findall(r'class="legend-layer" data-layer="(\w+)"', html) == ["alpha_line", "towns"]
    assert shown_layers(client.get("/embed?layers=").get_data(as_text=True)) == []
    assert shown_layers(client.get("/embed").get_data(as_text=True)) == DEFAULT_LAYERS
    centred = client.get("/embed?lat=33.2&lon=35.85&zoom=12").get_data(as_text=True)
    assert re.search(r"center: \[33\.2, 35\.85\]", centred) and '"zoom": 12' in centred


def test_full_map_honours_the_same_view(client):
    """`/` takes layers, bbox and lat/lon/zoom too, so "open full map" shows the embed's view."""
    html = client.get("/?layers=bravo_line&lat=33.3&lon=35.8&zoom=10").get_data(as_text=True)
    assert shown_layers(html) == ["bravo_line"]
    assert re.search(r"center: \[33\.3, 35\.8\]", html) and '"zoom": 10' in html
    assert "fitBounds(" in client.get("/?bbox=35.5,32.5,36.5,33.5").get_data(as_text=True)
    bad = client.get("/?layers=nowhere")
    assert bad.status_code == 400 and "unknown layer &#39;nowhere&#39;" in bad.get_data(as_text=True)


@pytest.mark.parametrize("query, field, words", [
    ("layers=alpha_line,nowhere", "layers", "unknown layer &#39;nowhere&#39;"),
    ("bbox=35,32,36", "bbox", "not four comma-separated numbers"),
    ("bbox=36,32,35,33", "bbox", "minx (36) must be below maxx (35)"),
    ("bbox=35,32,36,nan", "bbox", "not a number"),
    ("bbox=35,32,36,33&zoom=9", "bbox", "either bbox or lat/lon/zoom"),
    ("lat=33", "lon", "lat and lon go together"),
    ("lat=95&lon=36", "lat", "from -90 to 90"),
    ("zoom=25", "zoom", "from 0 to 18"),
    ("legend=yes", "legend", "not 0 or 1"),
    ("lang=fr", "lang", "not one of"),
    ("type=bombardment", "type", "unknown event type"),
    ("start=2025-02-30", "start", "not a valid date"),
    ("as_of=last-week", "as_of", "neither a data version"),
    ("as_of=99", "as_of", "does not exist yet; the latest is 1"),
    ("as_of=2999-01-01", "as_of", "in the future"),
])
def test_bad_embed_parameters_get_a_400_page_that_says_why(client, query, field, words):
    """Every invalid parameter answers 400 naming the field and the reason, inside the frame."""
    response = client.get("/embed?" + query)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f"<code>{field}</code>" in html and words in html
    assert "X-Frame-Options" not in response.headers  # the reason shows inside the article's frame
    assert 'target="_blank" rel="noopener">Back to the map' in html  # the map opens outside the frame


def test_all_bad_parameters_are_reported_together(client):
    """An author fixing an embed URL sees every problem at once."""
    html = client.get("/embed?layers=x&zoom=99&legend=2&type=nope").get_data(as_text=True)
    assert all(f"<code>{field}</code>" in html for field in ("layers", "zoom", "legend", "type"))


# --- framing and cookies ------------------------------------------------------------------------

def test_only_the_embed_may_be_framed(client):
    """/embed names its frame ancestors and sends no X-Frame-Options; other pages refuse all framing."""
    embed = client.get("/embed")
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed.headers
    for path in ("/", "/about", "/oembed?url=http://localhost/"):
        response = client.get(path)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
        assert response.headers["X-Frame-Options"] == "DENY", path


def test_frame_ancestors_allow_list(tmp_path):
    """With an allow-list, only those sites (and this one, for the share preview) may frame the embed."""
    from webmap.ingest.geodata import prepare_database

    app = make_app(tmp_path, EMBED_FRAME_ANCESTORS="https://news.example https://*.paper.example")
    with app.app_context():
        prepare_database(with_samples=False)
    csp = app.test_client().get("/embed").headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://news.example https://*.paper.example" in csp


def test_embed_sends_no_cookies(client):
    """Sandboxed frames have no cookies: the embed neither needs nor sets one, in any answer."""
    first = client.get("/embed?type=raid")
    revalidated = client.get("/embed?type=raid", headers={"If-None-Match": first.headers["ETag"]})
    bad = client.get("/embed?zoom=99")
    assert [r.status_code for r in (first, revalidated, bad)] == [200, 304, 400]
    assert all("Set-Cookie" not in r.headers for r in (first, revalidated, bad))


# --- caching ------------------------------------------------------------------------------------

def test_etag_revalidation_answers_304_without_rendering(client, monkeypatch):
    """A matching If-None-Match gets 304 with no body, before any map is built."""
    first = client.get("/embed?type=airstrike")
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "public, max-age=60, s-maxage=300"
    assert first.headers["Last-Modified"]
    monkeypatch.setattr(view, "build_embed_page", lambda *a, **k: pytest.fail("rendered for a revalidation"))
    again = client.get("/embed?type=airstrike", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]


def test_equal_views_share_an_etag_and_different_ones_do_not(client):
    """The ETag follows the normalised parameters: order and spelling do not matter, content does."""
    etag = lambda url: client.get(url).headers["ETag"]  # noqa: E731
    assert etag("/embed?type=raid,airstrike&zoom=9") == etag("/embed?zoom=9&type=airstrike&type=raid")
    assert etag("/embed?type=raid") != etag("/embed?type=airstrike")
    assert etag("/embed?lang=ar") != etag("/embed")


def test_rendered_embeds_are_reused_until_the_data_changes(fixture_app, monkeypatch):
    """Repeated requests reuse the rendered page; an upload changes the ETag at once and re-renders."""
    builds = []
    real = view.build_embed_page
    monkeypatch.setattr(view, "build_embed_page", lambda *a, **k: builds.append(1) or real(*a, **k))
    client = fixture_app.test_client()
    first = client.get("/embed?type=raid")
    second = client.get("/embed?type=raid")
    assert len(builds) == 1 and first.data == second.data and first.headers["ETag"] == second.headers["ETag"]
    write(fixture_app, add=[incident("new-1", "raid", "2025-05-01")])
    stale = client.get("/embed?type=raid", headers={"If-None-Match": first.headers["ETag"]})
    assert stale.status_code == 200 and stale.headers["ETag"] != first.headers["ETag"]
    assert "new-1" in drawn_ids_any(client, stale.get_data(as_text=True)) and len(builds) == 2


def test_reloaded_reference_layers_change_the_embed_at_once(fixture_app):
    """Different reference layers start a data version: the old ETag no longer matches and the page shows them."""
    from dataclasses import replace

    from webmap.ingest.geodata import LAYERS_BATCH

    client = fixture_app.test_client()
    first = client.get("/embed")
    with fixture_app.app_context():
        store = get_store()
        layers = store.list_reference_layers()
        revised = replace(layers[0], meta={**layers[0].meta, "title": {"en": "Alpha line (revised)"}})
        store.put_reference_layers([revised, *layers[1:]], LAYERS_BATCH)
    stale = client.get("/embed", headers={"If-None-Match": first.headers["ETag"]})
    assert stale.status_code == 200 and stale.headers["ETag"] != first.headers["ETag"]
    assert "Alpha line (revised)" in stale.get_data(as_text=True)
    runner = fixture_app.test_cli_runner()
    assert "already loaded; nothing changed" not in runner.invoke(args=["init", "--reload-geodata"]).output
    assert "already loaded; nothing changed" in runner.invoke(args=["init", "--reload-geodata"]).output


# --- pinned embeds ------------------------------------------------------------------------------

def test_pinned_embed_keeps_its_data_after_uploads_edits_and_deletions(fixture_app):
    """A pinned embed shows the data as it was; the live one changes; the pin says how many changed."""
    client = fixture_app.test_client()
    pinned_version = write(fixture_app)
    before = sorted(drawn_ids_any(client, client.get("/embed").get_data(as_text=True)))
    edited = incident("t-003", "airstrike", "2025-02-01", lon=36.0, lat=33.0)
    write(fixture_app, add=[incident("new-1", "airstrike", "2025-05-01"), incident("new-2", "arrest", "2025-05-02"),
                            edited])
    write(fixture_app, delete=["t-002"])

    pinned = client.get(f"/embed?as_of={pinned_version}")
    html = pinned.get_data(as_text=True)
    assert sorted(drawn_ids_any(client, html)) == before
    t003 = next(f for f in embed_features(client, html) if f["id"] == "t-003")
    assert t003["geometry"]["coordinates"] != [36.0, 33.0]  # as it was, not as edited
    assert pinned_changes(html) == 4  # two inserted, one edited, one deleted
    assert "4 incidents have changed since." in html and "See the live map" in html
    assert pinned.headers["Cache-Control"] == "public, max-age=86400, s-maxage=86400"

    live = sorted(drawn_ids_any(client, client.get("/embed").get_data(as_text=True)))
    assert live == sorted(set(before) - {"t-002"} | {"new-1", "new-2"})
    filtered = client.get(f"/embed?as_of={pinned_version}&type=airstrike").get_data(as_text=True)
    assert pinned_changes(filtered) == 2  # new-1 and the edit of t-003; the raid and arrest are outside


def test_pin_by_time_picks_the_version_current_then(fixture_app):
    """`as_of` also takes an ISO 8601 time: the embed shows the data that was current at that moment."""
    client = fixture_app.test_client()
    first_version = write(fixture_app)
    # The store records write times to the second: the pin names a second after the first write and before
    # the second one.
    moment = next_second_after(datetime.now(timezone.utc)).isoformat(timespec="seconds")
    next_second_after(datetime.fromisoformat(moment))
    write(fixture_app, add=[incident("new-1", "raid", "2025-05-01")])
    by_time = client.get(f"/embed?as_of={moment.replace('+00:00', 'Z')}").get_data(as_text=True)
    by_version = client.get(f"/embed?as_of={first_version}").get_data(as_text=True)
    assert drawn_ids_any(client, by_time) == drawn_ids_any(client, by_version)
    assert "new-1" not in drawn_ids_any(client, by_time)
    assert f'data-pinned-version="{first_version}"' in by_time
    empty = client.get("/embed?as_of=2000-01-01").get_data(as_text=True)
    assert drawn_ids_any(client, empty) == [] and 'data-pinned-version="0"' in empty


def test_count_changed_since_counts_each_incident_once(fixture_app):
    """The store counts inserted, edited and deleted incidents after a version, within the filters."""
    version = write(fixture_app)
    write(fixture_app, add=[incident("new-1", "raid", "2025-05-01")])
    write(fixture_app, add=[incident("new-1", "raid", "2025-05-03")])  # edited after being added
    write(fixture_app, delete=["t-001", "missing"])
    with fixture_app.app_context():
        store = get_store()
        assert store.count_changed_since(version, IncidentQuery()) == 2
        assert store.count_changed_since(version, IncidentQuery(event_types=("incursion",))) == 1
        assert store.count_changed_since(version, IncidentQuery(start="2025-05-02")) == 1
        assert store.count_changed_since(store.data_version(), IncidentQuery()) == 0


# --- oEmbed -------------------------------------------------------------------------------------

def oembed(client, url: str, **args):
    """Ask the oEmbed endpoint about a URL."""
    return client.get("/oembed", query_string={"url": url, "format": "json", **args})


@pytest.mark.parametrize("maxes, size", [
    ({}, (640, 480)),
    ({"maxwidth": "300"}, (300, 225)),
    ({"maxheight": "200"}, (640, 200)),
    ({"maxwidth": "400", "maxheight": "250"}, (400, 250)),
    ({"maxwidth": "2000", "maxheight": "2000"}, (640, 480)),
])
def test_oembed_returns_the_iframe_within_the_size_limits(client, maxes, size):
    """A map URL gets a `rich` answer whose iframe embeds the same view, never larger than asked."""
    response = oembed(client, "http://localhost/?type=raid&lat=33.1&lon=35.9&zoom=10", **maxes)
    assert response.status_code == 200
    body = response.get_json()
    assert body["type"] == "rich" and body["version"] == "1.0"
    assert (body["width"], body["height"]) == size
    iframe = body["html"]
    assert iframe.startswith("<iframe ") and f'width="{size[0]}" height="{size[1]}"' in iframe
    src = unescape(re.search(r'src="([^"]+)"', iframe).group(1))
    assert urlsplit(src).path == "/embed"
    assert parse_qs(urlsplit(src).query) == {"type": ["raid"], "lat": ["33.1"], "lon": ["35.9"], "zoom": ["10"]}
    assert 'title="Incidents in southern Syria · Raid"' in iframe and 'loading="lazy"' in iframe
    assert client.get(src).status_code == 200


@pytest.mark.parametrize("url, args, status, code", [
    ("http://elsewhere.example/?type=raid", {}, 404, "NotFound"),
    ("http://localhost/about", {}, 404, "NotFound"),
    ("ftp://localhost/", {}, 404, "NotFound"),
    ("http://localhost/", {"format": "xml"}, 501, "NotImplemented"),
    ("http://localhost/", {"maxwidth": "-5"}, 400, "InvalidParameterValue"),
    ("http://localhost/embed?layers=nowhere", {}, 400, "InvalidParameterValue"),
    ("", {}, 400, "InvalidParameterValue"),
])
def test_oembed_errors_use_the_json_error_shape(client, url, args, status, code):
    """Other hosts and non-map pages are 404, XML is 501, bad input is 400, all as JSON errors."""
    response = oembed(client, url, **args)
    assert response.status_code == status
    body = response.get_json()
    assert body["code"] == code and body["description"] and isinstance(body["errors"], list)


@pytest.mark.parametrize("page", ["/?type=raid", "/embed?type=raid"])
def test_map_pages_advertise_oembed_discovery(client, page):
    """Every map page links its oEmbed description in <head>, and that link answers with the iframe."""
    html = client.get(page).get_data(as_text=True)
    head = html.split("</head>")[0]
    link = re.search(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)" title="([^"]+)">', head)
    assert link
    response = client.get(unescape(link.group(1)))
    assert response.status_code == 200 and "type=raid" in response.get_json()["html"]


def test_pinned_oembed_keeps_the_pin(client):
    """An oEmbed for a pinned embed URL embeds the same pin."""
    body = oembed(client, "http://localhost/embed?as_of=1&type=raid").get_json()
    assert "as_of=1" in body["html"] and "data version 1" in body["title"]


def test_gzip_is_its_own_representation(client):
    """Clients that accept gzip get the same page compressed, under its own ETag, with Vary set."""
    import gzip

    plain = client.get("/embed?type=raid")
    packed = client.get("/embed?type=raid", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers
    assert gzip.decompress(packed.data) == plain.data and len(packed.data) < len(plain.data) / 3
    assert packed.headers["ETag"] != plain.headers["ETag"]
    assert plain.headers["Vary"] == packed.headers["Vary"] == "Accept-Encoding"
    again = client.get("/embed?type=raid", headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304 and again.headers["Vary"] == "Accept-Encoding"
    assert client.get("/embed?type=raid", headers={"If-None-Match": packed.headers["ETag"]}).status_code == 200


def test_render_cache_stays_within_its_size():
    """The in-process cache drops the least recently used pages to stay under its byte budget."""
    from webmap.core.lru import SizedLRU

    cache = SizedLRU(10)
    cache.put("a", b"1234")
    cache.put("b", b"1234")
    assert cache.get("a") == b"1234"  # now the most recently used
    cache.put("c", b"1234")
    assert cache.get("b") is None and cache.get("a") == b"1234" and cache.get("c") == b"1234"
    cache.put("huge", b"x" * 11)
    assert cache.get("huge") is None and len(cache) == 2


def test_revalidation_shortcut_answers_like_the_view(client, monkeypatch):
    """The 304 sent before Flask runs carries the view's validators, freshness and framing headers; a bad
    query with an If-None-Match still reaches the view and gets its 400."""
    first = client.get("/embed?type=raid&lang=ar")
    monkeypatch.setattr(view, "build_embed_page", lambda *a, **k: pytest.fail("rendered for a revalidation"))
    again = client.get("/embed?type=raid&lang=ar", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    for name in ("ETag", "Cache-Control", "Vary"):
        assert again.headers[name] == first.headers[name]
    # No policy on a 304: the browser's stored copy keeps its own, which allows its inline scripts by hash.
    assert "Content-Security-Policy" not in again.headers
    assert "X-Frame-Options" not in again.headers and "Set-Cookie" not in again.headers
    bad = client.get("/embed?type=nonsense", headers={"If-None-Match": first.headers["ETag"]})
    assert bad.status_code == 400 and "unknown event type" in bad.get_data(as_text=True)


def test_embed_incidents_carry_their_position(client):
    """An embed's incidents carry zone and governorate, so its popups say the same as the full map's."""
    features = embed_features(client, client.get("/embed?type=raid").get_data(as_text=True))
    assert [(f["properties"]["zone"], f["properties"]["governorate"]) for f in features] == [("bravo_0_10", "SY03")]


# --- title and caption --------------------------------------------------------------------------

def test_title_and_caption_are_escaped_and_capped(client):
    """The author's title and caption reach the frame as escaped text, control and direction-override
    characters removed; the title names the iframe in oEmbed; too long is a 400 naming the field."""
    html = client.get("/embed", query_string={"title": "<script>alert(1)</script>\u202eStrikes",
                                              "caption": "Reported by\x00 <b>us</b>"}).get_data(as_text=True)
    assert '<h1 class="embed-title" dir="auto">&lt;script&gt;alert(1)&lt;/script&gt; Strikes</h1>' in html
    assert '<p class="embed-caption" dir="auto">Reported by &lt;b&gt;us&lt;/b&gt;</p>' in html
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; Strikes</title>" in html
    assert 'class="embed-title"' not in client.get("/embed").get_data(as_text=True)
    body = oembed(client, "http://localhost/embed?title=Strikes+in+Daraa").get_json()
    assert body["title"] == "Strikes in Daraa" and "title=Strikes+in+Daraa" in body["html"]
    too_long = client.get("/embed", query_string={"title": "x" * 121, "caption": "y" * 301})
    assert too_long.status_code == 400
    assert all(f"<code>{name}</code>" in too_long.get_data(as_text=True) for name in ("title", "caption"))


@pytest.mark.parametrize("lang, expected", [
    ("en", "2025-01-01 – 2025-03-31 · Airstrike, Raid · Verification: Verified · Source: localhost (data version "),
    ("ar", "2025-01-01 – 2025-03-31 · غارة جوية، مداهمة · التحقق: مُتحقق منه · المصدر: localhost (إصدار البيانات "),
])
def test_automatic_caption_states_dates_filters_and_source(client, lang, expected):
    """caption=auto writes the dates, the filters in words and the source with the data version shown."""
    html = client.get("/embed?caption=auto&type=airstrike,raid&verification=verified&start=2025-01-01"
                      f"&end=2025-03-31&lang={lang}").get_data(as_text=True)
    caption = re.search(r'<p class="embed-caption" dir="auto">([^<]+)</p>', html).group(1)
    assert unescape(caption).startswith(expected)


def test_embed_says_when_it_shows_synthetic_incidents(fixture_app):
    """Generated incidents are not real events: the embed's legend says how many it includes."""
    from webmap.cli.synthetic import synthetic_incidents

    write(fixture_app, add=synthetic_incidents(25))
    html = fixture_app.test_client().get("/embed").get_data(as_text=True)
    assert "Includes 25 synthetic incidents" in html
