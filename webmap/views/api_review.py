"""The review API: editors publish or reject submissions; editors and each author read them."""
import json

from flask import Blueprint, current_app, jsonify, request

from ..accounts.auth import api_account, csrf
from ..core.errors import BadRequest, FieldError, NotFound
from ..core.review import REVIEW_STATES, WAITING
from ..map.filters import parse_terms
from ..review.decide import decide
from ..review.policy import may_see, visible_author
from ..review.select import submission_feature
from ..store import get_store
from .api_write import require_media_type, write_api_headers

bp = Blueprint("api_review", __name__, url_prefix="/api/collections/incidents")
csrf.exempt(bp)  # as the write API: `api_account` demands the CSRF token of session requests
bp.before_request(lambda: require_media_type(("application/json",)))
bp.after_request(write_api_headers)


def _body() -> dict:
    """Return the JSON object a decision is sent as."""
    try:
        body = json.loads(request.get_data(cache=False) or b"null")
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest("The body is not valid JSON.", [FieldError("body", str(exc))]) from None
    if not isinstance(body, dict):
        raise BadRequest("Send a JSON object such as {\"decision\": \"publish\"}.",
                         [FieldError("body", "must be a JSON object")])
    return body


@bp.get("/review")
def list_submissions():
    """List submissions as a GeoJSON FeatureCollection: every one for editors, their own for contributors;
    `state` picks the review states (waiting by default)."""
    account = api_account("upload")
    errors: list[FieldError] = []
    states = parse_terms("state", "review state", request.args.getlist("state"), list(REVIEW_STATES), errors)
    if errors:
        raise BadRequest("The review states are not valid.", errors)
    submissions = get_store().list_submissions(states or (WAITING,), visible_author(account))
    return jsonify({"type": "FeatureCollection", "review": current_app.config["REVIEW"],
                    "features": [submission_feature(s) for s in submissions]})


@bp.get("/items/<incident_id>/review")
def get_submission(incident_id: str):
    """Return an incident's latest submission with its review state (and reason, if rejected), to editors and
    to its author; to anyone else it does not exist."""
    account = api_account("upload")
    submission = get_store().get_submission(incident_id)
    if submission is None or not may_see(account, submission):
        raise NotFound(f"There is no submission of incident '{incident_id}' that this account may see.")
    return jsonify(submission_feature(submission))


@bp.post("/items/<incident_id>/review")
def review_item(incident_id: str):
    """Publish (`{"decision": "publish"}`) or reject (`{"decision": "reject", "reason": "..."}`) the waiting
    submission of an incident."""
    account = api_account("review")
    body = _body()
    result = decide(get_store(), incident_id, account, body.get("decision"), body.get("reason"))
    if body.get("decision") == "publish":
        return jsonify({"review": "published", "id": incident_id, "batch_id": result.batch_id,
                        "data_version": result.data_version})
    return jsonify(submission_feature(result))
