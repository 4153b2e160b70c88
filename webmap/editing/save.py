"""Who may edit or delete an incident, and writing an edit or a deletion with its notes as one batch."""
from ..accounts.roles import PERMISSIONS, protected_states, role_allows
from ..core.errors import Forbidden, NotFound
from ..core.model import Incident
from ..ingest.upload import protected_error, verification_errors
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
    raise NotFound(f"There is no incident '{incident_id}'.")


def editable_incident(store: Store, incident_id: str, account: Account) -> Incident:
    """Return the incident an account asks to edit, or raise NotFound, Gone or Forbidden saying why not."""
    incident = live_incident(store, incident_id)
    if not may_edit(account, incident):
        role = PERMISSIONS["change_reviewed"][0]
        raise Forbidden(f"'{incident_id}' is {incident.verification}: only the role '{role}' or higher may change it;"
                        f" the role '{account.role}' may not.")
    return incident


def save_edit(store: Store, edited: EditedIncident, account: Account,
              lang: str = "en") -> WriteReport | dict[str, str]:
    """Write a checked edit as one batch carrying its notes; return the report, or the problems (by form field)
    the account's role causes, with the upload's messages (nothing is then written)."""
    incident = edited.incident
    refused = verification_errors([incident], store, account)
    if refused:
        return field_messages(refused, lang)
    batch = BatchInfo(user=account.name, note=edited.correction_note or None,
                      verification_note=edited.verification_note or None)
    try:
        return store.add_incidents([incident], batch, protected_states(account.role))
    except ProtectedIncidents as error:  # an editor verified it after the form was opened
        raise protected_error([incident], error.states) from None

