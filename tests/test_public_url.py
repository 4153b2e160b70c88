"""WEBMAP_PUBLIC_URL: every absolute link the site writes names it, whatever Host header a request carries."""
import re
from html import unescape

import pytest
from conftest import make_app

from webmap.core.settings import settings_from_environ
from webmap.ingest.geodata import prepare_database

PUBLIC = "https://maps.example.org"
FORGED = {"Host": "evil.example"}


@pytest.fixture
def public_client(tmp_path):
    """A client of an app whose public address is set, with the bundled layers and no incidents."""
    app = make_app(tmp_path, PUBLIC_URL=PUBLIC)
    with app.app_context():
        prepare_database(with_samples=False)
    return app.test_client()


def absolute_links(text: str) -> list[str]:
    """Return every absolute http(s) address in a page or JSON text that points at this site or the forged host."""
    return [url for url in re.findall(r'https?://[^"\s<>\\]+', unescape(text))
            if "example.org" in url or "evil.example" in url]


@pytest.mark.parametrize("path", ["/", "/embed?type=raid", "/api", "/api/collections/incidents/items?limit=1",
                                  "/oembed?url=https%3A%2F%2Fmaps.example.org%2F%3Ftype%3Draid"])
def test_absolute_links_name_the_public_url_not_the_host_header(public_client, path):
    """Embed and oEmbed links, og and discovery links, the share dialog and the API's links all use the setting."""
    response = public_client.get(path, headers=FORGED)
    assert response.status_code == 200
    links = absolute_links(response.get_data(as_text=True))
    assert links and all(url.startswith(PUBLIC + "/") for url in links), links


def test_oembed_accepts_only_urls_of_the_public_address(public_client):
    """A map URL on the forged host is not a map of this site, even when the request was sent to that host."""
    response = public_client.get("/oembed", query_string={"url": "http://evil.example/?type=raid"}, headers=FORGED)
    assert response.status_code == 404 and response.get_json()["code"] == "NotFound"
    assert PUBLIC in response.get_json()["errors"][0]["message"]


def test_embed_etag_and_cache_do_not_vary_with_the_host_header(public_client):
    """The embed's validator hashes the public address, so a forged Host neither splits nor poisons the cache."""
    first = public_client.get("/embed?type=raid")
    forged = public_client.get("/embed?type=raid", headers=FORGED)
    assert first.headers["ETag"] == forged.headers["ETag"]
    assert first.get_data() == forged.get_data()
    revalidated = public_client.get("/embed?type=raid", headers={**FORGED, "If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 304


@pytest.mark.parametrize("text, expected", [
    ("https://maps.example.org", PUBLIC),
    ("https://Maps.Example.org/", PUBLIC),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
])
def test_public_url_setting_is_normalised(text, expected):
    """A trailing slash and capital letters in the host are dropped."""
    assert settings_from_environ({"WEBMAP_PUBLIC_URL": text})["PUBLIC_URL"] == expected


@pytest.mark.parametrize("text", ["maps.example.org", "ftp://maps.example.org", "https://", "https://maps.example.org?x=1",
                                  "https://maps.example.org/#top", "https://maps.example.org/webmap",
                                  "https://user@maps.example.org", "https://maps.example.org:99999",
                                  "https://maps example.org"])
def test_a_bad_public_url_stops_the_app_with_a_reason(text):
    """Only an http(s) scheme and a host (with an optional port) are accepted."""
    with pytest.raises(ValueError, match="WEBMAP_PUBLIC_URL"):
        settings_from_environ({"WEBMAP_PUBLIC_URL": text})


def test_without_the_setting_links_follow_the_request(client):
    """Unset (the default), a site behind a proxy that sets Host keeps working as before."""
    body = client.get("/oembed", query_string={"url": "http://localhost/?type=raid"}).get_json()
    assert body["provider_url"] == "http://localhost/"


@pytest.mark.parametrize("host", ['evil.example"><script>', "evil example", "evil.example/path"])
def test_without_the_setting_an_invalid_host_header_is_a_400(client, host):
    """Werkzeug reads a Host with characters no host name has as empty; the site refuses it instead of linking to it."""
    response = client.get("/oembed?url=http://localhost/", environ_overrides={"HTTP_HOST": host})
    assert response.status_code == 400 and response.get_json()["errors"][0]["field"] == "Host"
    assert client.get("/", environ_overrides={"HTTP_HOST": host}).status_code == 400
