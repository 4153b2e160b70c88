"""Each person's own page: changing their password and creating, listing and revoking their API tokens."""
from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..accounts.auth import log_in, page_requires, session_account
from ..accounts.manage import Refused, change_own_password, create_token, revoke_token
from ..accounts.roles import MIN_PASSWORD_LENGTH
from ..core.errors import WebmapError
from ..core.i18n import language_arg, plural
from ..core.numbers import whole_number
from ..store import get_store
from .accounts import page_context, refusal_error

bp = Blueprint("account", __name__)


def _account_page(error: WebmapError | None = None, status: int = 200, new_token: str | None = None,
                  new_token_name: str = ""):
    """Render the person's page, optionally with an error or with a token just created (shown this once)."""
    context = page_context()
    tokens = get_store().list_tokens(session_account().name)
    count = plural(context["lang"], context["t"]["token_count"], len(tokens))
    page = render_template("account.html", tokens=tokens, token_count=count, minimum=MIN_PASSWORD_LENGTH,
                           error=error, new_token=new_token, new_token_name=new_token_name, **context)
    # The page may carry a new token: no cache may keep it.
    return page, status, {"Cache-Control": "no-store"}


def _refused(refused: Refused):
    """Show the page again with the reason a change was refused."""
    return _account_page(refusal_error(refused, page_context()["lang"]), refused.status)


def _back(message: str):
    """Say what was done above the page, after a redirect so a reload does not repeat it."""
    flash(message)
    return redirect(url_for("account.account_page", lang=language_arg(page_context()["lang"])), 303)


def token_id(text: str, key: str = "token_missing", **values) -> int:
    """Return the token number a revoke form sends, refusing text no token can have (as message `key`)."""
    try:
        return whole_number(text)
    except ValueError:
        raise Refused(key, 404, **values) from None


@bp.get("/account")
@page_requires("own_account")
def account_page():
    """Show the forms to change one's password and one's API tokens."""
    return _account_page()


@bp.post("/account/password")
@page_requires("own_account")
def change_password():
    """Change one's own password (the current one is needed); every other session of the account ends."""
    form = request.form
    try:
        account = change_own_password(get_store(), session_account(), form.get("current", ""), form.get("new", ""),
                                      form.get("repeat", ""))
    except Refused as refused:
        return _refused(refused)
    log_in(account)  # the change ended every session; this browser's goes on in a new one
    return _back(page_context()["t"]["done_password_changed"])


@bp.post("/account/tokens")
@page_requires("own_account")
def add_token():
    """Create a named API token and show it, this once."""
    name = session_account().name
    label = request.form.get("label", "").strip()
    try:
        token = create_token(get_store(), name, name, label)
    except Refused as refused:
        return _refused(refused)
    return _account_page(new_token=token, new_token_name=label)


@bp.post("/account/tokens/revoke")
@page_requires("own_account")
def revoke():
    """Revoke one of one's API tokens."""
    name = session_account().name
    try:
        label = revoke_token(get_store(), name, name, token_id(request.form.get("token", "")))
    except Refused as refused:
        return _refused(refused)
    return _back(page_context()["t"]["done_token_revoked"].format(name=label))
