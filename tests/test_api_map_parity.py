"""The map page and the API select the same incidents, and the map page links to that API query."""
import html as html_lib
import re

import pytest

from api_fixtures import expected_ids, ids_of
from test_map_page import WORLD


def data_links(page_html: str) -> dict[str, str]:
    """Return the hrefs of the map page's data block, by link text."""
    block = re.search(r'<section class="data-links".*?</section>', page_html, re.S).group(0)
    return {text: html_lib.unescape(href) for href, text in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', block)}


def drawn_ids(client, query: str) -> list[str]:
    """Return the ids of the incidents the map page loads for the whole world with its filters."""
    separator = "&" if query else "?"
    features = client.get(f"/map-data/view{query}{separator}{WORLD}").get_json()["features"]
    return [feature["id"] for feature in features]


@pytest.mark.parametrize("query, start, end, types", [
    ("", None, None, ()),
    ("?start=2025-02-01", "2025-02-01", None, ()),
    ("?end=2025-02-01", None, "2025-02-01", ()),
    ("?start=2025-02-01&end=2025-02-01", "2025-02-01", "2025-02-01", ()),
    ("?start=2025-03-01&end=2025-03-31", "2025-03-01", "2025-03-31", ()),
    ("?type=incursion", None, None, ("incursion",)),
    ("?type=raid&type=airstrike&start=2025-01-01&end=2025-06-30", "2025-01-01", "2025-06-30", ("raid", "airstrike")),
    ("?type=outpost,demolition&end=2025-03-15&lang=ar", None, "2025-03-15", ("outpost", "demolition")),
])
def test_map_filters_and_api_select_the_same_incidents(read_client, query, start, end, types):
    """The map's start/end/type and the API query it links to (datetime/event_type) give the same incidents."""
    page = read_client.get("/" + query).get_data(as_text=True)
    wanted = expected_ids(start=start, end=end, types=types)
    assert sorted(drawn_ids(read_client, query)) == sorted(wanted)
    links = data_links(page)
    api_query = next(href for text, href in links.items() if "GeoJSON" in text and "/items" in href)
    body = read_client.get(api_query).get_json()
    assert ids_of(body) == wanted and body["numberMatched"] == len(wanted)
    exported = read_client.get(links["GeoJSON"]).get_json()
    assert ids_of(exported) == wanted
    for name in ("CSV", "GeoPackage"):
        assert read_client.get(links[name]).status_code == 200


def test_map_page_links_the_table_and_downloads(read_client):
    """The data block offers the API query, the HTML table and the three downloads, in the page's language."""
    english = data_links(read_client.get("/?type=raid").get_data(as_text=True))
    assert set(english) == {"API query (GeoJSON)", "table", "GeoJSON", "CSV", "GeoPackage"}
    assert english["table"] == "/api/collections/incidents/items?f=html&event_type=raid"
    arabic = read_client.get("/?type=raid&lang=ar").get_data(as_text=True)
    assert "هذه الحوادث كبيانات" in arabic
