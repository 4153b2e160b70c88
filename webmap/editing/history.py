"""An incident's history as people read it: each version with what changed, and what a deletion leaves."""
from dataclasses import dataclass

from ..core.errors import FieldError, Gone
from ..core.i18n import message
from ..core.model import IncidentRevision
from .diff import FieldChange, Move, field_changes, moved


@dataclass(frozen=True)
class HistoryEntry:
    """One change to an incident: the stored version, what it did, the fields it changed and any move."""

    version: IncidentRevision
    action: str  # `created`, `edited`, `deleted` or `restored` (written again after a deletion)
    changes: list[FieldChange]
    move: Move | None


def history_entries(versions: list[IncidentRevision]) -> list[HistoryEntry]:
    """Return the history of an incident's versions (oldest first, as the store gives them), newest first."""
    entries, previous = [], None
    for number, version in enumerate(versions):
        if version.incident is None:
            action = "deleted"
        elif number == 0:
            action = "created"
        else:
            action = "restored" if previous is None else "edited"
        entries.append(HistoryEntry(version, action, field_changes(previous, version.incident),
                                    moved(previous, version.incident)))
        previous = version.incident
    return entries[::-1]


def tombstone(versions: list[IncidentRevision]) -> IncidentRevision | None:
    """Return the deletion an incident's history ends with (who, when and why), or None if it is not deleted."""
    return versions[-1] if versions and versions[-1].incident is None else None


def gone(incident_id: str, deletion: IncidentRevision) -> Gone:
    """Return the answer at a deleted incident's address: when it was deleted and why."""
    reason, day = deletion.note or "", deletion.at[:10]
    text = (message("error_texts.incident_deleted", id=incident_id, date=day, reason=reason) if reason
            else message("error_texts.incident_deleted_silently", id=incident_id, date=day))
    return Gone(text, [FieldError("reason", reason)])
