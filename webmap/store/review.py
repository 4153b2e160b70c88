"""The part of the store interface that keeps submissions waiting for review apart from the published incidents."""
from abc import ABC, abstractmethod

from ..core.model import Incident
from ..core.review import Submission
from .batches import BatchInfo, WriteReport

MAX_LISTED_SUBMISSIONS = 1000


class SubmissionOutdated(Exception):
    """The published incident changed after the submission was made, so publishing it would undo that change."""


class ReviewStore(ABC):
    """Submissions: contributors' incident versions held for review, never read by any public query."""

    @abstractmethod
    def submit_incidents(self, incidents: list[Incident], batch: BatchInfo,
                         protected: tuple[str, ...] = ()) -> WriteReport:
        """Hold the new and changed incidents as waiting submissions, as one upload, in one transaction (a newer
        submission of an incident replaces one still waiting); raise ProtectedIncidents as add_incidents would.
        The report's batch_id is the upload's number and its data_version None: the data version does not move."""

    @abstractmethod
    def list_submissions(self, states: tuple[str, ...], author: str | None = None,
                         limit: int = MAX_LISTED_SUBMISSIONS) -> list[Submission]:
        """Return up to `limit` submissions in these review states (by `author` only, if given), newest first."""

    @abstractmethod
    def get_submission(self, incident_id: str) -> Submission | None:
        """Return the latest submission of an incident, or None."""

    @abstractmethod
    def stored_submissions(self) -> list[Submission]:
        """Return every submission, in every state, oldest first, for copying a whole store."""

    @abstractmethod
    def restore_submissions(self, submissions: list[Submission]) -> None:
        """Record submissions exactly as another store holds them (oldest first), in one transaction, for copying a
        whole store into an empty one."""

    @abstractmethod
    def publish_submission(self, incident_id: str, reviewer: str, edited: Incident | None = None,
                           note: str | None = None, verification_note: str | None = None) -> WriteReport | None:
        """Publish an incident's waiting submission (or `edited`, the reviewer's edit of it, with the reviewer's
        notes; else the author's correction note) as a batch of the reviewer's, in one transaction; return what
        the write did, or None (changing nothing) when no submission of it waits; raise SubmissionOutdated
        (changing nothing) if the published incident changed, or was deleted, after it was submitted."""

    @abstractmethod
    def reject_submission(self, incident_id: str, reviewer: str, reason: str) -> Submission | None:
        """Reject an incident's waiting submission with a reason; return it, or None when none waits."""
