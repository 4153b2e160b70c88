"""Selecting incidents by their position against the 1974 lines: zone, governorate and distance ranges on the
map, its data endpoints, embeds and the read API, with counts per choice."""
import re
from collections import Counter

import pytest
from api_fixtures import assert_error, ids_of
from playwright.sync_api import expect
from test_browser_live import count_text, open_map, url_args
from test_embed import drawn_ids_any

from webmap.store import COUNTABLE_COLUMNS, IncidentQuery, PositionFilter, get_store
from webmap.store.sqlite.incidents import _where

ITEMS = "/api/collections/incidents/items"


def positions(client) -> dict:
    """Return every fixture incident's position properties, by id, as the API gives them."""
    return {f["id"]: f["properties"] for f in client.get(f"{ITEMS}?limit=1000").get_json()["features"]}


def selected(client, condition) -> list[str]:
    """Return the ids (sorted) of the fixture incidents whose properties meet `condition`."""
    return sorted(i for i, p in positions(client).items() if condition(p))


@pytest.mark.parametrize("query, condition", [
    ("zone=bravo_0_10", lambda p: p["zone"] == "bravo_0_10"),
    ("zone=separation,bravo_beyond", lambda p: p["zone"] in ("separation", "bravo_beyond")),
    ("governorate=SY03", lambda p: p["governorate"] == "SY03"),
    ("governorate=sy14,SY12", lambda p: p["governorate"] in ("SY14", "SY12")),
    ("distance_alpha_km=0,10", lambda p: 0 <= p["distance_alpha_km"] <= 10),
    ("distance_bravo_km=,0", lambda p: p["distance_bravo_km"] <= 0),
    ("distance_bravo_km=5,", lambda p: p["distance_bravo_km"] >= 5),
    ("zone=bravo_beyond&distance_bravo_km=0,40", lambda p: p["zone"] == "bravo_beyond"
     and 0 <= p["distance_bravo_km"] <= 40),
])
def test_api_items_select_by_position(client, query, condition):
    """Each position parameter selects exactly the incidents whose properties say so, and numberMatched agrees."""
    expected = selected(client, condition)
    assert expected  # the fixture holds incidents on both sides of every condition
    assert len(expected) < len(positions(client))
    body = client.get(f"{ITEMS}?{query}&limit=1000").get_json()
    assert sorted(ids_of(body)) == expected
    assert body["numberMatched"] == len(expected)


def test_map_counts_per_zone_and_governorate_follow_the_other_filters(client):
    """The map's counts per zone and governorate are those of the API; each ignores its own filter."""
    every = positions(client)
    summary = client.get("/map-data/summary").get_json()
    assert {z: n for z, n in summary["zones"].items() if n} == Counter(p["zone"] for p in every.values())
    assert {g: n for g, n in summary["governorates"].items() if n} == Counter(
        p["governorate"] for p in every.values() if p["governorate"])
    narrowed = client.get("/map-data/summary?zone=bravo_0_10").get_json()
    in_zone = [p for p in every.values() if p["zone"] == "bravo_0_10"]
    assert narrowed["matched"] == len(in_zone)
    assert narrowed["zones"] == summary["zones"]  # the zone filter leaves its own counts alone
    assert {g: n for g, n in narrowed["governorates"].items() if n} == Counter(p["governorate"] for p in in_zone)


def test_store_counts_by_its_stored_columns(fixture_app, client):
    """`count_incidents_by` counts the matching incidents per zone and per governorate, as the API selects them."""
    every = positions(client)
    with fixture_app.app_context():
        store = get_store()
        by_zone = store.count_incidents_by(IncidentQuery(), "zone")
        by_governorate = store.count_incidents_by(
            IncidentQuery(position=PositionFilter(zones=("bravo_beyond",))), "governorate")
        with pytest.raises(ValueError):
            store.count_incidents_by(IncidentQuery(), "feature")
    assert "governorate" in COUNTABLE_COLUMNS
    assert by_zone == Counter(p["zone"] for p in every.values())
    assert by_governorate == Counter(p["governorate"] for p in every.values() if p["zone"] == "bravo_beyond")


def test_map_page_offers_zones_and_governorates_with_counts_in_each_language(client):
    """The filter panel lists every zone and governorate with its count, named in the page's language, and
    keeps a distance range from the address."""
    html = client.get("/?zone=bravo_0_10&distance_alpha_km=0,").get_data(as_text=True)
    assert 'name="zone" value="bravo_0_10" checked' in html
    assert 'name="governorate" value="SY14"' in html and "Quneitra" in html
    assert 'name="distance_alpha_km" value="0"' in html
    assert "Area of Limitation 0–10 km, Bravo side" in html
    arabic = client.get("/?lang=ar").get_data(as_text=True)
    assert "منطقة الفصل" in arabic and "القنيطرة" in arabic
    counts = client.get("/map-data/summary?distance_alpha_km=0,").get_json()["zones"]
    assert counts["alpha_0_10"] == 0


def test_embed_shows_only_the_zone_asked_for(client):
    """An embed with a zone filter draws only the incidents in that zone."""
    in_zone = selected(client, lambda p: p["zone"] == "bravo_beyond")
    html = client.get("/embed?zone=bravo_beyond").get_data(as_text=True)
    assert sorted(drawn_ids_any(client, html)) == in_zone


def test_a_governorate_outside_the_layer_is_refused_naming_the_allowed_codes(client):
    """A well-formed P-code that no governorate of the layer has is refused, listing those that exist."""
    body = client.get(f"{ITEMS}?governorate=SY99").get_json()
    message = body["errors"][0]["message"]
    assert "'SY99'" in message and "SY01" in message and "SY13, SY14" in message
    assert client.get(f"{ITEMS}?governorate=sy13").status_code == 200


@pytest.mark.parametrize("query, field", [
    ("zone=israel", "zone"),
    ("governorate=Quneitra", "governorate"),
    ("governorate=SY14,SY99", "governorate"),
    ("distance_alpha_km=5", "distance_alpha_km"),
    ("distance_bravo_km=10,2", "distance_bravo_km"),
    ("distance_bravo_km=a,b", "distance_bravo_km"),
    ("distance_alpha_km=nan,1", "distance_alpha_km"),
])
def test_invalid_position_parameters_are_refused_naming_the_field(client, query, field):
    """A bad zone, P-code or range is a 400 naming the parameter on the API, the data endpoints, the map and
    embeds."""
    assert_error(client.get(f"{ITEMS}?{query}"), 400, "InvalidParameterValue", [field])
    summary = client.get(f"/map-data/summary?{query}")
    assert summary.status_code == 400 and summary.get_json()["errors"][0]["field"] == field
    for page in ("/", "/embed"):
        response = client.get(f"{page}?{query}")
        assert response.status_code == 400 and field in response.get_data(as_text=True)


def test_queryables_name_the_position_parameters(client):
    """The incidents' queryables list zone (with every zone), governorate and both distance ranges."""
    properties = client.get("/api/collections/incidents/queryables").get_json()["properties"]
    assert properties["zone"]["enum"][0] == "alpha_beyond" and len(properties["zone"]["enum"]) == 9
    assert {"governorate", "distance_alpha_km", "distance_bravo_km"} <= set(properties)


@pytest.mark.browser
def test_choosing_a_zone_filters_the_map_and_the_address(client, live_server, page):
    """Ticking a zone narrows the count and the markers to it, writes it into the address, and the counts per
    governorate follow."""
    in_zone = selected(client, lambda p: p["zone"] == "bravo_beyond")
    open_map(page, live_server + "/")
    page.check("input[name=zone][value=bravo_beyond]")
    expect(page.locator("#incident-count")).to_have_text(count_text(len(in_zone)))
    expect(page.locator(".leaflet-marker-icon.webmap-incident")).to_have_count(len(in_zone))
    assert url_args(page.url)["zone"] == "bravo_beyond"
    damascus = sum(1 for i, p in positions(client).items() if i in in_zone and p["governorate"] == "SY01")
    expect(page.locator("[data-facet=governorate][data-value=SY01]")).to_have_text(str(damascus))


@pytest.mark.browser
def test_distance_ranges_filter_the_map_keep_the_address_and_refuse_a_reversed_range(client, live_server, page):
    """Typing a min and a max for a line narrows the map to that range and writes `min,max` into the address; a
    max below the min is refused beside the field, in the page's language, and the map keeps the last range."""
    near = selected(client, lambda p: p["distance_alpha_km"] is not None and -5 <= p["distance_alpha_km"] <= 5)
    open_map(page, live_server + "/")
    page.locator("input[name=distance_alpha_km]").nth(0).fill("-5")
    page.locator("input[name=distance_alpha_km]").nth(1).fill("5")
    page.locator("input[name=distance_alpha_km]").nth(1).press("Enter")
    expect(page.locator("#incident-count")).to_have_text(count_text(len(near)))
    assert url_args(page.url)["distance_alpha_km"] == "-5,5"
    page.locator("input[name=distance_alpha_km]").nth(1).fill("-10")
    page.locator("input[name=distance_alpha_km]").nth(1).press("Enter")
    expect(page.locator("#distance_alpha_km-error")).to_have_text("The range ends below where it starts.")
    expect(page.locator("input[name=distance_alpha_km]").nth(1)).to_have_attribute("aria-invalid", "true")
    assert url_args(page.url)["distance_alpha_km"] == "-5,5"
    open_map(page, live_server + "/?lang=ar&distance_bravo_km=,0")
    expect(page.locator("input[name=distance_bravo_km]").nth(1)).to_have_value("0")
    page.locator("input[name=distance_bravo_km]").nth(0).fill("3")
    page.locator("input[name=distance_bravo_km]").nth(0).press("Enter")
    expect(page.locator("#distance_bravo_km-error")).to_have_text("نهاية النطاق أصغر من بدايته.")


def test_distance_range_inputs_show_the_range_and_its_error_in_each_language(client):
    """Each line has a min and a max input holding the address's range (as `min,max` or two values), labelled in
    the page's language; an invalid range is named beside its inputs on the 400 page."""
    html = client.get("/?distance_alpha_km=-2.5,&distance_bravo_km=1&distance_bravo_km=4").get_data(as_text=True)
    assert 'name="distance_alpha_km" value="-2.5"' in html and 'name="distance_alpha_km" value=""' in html
    assert 'name="distance_bravo_km" value="1"' in html and 'name="distance_bravo_km" value="4"' in html
    assert "Distance to the Alpha line (km)" in html
    assert "المسافة إلى خط برافو (كم)" in client.get("/?lang=ar").get_data(as_text=True)
    response = client.get("/?distance_bravo_km=10,2")
    assert response.status_code == 400
    assert re.search(r'id="distance_bravo_km-error"[^>]*>the range ends \(2\) below where it starts \(10\)<',
                     response.get_data(as_text=True))
    two_values = [f["id"] for f in client.get(f"{ITEMS}?distance_bravo_km=1&distance_bravo_km=4").get_json()["features"]]
    assert two_values == [f["id"] for f in client.get(f"{ITEMS}?distance_bravo_km=1,4").get_json()["features"]]


@pytest.mark.parametrize("position, index", [
    (PositionFilter(zones=("separation", "alpha_0_10")), "incident_live_zone"),
    (PositionFilter(governorates=("SY14",)), "incident_live_governorate"),
])
def test_zone_and_governorate_filters_are_served_by_an_index(client, position, index):
    """SQLite's plan for a zone or a governorate filter, and for counting by it, searches its index."""
    with client.application.app_context():
        store = get_store()
        where, params = _where(IncidentQuery(position=position))
        for sql in (f"SELECT id FROM incident WHERE {where}",
                    f"SELECT zone, count(*) FROM incident WHERE {where} GROUP BY zone"):
            plan = " ".join(row[3] for row in store._connection().execute(f"EXPLAIN QUERY PLAN {sql}", params))
            assert f"USING INDEX {index}" in plan or f"USING COVERING INDEX {index}" in plan, plan
