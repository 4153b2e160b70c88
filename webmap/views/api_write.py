"""Write API for incidents (OGC API - Features Part 4 paths): create/upsert, replace, delete."""
from flask import Blueprint, Response, current_app, jsonify, request, url_for

from ..accounts.auth import api_account, csrf
from ..core.errors import UnsupportedMediaType, field_error
from ..core.i18n import message
from ..editing.save import live_incident
from ..ingest.formats import CONTENT_TYPES
from ..ingest.upload import (delete_incident, deletion_reason, parse_flag, replace_incident, upload_from_request,
                             write_upload)
from ..store import get_store
from .uploads import ingest_rules, upload_map_url

bp = Blueprint("api_write", __name__, url_prefix="/api/collections/incidents")
# Token requests carry no cookie to forge; `api_account` demands the CSRF token for session requests.
csrf.exempt(bp)
# A body must name its format. Those a cross-site page can send without a CORS preflight (text/plain, a
# url-encoded form, none at all) are refused, so no write rides on a browser's cookie that way; a multipart
# form can be sent too, but needs the CSRF header with a session, and its file part may be vaguely typed.
WRITE_MEDIA_TYPES = ("multipart/form-data", *CONTENT_TYPES)


def require_media_type(allowed: tuple[str, ...]) -> None:
    """Refuse a POST or PUT whose Content-Type is not one of `allowed` (HTTP 415)."""
    if request.method in ("POST", "PUT") and request.mimetype not in allowed:
        sent = (field_error("Content-Type", "media_type_unread", type=request.mimetype) if request.mimetype
                else field_error("Content-Type", "media_type_missing"))
        raise UnsupportedMediaType(message("error_texts.send_as", types=", ".join(allowed)), [sent])


def write_api_headers(response: Response) -> Response:
    """Name the auth scheme on 401 answers and keep write answers out of caches."""
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="webmap"'
    response.headers["Cache-Control"] = "no-store"
    return response


bp.before_request(lambda: require_media_type(WRITE_MEDIA_TYPES))
bp.after_request(write_api_headers)


@bp.post("/items")
def create_items():
    """Insert or update the incidents of a GeoJSON body or an uploaded file (`?dry_run=true` only reports)."""
    account = api_account("upload")
    dry_run = parse_flag(request.args.get("dry_run"), "dry_run")
    result = write_upload(get_store(), upload_from_request(request), account, ingest_rules(), dry_run,
                          review=current_app.config["REVIEW"])
    response = jsonify(result.to_json(upload_map_url(result, external=True)))
    response.status_code = 200 if dry_run else 201
    if result.waiting and not dry_run and len(result.incidents) == 1 and result.report.inserted:
        # Its public URL would be a 404 until an editor publishes it; its review is readable now.
        response.headers["Location"] = url_for("api_review.get_submission", incident_id=result.report.inserted[0])
    elif not dry_run and len(result.incidents) == 1 and result.report.inserted:
        response.headers["Location"] = url_for("api_write.replace_item", incident_id=result.report.inserted[0])
    return response


@bp.put("/items/<incident_id>")
def replace_item(incident_id: str):
    """Replace one incident with the Feature in the body."""
    account = api_account("edit")
    result = replace_incident(get_store(), incident_id, upload_from_request(request), account, ingest_rules())
    return jsonify(result.to_json(upload_map_url(result, external=True)))


@bp.delete("/items/<incident_id>")
def delete_item(incident_id: str):
    """Delete one incident, for the reason given in `?reason=`; history keeps its earlier versions."""
    account, store = api_account("edit"), get_store()
    live_incident(store, incident_id)  # a deleted one is 410, with its reason, before any reason is asked for
    delete_incident(store, incident_id, account, deletion_reason(request.args.get("reason")))
    return Response(status=204)
