"""The gazetteer (geodata/gazetteer.json), search words expanded into every spelling of a place, and the map's
place suggestions (/map-data/places)."""
import json
from pathlib import Path

import pytest

from webmap.core.model import Incident
from webmap.core.searchtext import normalize
from webmap.places.gazetteer import load_gazetteer
from webmap.places.localnames import arabic_place_name, with_arabic_location
from webmap.places.search import search_terms, suggest
from webmap.store import BatchInfo, get_store

GEODATA = Path(__file__).resolve().parents[1] / "geodata"


def place(place_id: str):
    """Return one place of the bundled gazetteer by id."""
    return next(p for p in load_gazetteer().places if p.id == place_id)


def test_every_town_and_governorate_is_a_place_with_its_layer_names():
    towns = json.loads((GEODATA / "towns.geojson").read_text(encoding="utf-8"))["features"]
    governorates = json.loads((GEODATA / "governorates.geojson").read_text(encoding="utf-8"))["features"]
    names = {(p.kind, p.name["en"], p.name["ar"]) for p in load_gazetteer().places}
    assert len(load_gazetteer().places) == len(towns) + len(governorates)
    for item in towns:
        assert ("town", item["properties"]["name"], item["properties"]["name_ar"]) in names
    for item in governorates:
        assert ("governorate", item["properties"]["name"], item["properties"]["name_ar"]) in names


def test_one_canonical_name_per_place_and_the_common_spellings_as_aliases():
    city, governorate = place("town-172408"), place("governorate-SY13")
    assert city.name == governorate.name == {"en": "As-Suwayda", "ar": "السويداء"}
    for spelling in ("Suwayda", "Sweida", "Swaida", "Suweida", "As-Sweida"):
        assert spelling in city.aliases and spelling in governorate.aliases
    assert "Sweida" in place("town-172408").aliases and "Dionysias" in city.aliases  # GeoNames alternate name
    daraa = place("town-170905")
    assert daraa.name == {"en": "Daraa", "ar": "درعا"} and {"Deraa", "Dar'a"} <= set(daraa.aliases)
    quneitra = place("governorate-SY14")
    assert quneitra.name == {"en": "Quneitra", "ar": "القنيطرة"}
    assert {"Kuneitra", "Al Qunaytirah"} <= set(quneitra.aliases)


def test_aliases_are_latin_or_arabic_and_not_codes():
    """GeoNames' Greek, Cyrillic, Hebrew and CJK names and its airport codes are left out."""
    for entry in load_gazetteer().places:
        for alias in entry.aliases:
            assert not any("\u0370" <= c <= "\u04ff" or "\u0590" <= c <= "\u05ff" or c >= "\u3000" for c in alias)
            assert not (alias.isupper() and len(alias) <= 4), alias
    assert "QSW" not in place("town-172408").aliases


def test_governorates_carry_their_extent_and_towns_their_point():
    assert place("governorate-SY13").bbox == pytest.approx((36.358, 32.3164, 37.4643, 33.1941))
    assert place("town-172408").point == pytest.approx((36.56951, 32.70896))


def test_the_gazetteer_credits_its_sources():
    data = json.loads((GEODATA / "gazetteer.json").read_text(encoding="utf-8"))
    assert "GeoNames (CC BY 4.0)" in data["attribution"]
    assert {s["licence"] for s in data["sources"]} >= {"CC BY 4.0", "CC BY-IGO"}


@pytest.mark.parametrize("spelling", ["suwayda", "Sweida", "swaida", "SUWEIDA", "As-Sweida", "Al Suwayda",
                                      "السويداء", "السويدا", "السُّوَيْدَاء"])
def test_every_spelling_of_a_place_expands_to_the_same_terms(spelling):
    """The terms are whole words (Latin) or word ends (Arabic), a term containing another left out."""
    gazetteer = load_gazetteer()
    expected = search_terms("suwayda", gazetteer)
    assert search_terms(spelling, gazetteer) == expected
    (terms,) = expected
    assert " sweida " in terms and " suwayda " in terms and " swaida " in terms
    # Arabic names may carry a prefix, the article too: "سويداء " finds السويداء, which adds nothing.
    assert "سويداء " in terms and "سويدا " in terms and "السويداء " not in terms


def test_a_place_named_in_several_words_counts_as_one_word():
    gazetteer = load_gazetteer()
    terms = search_terms("tanks in New Quneitra", gazetteer)
    assert terms[0] == ("tanks",) and terms[1] == ("in",)
    assert " madinat baath " in terms[2] and len(terms) == 3


def test_other_words_are_searched_as_typed_in_search_form():
    assert search_terms("Checkpoint,  RAIDS", load_gazetteer()) == (("checkpoint",), ("raids",))
    assert search_terms("", load_gazetteer()) == ()
    assert search_terms("أسرى", load_gazetteer()) == ((normalize("اسري"),),)


def test_suggestions_start_with_what_was_typed_in_any_spelling():
    gazetteer = load_gazetteer()
    assert [p.id for p in suggest("sweida", gazetteer)] == ["town-172408", "governorate-SY13"]
    assert [p.id for p in suggest("السويداء", gazetteer)] == ["town-172408", "governorate-SY13"]
    assert [p.id for p in suggest("Suw", gazetteer)][:2] == ["town-172408", "governorate-SY13"]
    assert "town-168355" in [p.id for p in suggest("arnab", gazetteer)]  # a later word of Khan Arnabah
    assert suggest("   ", gazetteer) == [] and suggest("zzzz", gazetteer) == []
    assert len(suggest("a", gazetteer)) == 8


def test_places_endpoint_names_places_in_the_page_language(client):
    english = client.get("/map-data/places?q=sweida").get_json()
    assert english["places"][0] == {"id": "town-172408", "kind": "town", "name": "As-Suwayda",
                                    "other_name": "السويداء", "point": [36.56951, 32.70896]}
    assert english["places"][1]["bbox"] == pytest.approx([36.358, 32.3164, 37.4643, 33.1941])
    assert "GeoNames" in english["attribution"]
    arabic = client.get("/map-data/places?q=السويداء&lang=ar").get_json()
    assert arabic["places"][0]["name"] == "السويداء" and arabic["places"][0]["other_name"] == "As-Suwayda"


def test_places_endpoint_refuses_bad_input_in_the_usual_shape(client):
    response = client.get("/map-data/places?q=" + "x" * 101)
    assert response.status_code == 400 and response.get_json()["errors"][0]["field"] == "q"
    response = client.get("/map-data/places?q=x&lang=fr")
    assert response.status_code == 400 and response.get_json()["errors"][0]["field"] == "lang"


@pytest.mark.parametrize("location, arabic", [
    ("Daraa", "درعا"),
    ("Beit Jinn, Rural Damascus", "بيت جن، ريف دمشق"),
    ("Al-Kiswah ، Rural Damascus", "الكسوة، ريف دمشق"),
    ("Near Nawa, western Daraa", None),  # not every part is a place name: nothing is translated
    ("Izraa, Daraa governorate", None),
    ("Tel Ahmar crossroads", None),
])
def test_a_location_gets_the_gazetteer_arabic_name_only_when_it_is_made_of_place_names(location, arabic):
    """A location is named in Arabic from the gazetteer only when each comma-separated part is a place's name
    or alias, never by translating other words."""
    assert arabic_place_name(location, load_gazetteer()) == arabic


def test_the_arabic_name_the_data_give_wins_over_the_gazetteer():
    """An incident's own `location_name_ar` is kept; one the gazetteer can name gains it; others are unchanged."""
    given = {"properties": {"location_name": "Daraa", "location_name_ar": "مدينة درعا"}}
    assert with_arabic_location(given) == given
    assert with_arabic_location({"properties": {"location_name": "Daraa"}})["properties"] == {
        "location_name": "Daraa", "location_name_ar": "درعا"}
    for props in ({"location_name": "Tel Ahmar"}, {}, {"location_name": 12}):
        assert with_arabic_location({"properties": props}) == {"properties": props}


def test_the_map_data_carry_the_arabic_place_names(app):
    """/map-data/view sends each incident's Arabic place name where the gazetteer knows it, for Arabic pages."""
    with app.app_context():
        get_store().add_incidents([Incident(id="p-1", geometry={"type": "Point", "coordinates": [35.92, 33.31]},
                                            date="2025-06-12", event_type="arrest",
                                            location_name="Beit Jinn, Rural Damascus")], BatchInfo(user="test"))
    features = app.test_client().get("/map-data/view?bbox=35.5,32.5,36.5,33.6&zoom=10").get_json()["features"]
    assert [f["properties"].get("location_name_ar") for f in features] == ["بيت جن، ريف دمشق"]
