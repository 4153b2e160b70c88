"""An editor's decisions on submissions: publish one, or reject it with a reason the author reads."""
from ..core.errors import Conflict, FieldError, InvalidContent, NotFound
from ..core.model import Incident
from ..core.review import MAX_REASON_LENGTH, Submission, normalized_reason
from ..store import Account, Store, SubmissionOutdated, WriteReport

DECISIONS = ("publish", "reject")


def _not_waiting(incident_id: str) -> NotFound:
    """Return the error for an incident with no submission waiting (never submitted, or decided already)."""
    return NotFound("No submission of this incident is waiting for review.",
                    [FieldError("id", f"'{incident_id}' has none waiting: never submitted, or decided already")])


def checked_reason(text: str | None) -> str:
    """Return a rejection reason, or raise InvalidContent when it is missing or too long."""
    reason = normalized_reason(text) if isinstance(text, str) else ""
    if not reason:
        raise InvalidContent("A rejection needs a reason, which its author will read.",
                             [FieldError("reason", "say why the incident is not published")])
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidContent("The reason is too long.",
                             [FieldError("reason", f"at most {MAX_REASON_LENGTH} characters")])
    return reason


def publish(store: Store, incident_id: str, reviewer: Account, edited: Incident | None = None,
            note: str | None = None, verification_note: str | None = None) -> WriteReport:
    """Publish the waiting submission of an incident (or `edited`, the reviewer's edit of it, with its notes): it
    becomes the incident's live version in a new batch."""
    # The store checks the state inside its transaction, so two editors deciding at once cannot both win.
    try:
        report = store.publish_submission(incident_id, reviewer.name, edited, note, verification_note)
    except SubmissionOutdated:
        raise Conflict("The published incident changed after this was submitted; publishing it would undo that "
                       "change. Reject it, and ask for a new submission.",
                       [FieldError("id", f"'{incident_id}' changed after it was submitted")]) from None
    if report is None:
        raise _not_waiting(incident_id)
    return report


def reject(store: Store, incident_id: str, reviewer: Account, reason: str | None) -> Submission:
    """Reject the waiting submission of an incident with a reason; nothing is published."""
    text = checked_reason(reason)
    submission = store.reject_submission(incident_id, reviewer.name, text)
    if submission is None:
        raise _not_waiting(incident_id)
    return submission


def decide(store: Store, incident_id: str, reviewer: Account, decision: str | None, reason: str | None):
    """Apply `publish` or `reject` (with `reason`) to an incident's waiting submission."""
    if decision == "publish":
        return publish(store, incident_id, reviewer)
    if decision == "reject":
        return reject(store, incident_id, reviewer, reason)
    raise InvalidContent("Say what to do with the incident: publish or reject.",
                         [FieldError("decision", f"must be one of: {', '.join(DECISIONS)}")])
