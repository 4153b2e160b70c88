"""Review before publishing: the states of a submission and what the store keeps of each (no Flask here)."""
from dataclasses import dataclass

from .model import Incident

WAITING, REJECTED, PUBLISHED = "waiting", "rejected", "published"
REVIEW_STATES = (WAITING, REJECTED, PUBLISHED)
MAX_REASON_LENGTH = 2000


@dataclass(frozen=True)
class Submission:
    """A contributor's new version of an incident held for review, kept apart from the published incidents
    (so no public page, count, export or cache can see it) until an editor publishes it."""

    incident: Incident  # the version submitted, as validated (with its position, placed when submitted)
    upload: int  # the number of the upload it came in (one upload may hold many incidents)
    author: str
    submitted_at: str  # ISO 8601 UTC
    state: str = WAITING  # one of REVIEW_STATES
    reason: str | None = None  # why it was rejected, for the author
    reviewer: str | None = None
    reviewed_at: str | None = None
    replaces: bool = False  # an incident of this id was published when it was submitted
    based_on: int | None = None  # the key of the published version it was submitted over, if any
    filename: str | None = None  # the file it was uploaded in
    note: str | None = None  # the author's correction note, kept with the version when it is published

    @property
    def incident_id(self) -> str:
        """Return the id of the incident submitted."""
        return self.incident.id


def normalized_reason(text: str | None) -> str:
    """Return a rejection reason with its whitespace tidied ('' when none was given)."""
    return " ".join((text or "").split())
