"""Writing uploaded incidents: read and validate, check the uploader's rights, then write or only report."""
import json
from dataclasses import dataclass

from ..accounts.roles import protected_states, role_allows
from ..core.errors import (BadRequest, FieldError, Forbidden, InvalidContent, InvalidParameter, NotFound,
                           UnsupportedMediaType, field_error, said)
from ..core.i18n import message
from ..core.model import Incident
from ..core.vocabulary import Vocabulary
from ..review.policy import needs_review
from ..store import Account, BatchInfo, ProtectedIncidents, Store, WriteReport
from . import read_incidents
from .validate import MAX_REPORTED_ERRORS

JSON_TYPES = ("application/geo+json", "application/json")
MAX_NOTE_LENGTH = 2000  # characters in a note or a reason: a sentence or two, not an article
_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off", "")


@dataclass(frozen=True)
class Upload:
    """One uploaded body or file: its bytes and what the client said about its name and type."""

    data: bytes
    filename: str | None
    content_type: str | None


@dataclass(frozen=True)
class IngestRules:
    """What incoming incidents are checked against: the vocabulary, the region they must lie in and the most
    vertices one geometry may have."""

    vocabulary: Vocabulary
    region_bbox: tuple[float, float, float, float]
    max_vertices: int


@dataclass(frozen=True)
class UploadResult:
    """The incidents of an upload and what writing them did (or, for a dry run, would do)."""

    incidents: list[Incident]
    report: WriteReport
    dry_run: bool
    waiting: bool = False  # held for an editor's review (or, for a dry run, would be): not published

    @property
    def written(self) -> bool:
        """Tell whether the upload published incidents (a batch with new or updated ones)."""
        return not self.dry_run and not self.waiting and bool(self.report.inserted or self.report.updated)

    def to_json(self, map_url: str | None = None) -> dict:
        """Return the report the API answers with; `map_url` links to the map of the incidents written."""
        report = self.report
        return {
            "dry_run": self.dry_run,
            "review": "waiting" if self.waiting else "published",
            "upload_id": report.batch_id if self.waiting else None,
            "batch_id": None if self.waiting else report.batch_id,
            "data_version": report.data_version,
            "map_url": map_url,
            "inserted": len(report.inserted),
            "updated": len(report.updated),
            "unchanged": len(report.unchanged),
            "ids": {"inserted": report.inserted, "updated": report.updated, "unchanged": report.unchanged},
        }

    def rows(self) -> list[tuple[int, Incident, str]]:
        """Return (feature index, incident, outcome) for each incident, outcome being inserted/updated/unchanged."""
        outcome = {i: "unchanged" for i in self.report.unchanged}
        outcome.update({i: "updated" for i in self.report.updated})
        outcome.update({i: "inserted" for i in self.report.inserted})
        return [(index, incident, outcome[incident.id]) for index, incident in enumerate(self.incidents)]


def parse_flag(value: str | None, name: str) -> bool:
    """Read a yes/no parameter such as `dry_run=true`."""
    text = (value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidParameter(message("error_texts.flag_invalid", name=name),
                           [field_error(name, "flag_invalid", value=value)])


def upload_from_request(request) -> Upload:
    """Take the upload from a Flask request: the `file` field of a form, or else the whole body."""
    if request.mimetype == "multipart/form-data":
        file = request.files.get("file")
        if file is None or not file.filename:
            raise BadRequest("The form has no file.", [field_error("file", "choose_file")])
        return Upload(file.read(), file.filename, file.mimetype or None)
    return Upload(request.get_data(cache=False), None, request.mimetype or None)


def verification_errors(incidents: list[Incident], store: Store, account: Account) -> list[FieldError]:
    """Name each incident whose verification state the account may not set (only editors verify)."""
    if role_allows(account.role, "verify"):
        return []
    stored = store.verification_states([i.id for i in incidents])
    protected = protected_states(account.role)
    errors = []
    for index, incident in enumerate(incidents):
        allowed = stored.get(incident.id, "unverified")
        # The write refuses any change to a protected incident, with a message that says why (protected_error).
        if incident.verification != allowed and allowed not in protected:
            errors.append(said("verification", message("field_errors.verification_editors_only", state=allowed),
                               index))
    return errors


def write_upload(store: Store, upload: Upload, account: Account, rules: IngestRules, dry_run: bool,
                 review: bool = False) -> UploadResult:
    """Validate an upload whole and write it in one transaction (or only report, for a dry run); with `review`
    on, a contributor's new and changed incidents are held for an editor's review instead of published."""
    incidents = read_incidents(upload.data, upload.filename, upload.content_type,
                               vocabulary=rules.vocabulary, region_bbox=rules.region_bbox,
                               max_vertices=rules.max_vertices)
    if not incidents:
        raise InvalidContent("The upload holds no incidents.", [field_error("features", "no_features_found")])
    errors = verification_errors(incidents, store, account)
    if errors:
        raise InvalidContent(message("error_texts.verification_refused", count=len(errors)), errors)
    protected = protected_states(account.role)
    waiting = needs_review(account.role, review)
    batch = BatchInfo(user=account.name, filename=upload.filename)
    try:
        if dry_run:
            return UploadResult(incidents, store.plan_incidents(incidents, protected), dry_run=True, waiting=waiting)
        if waiting:
            return UploadResult(incidents, store.submit_incidents(incidents, batch, protected), False, waiting=True)
        report = store.add_incidents(incidents, batch, protected)
    except ProtectedIncidents as refused:
        raise protected_error(incidents, refused.states) from None
    return UploadResult(incidents, report, dry_run=False)


def protected_error(incidents: list[Incident], states: dict[str, str]) -> Forbidden:
    """Return the refusal of an upload that would change reviewed incidents, naming each by feature and id."""
    errors = [said("id", message("field_errors.protected_incident", id=incident.id, state=states[incident.id]), index)
              for index, incident in enumerate(incidents) if incident.id in states]
    shown = ", ".join(list(states)[:5]) + (", ..." if len(states) > 5 else "")
    return Forbidden(message("error_texts.protected_refused", shown=shown,
                             incidents=message("error_texts.changed_incidents", count=len(errors))),
                     errors[:MAX_REPORTED_ERRORS])


def feature_for_id(upload: Upload, incident_id: str) -> Upload:
    """Check a PUT body is one GeoJSON Feature for `incident_id` (the path's id) and return it carrying that id."""
    if upload.content_type not in JSON_TYPES:
        raise UnsupportedMediaType(message("error_texts.feature_media_type", types=" or ".join(JSON_TYPES)))
    try:
        feature = json.loads(upload.data)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest("The body is not valid JSON.", [FieldError("body", str(exc))]) from None
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise BadRequest("The body must be one GeoJSON Feature.", [field_error("type", "must_be_feature")])
    if feature.get("id") is not None and str(feature["id"]) != incident_id:
        raise InvalidContent("The Feature's id differs from the id in the URL.", [said(
            "id", message("field_errors.id_differs", sent=feature["id"], path=incident_id), 0)])
    body = json.dumps({**feature, "id": incident_id}, ensure_ascii=False).encode()
    return Upload(body, upload.filename, "application/geo+json")


def replace_incident(store: Store, incident_id: str, upload: Upload, account: Account,
                     rules: IngestRules) -> UploadResult:
    """Replace one existing incident with the Feature in a PUT body."""
    if store.get_incident(incident_id) is None:
        raise NotFound(message("error_texts.no_incident", id=incident_id))
    return write_upload(store, feature_for_id(upload, incident_id), account, rules, dry_run=False)


def deletion_reason(text: str | None) -> str:
    """Return the reason given for a deletion, trimmed, or raise InvalidParameter if there is none (or too long)."""
    reason = (text or "").strip()
    if not reason:
        raise InvalidParameter(message("error_texts.deletion_reason_missing"),
                               [field_error("reason", "deletion_reason_missing")])
    if len(reason) > MAX_NOTE_LENGTH:
        raise InvalidParameter(message("error_texts.deletion_reason_too_long"),
                               [field_error("reason", "text_too_long", count=len(reason), most=MAX_NOTE_LENGTH)])
    return reason


def delete_incident(store: Store, incident_id: str, account: Account, reason: str) -> WriteReport:
    """Delete one incident, recording why (history keeps its versions, its address gives the reason)."""
    if store.get_incident(incident_id) is None:
        raise NotFound(message("error_texts.no_incident", id=incident_id))
    return store.delete_incidents([incident_id], BatchInfo(user=account.name, note=reason))
