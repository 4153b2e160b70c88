"""The map's credits in a real browser: folded into a button on the map and in embeds, every credit shown in
full when it is opened (the Arabic page too), and never over the scale bar."""
import pytest
from playwright.sync_api import expect
from test_browser_phone import overlaps

pytestmark = pytest.mark.browser

SCREENS = [("/", {"width": 1280, "height": 800}), ("/", {"width": 360, "height": 740}),
           ("/embed", {"width": 360, "height": 400}), ("/embed", {"width": 300, "height": 300})]


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("path, viewport", SCREENS)
def test_credits_open_in_full_beside_the_scale_bar(live_server, page, path, viewport, lang):
    """Closed, the credits are a single button; opened, they name OpenStreetMap, nothing is cut off, and
    they stay on screen without covering the scale bar (where the frame has room to show one)."""
    page.set_viewport_size(viewport)
    page.goto(f"{live_server}{path}?lang={lang}")
    page.locator(".webmap-incident").first.wait_for()
    button = page.locator(".webmap-credits-toggle")
    credits = page.locator(".leaflet-control-attribution")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(credits).to_be_hidden()
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(credits).to_be_visible()
    expect(credits).to_contain_text("OpenStreetMap")
    assert credits.evaluate("c => c.scrollWidth <= c.clientWidth && c.scrollHeight <= c.clientHeight")
    box = credits.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] and box["y"] >= 0
    scale = page.locator(".leaflet-control-scale")
    if scale.is_visible():
        assert not overlaps(box, scale.bounding_box())
    button.click()
    expect(credits).to_be_hidden()
