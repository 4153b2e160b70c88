"""The API of possible duplicates for editors' scripts: list the open pairs, merge one, or mark one distinct."""
from flask import Blueprint, jsonify, request

from ..accounts.auth import api_account, csrf
from ..core.numbers import whole_number_parameter
from ..duplicates.actions import PAIRS_PER_PAGE, mark_distinct, merge_pair, open_pair, pair_json
from ..store import get_store
from .api_write import write_api_headers

bp = Blueprint("api_duplicates", __name__, url_prefix="/api/duplicates")
# Token requests carry no cookie to forge; `api_account` demands the CSRF token for session requests.
csrf.exempt(bp)
bp.after_request(write_api_headers)


@bp.get("")
def list_pairs():
    """List the open pairs, newest flagged first, a page at a time (`before`: the last id of the page before)."""
    api_account("edit")
    raw = request.args.get("before")
    before = None if raw is None else whole_number_parameter("before", raw)
    store = get_store()
    pairs = store.list_duplicate_pairs(PAIRS_PER_PAGE, before=before)
    return jsonify({"numberMatched": store.count_duplicate_pairs(), "pairs": [pair_json(p) for p in pairs],
                    "next_before": pairs[-1].id if len(pairs) == PAIRS_PER_PAGE else None})


@bp.post("/<pair_id>/merge")
def merge(pair_id: str):
    """Merge a pair into one incident as a batch (undo it with the batches page); answer with the merged incident."""
    account = api_account("edit")
    store = get_store()
    report, kept, gone = merge_pair(store, open_pair(store, pair_id), account)
    return jsonify({"batch_id": report.batch_id, "data_version": report.data_version, "kept": kept,
                    "merged_away": gone, "incident": store.get_incident(kept).to_feature()})


@bp.post("/<pair_id>/distinct")
def distinct(pair_id: str):
    """Mark a pair as two different events: it is not flagged again."""
    account = api_account("edit")
    store = get_store()
    pair = open_pair(store, pair_id)
    mark_distinct(store, pair, account)
    return jsonify({"id": pair.id, "distinct": True})
