"""Where the reference layers' permanent labels go and what they say (webmap.map.labels)."""
import pytest
from shapely.geometry import Point, shape

from webmap.core.i18n import messages
from webmap.core.model import ReferenceLayer
from webmap.ingest.geodata import read_reference_layers
from webmap.map.labels import LINE_RANK, REGION_RANK, TOWN_RANK, layer_labels, town_min_zoom

LAYERS = {layer.id: layer for layer in read_reference_layers()}


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_each_governorate_is_labelled_inside_itself_in_the_page_language(lang):
    """A governorate's label is its name in the page language, at a point inside its outline."""
    layer = LAYERS["governorates"]
    labels = layer_labels(layer, lang)
    assert len(labels) == len(layer.data["features"])
    for label, feature in zip(labels, layer.data["features"]):
        assert label.text == feature["properties"]["name_ar" if lang == "ar" else "name"]
        assert shape(feature["geometry"]).contains(Point(label.lon, label.lat))
        assert label.rank == REGION_RANK


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_lines_are_labelled_on_their_own_side(lang):
    """Alpha is named as the Israeli side, to the west of its line; Bravo as the Syrian side, to the east."""
    for layer_id, key, place in (("alpha_line", "label_alpha", "left"), ("bravo_line", "label_bravo", "right")):
        labels = layer_labels(LAYERS[layer_id], lang)
        assert len(labels) >= 2
        assert {(label.text, label.place, label.rank) for label in labels} == {(messages(lang)[key], place, LINE_RANK)}
        line = shape(LAYERS[layer_id].data["features"][0]["geometry"])
        assert all(line.distance(Point(label.lon, label.lat)) < 1e-6 for label in labels)


def test_larger_towns_rank_higher_and_show_from_further_out():
    """Towns rank by population, below every other kind of label, and small towns wait for a closer zoom."""
    labels = {label.text: label for label in layer_labels(LAYERS["towns"], "en")}
    assert labels["Damascus"].rank > labels["Daraa"].rank > labels["Jāsim"].rank > labels["Beit Jinn"].rank >= TOWN_RANK
    assert max(label.rank for label in labels.values()) < min(
        label.rank for label in layer_labels(LAYERS["areas_of_limitation"], "en"))
    assert town_min_zoom(97969) < town_min_zoom(30283) < town_min_zoom(None)


def test_limitation_bands_say_their_distance_in_each_language():
    """Each Area of Limitation band is labelled with its distance from the Area of Separation."""
    assert {label.text for label in layer_labels(LAYERS["areas_of_limitation"], "en")} == {
        "Limitation 0-10 km", "Limitation 10-20 km", "Limitation 20-25 km"}
    assert "الحد من القوات والأسلحة 0-10 كم" in {label.text for label in layer_labels(LAYERS["areas_of_limitation"], "ar")}


def test_layers_without_labels_get_none():
    """Context layers (countries, the Golan outline) carry no permanent labels."""
    assert layer_labels(LAYERS["countries"], "en") == []
    assert layer_labels(ReferenceLayer(id="other", meta={}, data={"features": []}), "en") == []
