"""`/healthz` for load balancers: whether this server reaches its database, and at which schema and data version."""
from flask import Blueprint, current_app, jsonify

from ..store import Store, get_store

bp = Blueprint("health", __name__)


def health_report(store: Store) -> tuple[dict, int]:
    """Return what a load balancer needs to know about the store, and the HTTP status to say it with."""
    try:
        schema, data = store.schema_version(), store.data_version()
    except Exception:  # any backend's failure to answer means the same thing here: send no traffic
        current_app.logger.exception("health check: the database did not answer")
        return {"status": "unavailable", "database": "unreachable", "schema_version": None,
                "data_version": None}, 503
    return {"status": "ok", "database": "reachable", "schema_version": schema, "data_version": data}, 200


@bp.get("/healthz")
def healthz():
    """Answer 200 while the database answers and 503 while it does not, never from a cache."""
    report, status = health_report(get_store())
    response = jsonify(report)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
