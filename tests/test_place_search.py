"""Searching by place name: every spelling of a place finds the same incidents in the API, the map's data, the
map page and embeds; Arabic text matches whatever its hamza forms, taa marbuta or harakat."""
from urllib.parse import quote

import pytest
from conftest import make_app, map_data

from webmap.core.model import Incident
from webmap.ingest.geodata import prepare_database
from webmap.store import BatchInfo, get_store

ITEMS = "/api/collections/incidents/items"
WORLD = "bbox=-180,-85,180,85&zoom=2"
SUWAYDA_SPELLINGS = ["suwayda", "Sweida", "swaida", "السويداء", "As-Sweida", "al-Suwayda", "Suweida", "السويدا",
                     "السُّوَيْدَاء"]
DARAA_SPELLINGS = ["daraa", "Deraa", "Dar'a", "Dar‘ā", "درعا"]


def incident(incident_id: str, title: str, location: str | None = None, description: str | None = None,
             lon: float = 36.57, lat: float = 32.71) -> Incident:
    """Return a constructed incident with the given text."""
    return Incident.from_feature({
        "type": "Feature", "id": incident_id, "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"date": "2025-07-15", "event_type": "clash", "title": title, "location_name": location,
                       "description": description},
    })


CONSTRUCTED = [
    incident("c-01", "Clashes in As-Suwayda", "As-Suwayda"),
    incident("c-02", "Shelling near Sweida", "Sweida countryside"),
    incident("c-03", "اشتباكات في السويداء", "السويداء"),
    incident("c-04", "قصف مدفعي", description="سقطت قذائف بالسويداء ليلاً"),  # with the prefix ب
    incident("c-05", "Checkpoint attacked", description="Gunmen attacked a checkpoint outside Swaida."),
    incident("c-06", "Raid in Daraa", "Daraa", lon=36.1, lat=32.62),
    incident("c-07", "غارة على درعا", "درعا", lon=36.1, lat=32.62),
    incident("c-08", "Airstrike reported", "Deraa", lon=36.1, lat=32.62),
    incident("c-09", "Shelling of Darayya", "Darayya", lon=36.23, lat=33.46),  # not Daraa
    incident("c-10", "غارة على إزرع", "إزرع", lon=36.25, lat=32.86),
    incident("c-11", "Incursion west of the road", "Sweidani farm", lon=36.0, lat=33.0),  # not As-Suwayda
    incident("c-12", "الإفراج عن أسرى", description="أُطلق سراح الأسرى مساءً", lon=35.9, lat=33.1),
]
SUWAYDA_IDS = ["c-01", "c-02", "c-03", "c-04", "c-05"]
DARAA_IDS = ["c-06", "c-07", "c-08"]


@pytest.fixture(scope="module")
def search_client(tmp_path_factory):
    """A client of an app holding the constructed incidents."""
    app = make_app(tmp_path_factory.mktemp("search"))
    with app.app_context():
        prepare_database(with_samples=False)
        get_store().add_incidents(CONSTRUCTED, BatchInfo(user="test"))
    return app.test_client()


@pytest.fixture(scope="module")
def sample_client(tmp_path_factory):
    """A client of an app holding the bundled sample incidents."""
    app = make_app(tmp_path_factory.mktemp("samples"))
    with app.app_context():
        prepare_database(with_samples=True)
    return app.test_client()


def api_ids(client, q: str) -> list[str]:
    """Return the ids the read API finds for `q`, sorted."""
    body = client.get(f"{ITEMS}?q={quote(q)}&limit=1000").get_json()
    assert body["numberMatched"] == len(body["features"])
    return sorted(f["id"] for f in body["features"])


def map_ids(client, q: str) -> list[str]:
    """Return the ids the map's view finds for `q`, sorted, after checking the summary counts the same."""
    view = client.get(f"/map-data/view?{WORLD}&q={quote(q)}").get_json()
    summary = client.get(f"/map-data/summary?q={quote(q)}").get_json()
    assert not view["clustered"] and summary["matched"] == view["in_view"] == len(view["features"])
    return sorted(f["id"] for f in view["features"])


@pytest.mark.parametrize("spelling", SUWAYDA_SPELLINGS)
def test_every_spelling_of_as_suwayda_finds_the_same_incidents(search_client, spelling):
    assert api_ids(search_client, spelling) == SUWAYDA_IDS
    assert map_ids(search_client, spelling) == SUWAYDA_IDS


@pytest.mark.parametrize("spelling", DARAA_SPELLINGS)
def test_every_spelling_of_daraa_finds_daraa_and_not_darayya(search_client, spelling):
    assert api_ids(search_client, spelling) == DARAA_IDS
    assert map_ids(search_client, spelling) == DARAA_IDS


@pytest.mark.parametrize("spelling", ["إزرع", "ازرع", "أزرع"])
def test_arabic_place_names_match_any_hamza_form(search_client, spelling):
    """Izraa written with hamza below, bare alef or hamza above is one place, in the API and the map."""
    assert api_ids(search_client, spelling) == ["c-10"]
    assert map_ids(search_client, spelling) == ["c-10"]


@pytest.mark.parametrize("spelling", ["أسرى", "اسرى", "اسري", "أسـرى", "أَسْرَى", "الإفراج", "الافراج"])
def test_arabic_words_match_any_hamza_form_alef_maqsura_tatweel_or_harakat(search_client, spelling):
    assert api_ids(search_client, spelling) == ["c-12"]
    assert map_ids(search_client, spelling) == ["c-12"]


def test_a_place_and_another_word_must_both_occur(search_client):
    assert api_ids(search_client, "sweida shelling") == ["c-02"]
    assert map_ids(search_client, "السويداء قصف") == ["c-04"]


def test_words_that_name_no_place_still_match_inside_words(search_client):
    """Other words keep matching as parts of words, as before."""
    assert api_ids(search_client, "checkpo") == ["c-05"]
    assert api_ids(search_client, "sweidani") == ["c-11"]


@pytest.mark.parametrize("spelling", ["sweida", "suwayda", "Swaida", "السويداء"])
def test_sample_incidents_in_as_suwayda_are_found_under_every_spelling(sample_client, spelling):
    """The strikes in As-Suwayda, and those in Damascus whose description names As-Suwayda."""
    expected = ["sample-015", "sample-016"]
    assert api_ids(sample_client, spelling) == expected
    assert map_ids(sample_client, spelling) == expected


@pytest.mark.parametrize("spelling", ["daraa", "deraa", "درعا"])
def test_sample_incidents_in_daraa_are_found_under_every_spelling(sample_client, spelling):
    expected = ["sample-008", "sample-009", "sample-010", "sample-011"]
    assert api_ids(sample_client, spelling) == expected
    assert map_ids(sample_client, spelling) == expected


def test_map_page_counts_and_keeps_the_search(sample_client):
    """The map page states the count for `q`, fills the search field and carries it to its data requests."""
    html = sample_client.get(f"/?q={quote('السويداء')}").get_data(as_text=True)
    assert 'name="q" value="السويداء"' in html
    assert 'id="incident-count" data-count="2"' in html
    assert map_data(html)["config"]["live"]["filters"] == {"q": "السويداء"}  # the live map asks with the same filter
    assert 'id="incident-count" data-count="19"' in sample_client.get("/").get_data(as_text=True)
    assert sample_client.get("/?q=" + "+".join(["w"] * 21)).status_code == 400


def test_embed_draws_only_the_incidents_found(sample_client):
    """An embed asks its data with the search, in either script, and gets only the incidents found."""
    for q in ("sweida", "السويداء"):
        live = map_data(sample_client.get("/embed?q=" + quote(q)).get_data(as_text=True))["config"]["live"]
        assert live["filters"]["q"] == q
        view = sample_client.get(f"{live['view_url']}?{WORLD}&q={quote(q)}")
        found = {feature["id"] for feature in view.get_json()["features"]}
        assert "sample-015" in found and "sample-009" not in found
