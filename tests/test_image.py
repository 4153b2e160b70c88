"""Map images (/map.png): size, what is drawn where, credits, Arabic shaping, parameter limits, caching and
the og:image links of the map pages."""
import io
import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import make_app, require
from PIL import Image, ImageDraw, ImageFont

import webmap.views.image as image_view
from webmap.core.i18n import messages
from webmap.core.vocabulary import load_vocabulary
from webmap.image import text
from webmap.image.compose import ImageOptions, compose
from webmap.image.draw import BACKGROUND, rgba
from webmap.image.frame import fit_frame
from webmap.ingest.geodata import prepare_database
from webmap.map.aggregate import CELL_PX, approximate_precision, filter_mask, view_data
from webmap.map.filters import MapFilters
from webmap.map.scope import filtered_points
from webmap.store import BatchInfo, get_store

GEODATA = Path(__file__).resolve().parents[1] / "geodata"
DEFAULT_VIEW = ((32.95, 36.15), 9)  # WEBMAP_VIEW's default
ODBL = "© OpenStreetMap contributors (ODbL)"


@pytest.fixture(autouse=True)
def _image_text():
    """Image text needs a font that covers Arabic and Pillow's libraqm: a failure in CI, a skip elsewhere."""
    require(all(path.exists() for path in text.FONT_FILES.values()),
            "DejaVu fonts are missing (apt-get install fonts-dejavu-core)")
    require(text.shaping_available(), "Pillow cannot shape text with libraqm (apt-get install libfribidi0)")


def png(response) -> Image.Image:
    """Open a response body as an image, checking it is a PNG."""
    assert response.status_code == 200 and response.mimetype == "image/png"
    picture = Image.open(io.BytesIO(response.data))
    assert picture.format == "PNG"
    return picture.convert("RGB")


def near(pixels: np.ndarray, color: tuple[int, int, int], tolerance: int = 40) -> bool:
    """Tell whether any pixel of an RGB array is within `tolerance` of a colour (each channel)."""
    return bool((np.abs(pixels.astype(int) - np.array(color)).max(axis=-1) <= tolerance).any())


def composition(app, **options):
    """Compose the default image of the app's data with these options."""
    with app.app_context():
        store = get_store()
        return compose(filtered_points(store, options.get("filters", MapFilters())), store.list_reference_layers(),
                       load_vocabulary(), ImageOptions(1200, 630, *DEFAULT_VIEW, **options))


@pytest.mark.parametrize("query, size", [("", (1200, 630)), ("?width=1600&height=900", (1600, 900)),
                                         ("?width=320&height=240&lang=ar", (320, 240))])
def test_the_image_is_a_png_of_the_requested_size(client, query, size):
    assert png(client.get("/map.png" + query)).size == size


def test_the_alpha_line_is_drawn_along_its_projected_path(client):
    """Only the Alpha line shown: its colour appears next to the image position of its vertices."""
    picture = np.asarray(png(client.get("/map.png?layers=alpha_line")))
    frame = fit_frame(1200, 630, *DEFAULT_VIEW)
    line = json.loads((GEODATA / "alpha_line.geojson").read_text())["features"][0]["geometry"]["coordinates"]
    xs, ys = frame.project([p[0] for p in line], [p[1] for p in line])
    # Away from the title, legend and credits panels.
    inside = [(round(x), round(y)) for x, y in zip(xs, ys) if 300 < x < 1190 and 120 < y < 540]
    assert len(inside) > 20
    color = rgba("#d7301f")[:3]
    hits = [near(picture[y - 4:y + 5, x - 4:x + 5], color) for x, y in inside]
    assert sum(hits) >= 0.9 * len(hits)
    assert not near(picture[150:200, 320:370], color)  # and not everywhere


def test_credits_name_every_layer_and_say_tiles_are_not_drawn(fixture_app):
    drawn = composition(fixture_app)
    with fixture_app.app_context():
        attributions = {layer.meta["attribution"] for layer in get_store().list_reference_layers()}
    assert ODBL in drawn.credits and attributions <= set(drawn.credits)
    assert messages("en")["image_no_tiles"] in drawn.credits
    assert composition(fixture_app, lang="ar").credits[-1] == messages("ar")["image_no_tiles"]


def test_the_credits_band_is_drawn_at_the_bottom(client):
    picture = np.asarray(png(client.get("/map.png")))
    band = picture[-8:, :]
    background = np.array(rgba(BACKGROUND)[:3])
    assert (np.abs(band.astype(int) - background).max(axis=-1) > 4).mean() > 0.9  # a panel, not the map
    assert (band.max(axis=-1) < 120).any() or (picture[-40:].max(axis=-1) < 120).any()  # with dark text on it


def test_a_batch_filter_draws_and_names_only_that_batch(fixture_app):
    """With `batch`, the image counts only the incidents that batch wrote, and says which batch it shows."""
    with fixture_app.app_context():
        store = get_store()
        first = store.get_incident("t-001")
        batch = store.add_incidents([replace(first, id="new-1"), replace(first, id="new-2")],
                                    BatchInfo(user="test")).batch_id
    drawn = composition(fixture_app, filters=MapFilters(batches=(batch,)))
    assert drawn.subtitle[0].endswith(f" · Batch {batch}")
    assert drawn.subtitle[1].startswith("2 incidents match")


def test_title_filters_and_legend_say_what_is_shown(fixture_app):
    drawn = composition(fixture_app, filters=MapFilters(start="2025-01-01", event_types=("airstrike", "raid")))
    assert drawn.title == "Incidents in southern Syria"
    assert drawn.subtitle[0] == "From 2025-01-01 · Airstrike, Raid"
    assert drawn.subtitle[1] == "3 incidents match · 3 in view"  # the fixture's 2025 airstrikes and raids
    legend = [entry.text for entry in drawn.legend]
    assert any(t.startswith("Airstrike (") for t in legend) and not any(t.startswith("Shelling") for t in legend)
    assert "Alpha line (approximate)" in legend and "Bravo line (approximate)" in legend


def test_many_incidents_are_drawn_as_the_live_maps_clusters(fixture_app):
    """Over the limit, the image draws /map-data/view's clusters (and incidents alone in their cell)."""
    drawn = composition(fixture_app, individual_limit=1)
    with fixture_app.app_context():
        points = get_store().incident_points()
    bbox = drawn.frame.bbox()
    vocabulary = load_vocabulary()
    live = view_data(points, filter_mask(points, MapFilters(), bbox), bbox, 9, 1, CELL_PX,
                     approximate_precision(vocabulary), tuple(vocabulary.event_type_ids()))
    assert live.clustered and [c.count for c in drawn.clusters] == [c.count for c in live.clusters]
    assert len(drawn.markers) == len(live.keys)
    few = composition(fixture_app)
    assert few.clusters == [] and len(few.markers) == live.in_view


def test_places_and_lines_are_labelled_in_the_language_asked_for(fixture_app):
    labels = {label.text for label in composition(fixture_app, lang="ar").labels}
    assert "السويداء" in labels and "درعا" in labels and "خط ألفا (تقريبي)" in labels
    assert "As-Suwayda" in {label.text for label in composition(fixture_app).labels}


def test_arabic_is_shaped_and_ordered_right_to_left():
    """libraqm joins the letters (narrower than isolated forms) and lays them out right to left."""
    word = "السويداء"
    shaped = text.font(40)
    unshaped = ImageFont.truetype(str(text.FONT_FILES[False]), 40, layout_engine=ImageFont.Layout.BASIC)
    assert shaped.layout_engine == ImageFont.Layout.RAQM
    assert text.text_width(word, shaped) < 0.85 * unshaped.getlength(word)

    def drawn(face, **options) -> bytes:
        picture = Image.new("L", (300, 60), 255)
        ImageDraw.Draw(picture).text((10, 5), word, font=face, fill=0, **options)
        return picture.tobytes()

    assert drawn(shaped) == drawn(shaped, direction="rtl") != drawn(unshaped)


@pytest.mark.parametrize("query, field", [
    ("width=4001", "width"), ("height=5000", "height"), ("width=100", "width"), ("height=abc", "height"),
    ("width=1e3", "width"), ("type=nope&width=99999", "type"),
])
def test_bad_sizes_get_a_400_naming_the_parameter(client, query, field):
    response = client.get("/map.png?" + query)
    assert response.status_code == 400
    body = response.get_json()
    assert body["code"] == "InvalidParameterValue" and field in [e["field"] for e in body["errors"]]


def test_the_largest_image_is_allowed(client):
    assert png(client.get("/map.png?width=4000&height=300")).size == (4000, 300)


def test_etag_follows_the_data_version_and_parameters(fixture_app, monkeypatch):
    client = fixture_app.test_client()
    renders = []
    render = image_view.render_map_image
    monkeypatch.setattr(image_view, "render_map_image", lambda *a: renders.append(1) or render(*a))
    first = client.get("/map.png?type=airstrike&zoom=9")
    etag = first.headers["ETag"]
    assert re.fullmatch(r'"v\d+-[0-9a-f]{16}-png"', etag)
    assert first.headers["Cache-Control"] == "public, max-age=60, s-maxage=300"
    assert client.get("/map.png?zoom=9&type=airstrike").data == first.data  # same image, whatever the order
    assert len(renders) == 1  # the second came from the cache
    revalidated = client.get("/map.png?type=airstrike&zoom=9", headers={"If-None-Match": etag})
    assert revalidated.status_code == 304 and revalidated.data == b"" and len(renders) == 1
    assert client.get("/map.png?type=raid&zoom=9").headers["ETag"] != etag
    with fixture_app.app_context():
        get_store().delete_incidents(["t-001"], BatchInfo(user="test"))
    assert client.get("/map.png?type=airstrike&zoom=9", headers={"If-None-Match": etag}).status_code == 200


@pytest.mark.parametrize("path", ["/?type=raid&lang=ar", "/embed?type=raid&lang=ar"])
def test_map_pages_name_their_image_for_link_previews(client, path):
    html = client.get(path).get_data(as_text=True)
    image = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
    assert image == "http://localhost/map.png?type=raid&amp;lang=ar"
    assert f'<meta name="twitter:image" content="{image}">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html


def test_the_image_link_follows_the_public_url(tmp_path):
    app = make_app(tmp_path, PUBLIC_URL="https://maps.example.org")
    with app.app_context():
        prepare_database(with_samples=False)
    html = app.test_client().get("/").get_data(as_text=True)
    assert '<meta property="og:image" content="https://maps.example.org/map.png">' in html


def test_the_pdf_is_the_same_map_on_one_printable_page(client):
    """/map.pdf takes the same parameters and draws the same picture, as one page at 300 dpi: A4 landscape
    unless a size is asked for; cached by data version under an ETag of its own."""
    query = "type=airstrike&layers=alpha_line,bravo_line&width=1600&height=900"
    response = client.get(f"/map.pdf?{query}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    body = response.data
    assert body.startswith(b"%PDF-") and body.count(b"/Type /Page\n") + body.count(b"/Type /Page ") == 1
    assert re.search(rb"/MediaBox \[ ?0 0 384(\.0+)? 216(\.0+)? ?\]", body)  # 1600x900 pixels at 300 dpi
    start = body.index(b"\xff\xd8")
    inside = Image.open(io.BytesIO(body[start:body.rindex(b"\xff\xd9") + 2])).convert("RGB")
    drawn = png(client.get(f"/map.png?{query}"))
    assert inside.size == drawn.size == (1600, 900)
    assert np.abs(np.asarray(inside, dtype=int) - np.asarray(drawn, dtype=int)).mean() < 3  # JPEG, else equal
    assert re.search(rb"/MediaBox \[ ?0 0 841\.92 595\.2 ?\]", client.get("/map.pdf").data)  # A4 landscape
    etag = response.headers["ETag"]
    assert etag.endswith('-pdf"')
    assert client.get(f"/map.pdf?{query}", headers={"If-None-Match": etag}).status_code == 304


def test_a_title_of_ones_own_heads_the_image(fixture_app):
    """`title` replaces the site's heading (as in embeds), changes the ETag, and is capped like theirs."""
    client = fixture_app.test_client()
    assert composition(fixture_app, title="Strikes in Daraa").title == "Strikes in Daraa"
    assert client.get("/map.png?title=Strikes").headers["ETag"] != client.get("/map.png").headers["ETag"]
    too_long = client.get("/map.png", query_string={"title": "x" * 121})
    assert too_long.status_code == 400 and too_long.get_json()["errors"][0]["field"] == "title"
