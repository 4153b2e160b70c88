"""Where a login leads, and sessions that end on the server: log-out, role changes, replayed cookies."""
import pytest

from upload_helpers import add_accounts, collection, csrf_token, feature, log_in

ITEMS = "/api/collections/incidents/items"


@pytest.mark.parametrize("target", [
    "/%09/evil.example/phish",  # browsers drop the tab, leaving //evil.example/phish
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/ /evil.example",
    "/\x00/evil.example",
    "/\u200b/evil.example",
    "/%2F/evil.example",  # //evil.example once decoded
    "/%5Cevil.example",
    "/path\\..\\evil",
    "/batches\nSet-Cookie: x=1",
    "evil.example/phish",
    "javascript:alert(1)",
    "/\\/evil.example",
])
def test_login_ignores_a_next_that_could_leave_the_site(app, target):
    """A `next` with whitespace, control characters or backslashes (raw or percent-encoded) leads home, not to a 500."""
    add_accounts(app)
    response = log_in(app.test_client(), "editor", next=target)
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_login_keeps_a_next_on_this_site(app):
    """An ordinary path with its query still leads back to the page that asked for login."""
    add_accounts(app)
    response = log_in(app.test_client(), "editor", next="/batches?before=5&lang=ar")
    assert response.headers["Location"] == "/batches?before=5&lang=ar"


def test_login_form_with_an_unsafe_next_in_the_query_is_not_a_500(app):
    """The raw open-redirect request of the review: POST /login?next=/%09/evil.example/phish."""
    add_accounts(app)
    client = app.test_client()
    token = csrf_token(client)
    response = client.post("/login?next=/%09/evil.example/phish",
                           data={"name": "editor", "password": "correct horse battery staple", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"
