"""Embeds in a real browser: a sandboxed iframe on another origin's article, and the share dialog."""
import pytest

pytestmark = pytest.mark.browser


def test_embed_draws_in_a_sandboxed_frame_on_another_origin(page, live_server, article_server, tmp_path):
    """In a 320x240 `sandbox="allow-scripts"` frame the filtered incidents draw, with no console error."""
    article = article_server("/article", f"{live_server}/embed?type=airstrike,incursion&layers=alpha_line")
    page.goto(article)
    frame = page.frame_locator("#map")
    incidents = frame.locator(".webmap-incident")
    frame.locator(".leaflet-container[data-view-state='ready']").wait_for()
    # Airstrikes and incursions in the fixture's default view, at 320x240: t-001, t-003 (points) and t-006 (a
    # line); loaded from /map-data like the full map's, though the frame is sandboxed on another origin.
    assert incidents.count() == int(frame.locator(".leaflet-container").get_attribute("data-in-view")) == 3
    assert frame.locator(".leaflet-marker-icon.webmap-incident").count() == 2
    assert frame.locator("details.embed-legend").evaluate("d => d.open") is False  # compact in a small frame
    open_link = frame.locator("a.embed-open")
    assert open_link.is_visible() and open_link.get_attribute("target") == "_blank"
    box, outer = open_link.bounding_box(), page.locator("#map").bounding_box()
    assert outer["x"] <= box["x"] and box["x"] + box["width"] <= outer["x"] + outer["width"]
    assert outer["y"] <= box["y"] and box["y"] + box["height"] <= outer["y"] + outer["height"]
    page.screenshot(path=tmp_path / "small.png")
    frame.locator("details.embed-legend summary").click()
    assert frame.locator("details.embed-legend [data-legend-type='airstrike'] svg").count() == 1
    assert page.console_errors == []


def test_full_map_refuses_to_be_framed(page, live_server, article_server):
    """The site's own map page stays blank inside another site's frame."""
    article = article_server("/framed", f"{live_server}/", sandbox="")
    page.goto(article)
    for _ in range(50):
        if page.console_errors:
            break
        page.wait_for_timeout(100)
    frame = next(f for f in page.frames if f != page.main_frame)
    assert frame.locator(".leaflet-container").count() == 0
    assert "/static/" not in frame.content()
    refusals = [error for error in page.console_errors if "frame" in error.lower()]
    assert refusals  # the browser says why
    page.console_errors[:] = [error for error in page.console_errors if error not in refusals]


def test_share_dialog_gives_a_link_and_snippet_for_the_current_view(page, live_server):
    """The dialog's link reproduces the filters, the current view and layers; its iframe fits the matching
    incidents by default (or keeps the exact view), can pin, and carries a title and caption."""
    page.goto(f"{live_server}/?type=airstrike&lat=33.1&lon=35.9&zoom=10")
    page.evaluate("() => { const v = window.webmapView; v.map.removeLayer(v.layers.towns); v.map.setZoom(11); }")
    page.click("#share-open")
    link = page.input_value("#share-link")
    assert "type=airstrike" in link and "lat=33.1&lon=35.9&zoom=11" in link
    assert "layers=countries%2Cgolan_heights" in link and "towns" not in link
    snippet = page.input_value("#share-snippet")
    assert snippet.startswith('<iframe src="') and 'width="100%" height="450"' in snippet
    assert 'loading="lazy" allowfullscreen' in snippet and 'title="Incidents in southern Syria · Airstrike"' in snippet
    assert "as_of=" not in snippet
    # Fitted to the airstrikes (t-003 near Daraa, t-004 near As-Suwayda), which the current view leaves out.
    assert "bbox=36.1021%2C32.6189%2C36.5695%2C32.709" in snippet and "zoom=" not in snippet
    page.check("#share-exact")
    exact = page.input_value("#share-snippet")
    assert "lat=33.1&amp;lon=35.9&amp;zoom=11" in exact and "bbox=" not in exact
    page.check("#share-fit")
    page.fill("#share-title", 'Strikes <b>"south"</b>')
    page.select_option("#share-caption", "auto")
    titled = page.input_value("#share-snippet")
    assert 'title="Strikes &lt;b&gt;&quot;south&quot;&lt;/b&gt;"' in titled and "caption=auto" in titled
    page.check("#share-pin")
    page.select_option("#share-size", "ratio:16/9")
    snippet = page.input_value("#share-snippet")
    version = page.get_attribute("#share-dialog", "data-version")
    assert f"as_of={version}" in snippet and "aspect-ratio:16/9" in snippet and "height=" not in snippet
    # The preview navigates twice (opened unpinned, then pinned): look for the frame at the pinned address.
    pinned = None
    for _ in range(150):
        pinned = next((f for f in page.frames if "as_of=" in f.url), None)
        if pinned and pinned.locator(".embed-pinned").count() and pinned.locator("[data-view-state='ready']").count():
            break
        page.wait_for_timeout(100)
    assert pinned is not None and pinned.locator(".embed-pinned").count() == 1
    assert pinned.locator(".leaflet-marker-icon.webmap-incident").count() == 2  # t-003 and t-004

    page.goto(link)  # the link opens the same view
    view = page.evaluate("() => { const v = window.webmapView; const c = v.map.getCenter();"
                         " return [c.lat, c.lng, v.map.getZoom(), v.map.hasLayer(v.layers.towns)]; }")
    assert view == [pytest.approx(33.1, abs=1e-4), pytest.approx(35.9, abs=1e-4), 11, False]
    assert page.console_errors == []


def test_share_dialog_follows_filters_changed_on_the_page(page, live_server):
    """Filters changed without a reload reach the dialog: its link, the fitted box and the frame's title."""
    page.goto(f"{live_server}/?type=airstrike")
    page.click("#share-open")
    fitted_to_airstrikes = page.input_value("#share-snippet")
    page.click("#share-close")
    page.uncheck("input[name=type][value=airstrike]")
    page.check("input[name=type][value=incursion]")
    page.wait_for_function("() => new URLSearchParams(location.search).get('type') === 'incursion'")
    page.wait_for_function("() => document.getElementById('share-dialog').dataset.args.includes('incursion')")
    page.click("#share-open")
    link, snippet = page.input_value("#share-link"), page.input_value("#share-snippet")
    assert "type=incursion" in link and "airstrike" not in link
    assert "type=incursion" in snippet and 'title="Incidents in southern Syria · Ground incursion"' in snippet
    assert "bbox=" in snippet and snippet.split("bbox=")[1][:40] != fitted_to_airstrikes.split("bbox=")[1][:40]
    assert page.console_errors == []
