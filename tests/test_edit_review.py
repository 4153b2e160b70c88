"""The edit form with review on: a contributor's edit waits unseen, like an upload of theirs, and an editor edits
what waits from the review page; the correction note is asked for only where readers saw the incident. And the
errors of editing and deleting, from the catalogue in English and Arabic."""
import pytest
from test_incident_edit import EDIT, ITEM, form_of, post_edit, state
from test_review import session_of, submit
from upload_helpers import bearer, feature

from webmap.core.review import PUBLISHED, WAITING
from webmap.store import get_store

IN_ARABIC = {"Accept-Language": "ar"}


def stored(app, incident_id: str):
    """Return the published incident and its latest submission."""
    with app.app_context():
        return get_store().get_incident(incident_id), get_store().get_submission(incident_id)


def test_a_contributors_edit_waits_for_review_with_its_correction_note(review_app):
    contributor = session_of(review_app, "contributor")
    before = state(review_app)
    refused = post_edit(contributor, "t-001", title="Shelling near Quneitra, corrected")
    assert refused.status_code == 422 and 'id="error-correction_note"' in refused.get_data(as_text=True)
    done = post_edit(contributor, "t-001", title="Shelling near Quneitra, corrected",
                     correction_note="The outlet corrected the place")
    assert done.status_code == 302 and done.headers["Location"].startswith("/submissions")
    live, submission = stored(review_app, "t-001")
    assert state(review_app) == before and live.title != "Shelling near Quneitra, corrected"
    assert submission.state == WAITING and submission.incident.title == "Shelling near Quneitra, corrected"
    assert "Shelling near Quneitra, corrected" not in review_app.test_client().get(
        ITEM.format("t-001")).get_data(as_text=True)
    editor = session_of(review_app, "editor")
    token = form_of(editor, "t-001")["csrf_token"]
    assert editor.post("/review/t-001/publish", data={"csrf_token": token}).status_code == 303
    live, _ = stored(review_app, "t-001")
    assert live.title == "Shelling near Quneitra, corrected"
    assert live.extra["correction_note"] == "The outlet corrected the place"


def test_an_editor_edits_a_new_submission_and_publishes_it_without_a_correction_note(review_app):
    submit(review_app, feature(1, title="Waiting raid"))
    editor = session_of(review_app, "editor")
    form = editor.get(EDIT.format("up-1")).get_data(as_text=True)
    assert 'name="correction_note"' not in form and 'id="delete-incident"' not in form
    done = post_edit(editor, "up-1", title="Waiting raid, place checked")
    assert done.status_code == 302
    live, submission = stored(review_app, "up-1")
    assert live.title == "Waiting raid, place checked" and submission.state == PUBLISHED
    assert "correction_note" not in live.extra


def test_a_contributor_edits_their_own_waiting_submission_and_no_one_elses(review_app):
    submit(review_app, feature(1, title="Waiting raid"))
    contributor = session_of(review_app, "contributor")
    assert post_edit(contributor, "up-1", title="Waiting raid, retitled").status_code == 302
    live, submission = stored(review_app, "up-1")
    assert live is None and submission.state == WAITING and submission.incident.title == "Waiting raid, retitled"
    assert session_of(review_app, "viewer").get(EDIT.format("up-1")).status_code == 403
    submit(review_app, feature(2), token="admin")  # published at once: an admin's write
    assert contributor.get(EDIT.format("up-2")).status_code == 200


@pytest.mark.parametrize("headers, expected", [({}, "A deletion needs a reason"), (IN_ARABIC, "يحتاج الحذف")])
def test_a_deletion_without_a_reason_is_refused_in_the_readers_language(review_app, headers, expected):
    response = review_app.test_client().delete(ITEM.format("t-001"),
                                               headers={**bearer(review_app.tokens["editor"]), **headers})
    assert response.status_code == 400 and response.get_json()["description"].startswith(expected)


def test_a_deleted_incident_and_a_refused_edit_answer_in_arabic(review_app):
    editor = bearer(review_app.tokens["editor"])
    assert review_app.test_client().delete(ITEM.format("t-001") + "?reason=Same+event",
                                           headers=editor).status_code == 204
    gone = review_app.test_client().get(ITEM.format("t-001"), headers=IN_ARABIC)
    assert gone.status_code == 410 and gone.get_json()["description"].startswith("حُذفت الحادثة «t-001»")
    assert "Same event" in gone.get_json()["description"]
    refused = session_of(review_app, "contributor").get(EDIT.format("t-002") + "?lang=ar")
    assert refused.status_code == 403 and "لا يغيّرها إلا الدور «editor»" in refused.get_data(as_text=True)
