"""The API's HTML pages in a real browser: the map draws the page's incidents, nothing errors."""
import pytest


@pytest.mark.browser
def test_items_page_draws_its_incidents(page, live_server):
    """The HTML items page shows a Leaflet map with one marker per point incident, and no console errors."""
    page.goto(f"{live_server}/api/collections/incidents/items?f=html&event_type=airstrike,arrest,outpost")
    page.wait_for_selector(".leaflet-container")
    assert page.locator("tr[data-feature]").count() == 4
    assert page.locator(".leaflet-marker-icon.webmap-incident").count() == 4
    assert page.console_errors == []


@pytest.mark.browser
def test_map_page_link_leads_to_the_same_incidents(page, live_server):
    """Following the map panel's table link shows the incidents the map counted."""
    page.goto(f"{live_server}/?type=incursion,raid")
    count = page.locator("#incident-count").get_attribute("data-count")
    page.locator(".data-links a", has_text="table").click()
    page.wait_for_selector("#summary")
    assert page.locator("tr[data-feature]").count() == int(count) == 3
    assert page.console_errors == []
