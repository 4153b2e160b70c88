"""In a real browser: an editor merges two reports of one event from the duplicates page, then undoes the merge on
the batches page, and both reports and the pair are back."""
import pytest
from upload_helpers import PASSWORD, add_accounts

from webmap.core.model import Incident
from webmap.store import BatchInfo, get_store

pytestmark = pytest.mark.browser

ITEMS = "/api/collections/incidents/items"


def _report(incident_id: str, date: str, lat: float, source: str) -> Incident:
    """Return a report of an airstrike near Quneitra from one outlet."""
    return Incident(id=incident_id, geometry={"type": "Point", "coordinates": [35.85, lat]}, date=date,
                    event_type="airstrike", title=f"Airstrike reported by {source}", sources=(f"https://{source}/",),
                    precision="town")


def test_an_editor_merges_two_reports_and_undoes_it(fixture_app, live_server, page):
    """Merge from /duplicates (the map's incident count drops by one, the kept report has both sources), then undo
    the merge's batch on /batches: both reports are back as they were and the pair is listed again."""
    add_accounts(fixture_app)
    with fixture_app.app_context():
        get_store().add_incidents([_report("dup-a", "2025-02-01", 33.2, "outlet-a.example"),
                                   _report("dup-b", "2025-02-02", 33.205, "outlet-b.example")],
                                  BatchInfo(user="test"))
    client = fixture_app.test_client()
    before = {i: client.get(f"{ITEMS}/{i}").get_json() for i in ("dup-a", "dup-b")}
    page.goto(f"{live_server}/login?next=/duplicates")
    page.fill("input[name=name]", "editor")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_selector("section.pair")
    assert page.text_content("#pair-count") == "1 pair to review"
    pair = page.locator("section.pair")
    assert pair.locator("svg.pair-map circle").count() == 2
    assert pair.locator('tr[data-field="sources"] td').nth(2).locator("a").count() == 2  # the merge keeps both

    pair.locator("button.merge").click()
    page.wait_for_selector(".flash")
    flash = page.text_content(".flash")
    assert flash.startswith("dup-b was merged into dup-a as batch ")
    assert page.locator("#no-pairs").is_visible() and page.locator("section.pair").count() == 0
    merged = client.get(f"{ITEMS}/dup-a").get_json()["properties"]
    assert merged["sources"] == ["https://outlet-a.example/", "https://outlet-b.example/"]
    gone = client.get(f"{ITEMS}/dup-b")
    assert gone.status_code == 410 and "dup-a" in gone.get_json()["description"]

    batch = flash.split("as batch ")[1].split(";")[0]
    page.goto(f"{live_server}/batches")
    page.locator(f'tr[data-batch="{batch}"] button[type=submit]').click()
    page.wait_for_selector(".flash")
    assert f"Batch {batch} was undone" in page.text_content(".flash")
    assert {i: client.get(f"{ITEMS}/{i}").get_json() for i in ("dup-a", "dup-b")} == before

    page.goto(f"{live_server}/duplicates")
    page.wait_for_selector("section.pair")
    assert page.text_content("#pair-count") == "1 pair to review"
