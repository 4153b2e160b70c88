"""Headers that keep pages unframeable and limited to the app's own origin."""
from webmap.core.security import content_security_policy
from webmap.core.tiles import resolve_tiles


def test_pages_refuse_framing_and_other_origins(client):
    """The map page may not be framed and may load scripts only from itself."""
    response = client.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp and "img-src 'self' data:;" in csp  # tiles off: no tile host
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_errors_carry_the_same_headers(client):
    """A 400 page is as unframeable as any other."""
    response = client.get("/?start=nope")
    assert response.status_code == 400 and response.headers["X-Frame-Options"] == "DENY"


def test_error_page_outside_embeds_links_back_in_the_same_tab(client):
    """An unframeable error page's link to the map stays in its tab (only an embed's opens a new one)."""
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.headers["X-Frame-Options"] == "DENY"
    assert '<a href="/">Back to the map</a>' in response.get_data(as_text=True)


def test_tile_host_is_allowed_for_images_only():
    """With a basemap, its host is added to img-src and nowhere else."""
    tiles = resolve_tiles("OpenStreetMap")
    csp = content_security_policy(tiles, "'none'")
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in csp
    assert csp.count("tile.openstreetmap.org") == 1
