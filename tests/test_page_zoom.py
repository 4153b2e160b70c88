"""Every page lets people zoom it: one viewport tag, and never user-scalable=no."""
import pytest

PAGES = ["/", "/?lang=ar", "/embed", "/embed?lang=ar", "/about", "/stats", "/embed/chart", "/login", "/api",
         "/api/collections/incidents/items"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_can_be_zoomed(client, path):
    """Folium's viewport tag, which forbids zooming, is gone; the page's own tag remains."""
    html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "user-scalable" not in html and "maximum-scale" not in html
    assert html.count('name="viewport"') == 1
