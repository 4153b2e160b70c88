"""Who may edit or delete an incident, and writing an edit or a deletion with its notes as one batch (or, for a
contributor with review on, as a submission waiting for review)."""
from ..accounts.roles import PERMISSIONS, protected_states, role_allows
from ..core.errors import Forbidden, NotFound
from ..core.i18n import message
from ..core.model import Incident
from ..core.review import WAITING
from ..ingest.upload import protected_error, verification_errors
from ..review.decide import publish
from ..review.policy import may_see, needs_review
from ..store import Account, BatchInfo, ProtectedIncidents, Store, WriteReport
from .form import EditedIncident, field_messages
from .history import gone, tombstone


def may_edit(account: Account | None, incident: Incident) -> bool:
    """Tell whether an account may edit an incident, as the upload API lets it: editors any, contributors
    those no editor has verified, disputed or debunked."""
    return (account is not None and role_allows(account.role, "upload")
            and incident.verification not in protected_states(account.role))


def live_incident(store: Store, incident_id: str) -> Incident:
    """Return the live incident with this id; raise Gone (with the reason) if it was deleted, else NotFound."""
    incident = store.get_incident(incident_id)
    if incident is not None:
        return incident
    deletion = tombstone(store.incident_history(incident_id))
    if deletion is not None:
        raise gone(incident_id, deletion)
    raise NotFound(message("error_texts.no_incident", id=incident_id))


def editable_incident(store: Store, incident_id: str, account: Account) -> Incident:
    """Return the incident an account asks to edit, or raise NotFound, Gone or Forbidden saying why not."""
    incident = live_incident(store, incident_id)
    if not may_edit(account, incident):
        raise _refusal(incident, account)
    return incident


def edit_target(store: Store, incident_id: str, account: Account, review: bool) -> tuple[Incident, bool]:
    """Return the version of an incident an account edits and whether it is a submission waiting for review: the
    waiting one when the account may see it (its author with review on, any editor), else the live incident;
    raise NotFound, Gone or Forbidden saying why not."""
    submission = store.get_submission(incident_id)
    if (submission is not None and submission.state == WAITING and may_see(account, submission)
            and (review or role_allows(account.role, "review"))):
        if not may_edit(account, submission.incident):
            raise _refusal(submission.incident, account)
        return submission.incident, True
    return editable_incident(store, incident_id, account), False


def _refusal(incident: Incident, account: Account) -> Forbidden:
    """Return the refusal of an edit of an incident whose verification state the account's role may not change."""
    return Forbidden(message("error_texts.incident_protected", id=incident.id, state=incident.verification,
                             role=PERMISSIONS["change_reviewed"][0], own=account.role))


def save_edit(store: Store, edited: EditedIncident, account: Account, lang: str = "en", review: bool = False,
              waiting: bool = False) -> WriteReport | dict[str, str]:
    """Write a checked edit carrying its notes: as one batch, as a submission when the account's writes wait for
    review (`review` on), or, for an editor's edit of a `waiting` submission, by publishing it edited; return
    the report, or the problems (by form field) the account's role causes, with the upload's messages (nothing
    is then written)."""
    incident = edited.incident
    refused = verification_errors([incident], store, account)
    if refused:
        return field_messages(refused, lang)
    note, verification_note = edited.correction_note or None, edited.verification_note or None
    batch = BatchInfo(user=account.name, note=note, verification_note=verification_note)
    try:
        if needs_review(account.role, review):
            return store.submit_incidents([incident], batch, protected_states(account.role))
        if waiting:
            return publish(store, incident.id, account, incident, note, verification_note)
        return store.add_incidents([incident], batch, protected_states(account.role))
    except ProtectedIncidents as error:  # an editor verified it after the form was opened
        raise protected_error([incident], error.states) from None

