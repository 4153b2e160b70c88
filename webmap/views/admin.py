"""The admin's pages: managing accounts (add, role, disable, reset password, revoke their API tokens) and reading
the audit log."""
from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..accounts.auth import page_requires, session_account
from ..accounts.manage import (Refused, change_role, create_account, existing_account, reset_password, revoke_token,
                               set_disabled)
from ..accounts.roles import MIN_PASSWORD_LENGTH, ROLES
from ..core.errors import WebmapError
from ..core.i18n import language_arg, plural
from ..store import get_store
from .account import token_id
from .accounts import page_context, refusal_error
from .uploads import before_cursor

bp = Blueprint("admin", __name__, url_prefix="/admin")
AUDIT_PER_PAGE = 50


def _accounts_page(error: WebmapError | None = None, status: int = 200):
    """Render the list of accounts with their forms, optionally with an error above it."""
    context = page_context()
    store = get_store()
    accounts = store.list_accounts()
    count = plural(context["lang"], context["t"]["account_count"], len(accounts))
    tokens = {a.name: plural(context["lang"], context["t"]["token_count"], len(store.list_tokens(a.name)))
              for a in accounts}
    return render_template("accounts.html", accounts=accounts, account_count=count, tokens=tokens, roles=ROLES,
                           minimum=MIN_PASSWORD_LENGTH, error=error, **context), status


def _apply(change, done: str, **values):
    """Make an account change as the signed-in admin: on success say so above the list (after a redirect, so a
    reload does not repeat it), else show the list again with the reason and nothing changed."""
    context = page_context()
    try:
        change(get_store(), session_account().name)
    except Refused as refused:
        return _accounts_page(refusal_error(refused, context["lang"]), refused.status)
    flash(context["t"][done].format(**values))
    return redirect(url_for("admin.accounts_page", lang=language_arg(context["lang"])), 303)


def _form(field: str) -> str:
    """Return a form field's text (empty when missing)."""
    return request.form.get(field, "")


@bp.get("/accounts")
@page_requires("users")
def accounts_page():
    """List every account with its role and state, and the forms that change them."""
    return _accounts_page()


@bp.post("/accounts")
@page_requires("users")
def add_account():
    """Create an account with a role and an initial password."""
    name, role = _form("name").strip(), _form("role")
    return _apply(lambda store, actor: create_account(store, actor, name, role, _form("password")),
                  "done_account_created", name=name, role=role)


@bp.post("/accounts/role")
@page_requires("users")
def change_account_role():
    """Give an account another role (refused for the last active admin)."""
    name, role = _form("name"), _form("role")
    return _apply(lambda store, actor: change_role(store, actor, name, role), "done_role_changed", name=name, role=role)


@bp.post("/accounts/disabled")
@page_requires("users")
def change_account_disabled():
    """Disable an account (`disabled=true`) or enable it again (refused for the last active admin)."""
    name, disabled = _form("name"), _form("disabled") == "true"
    return _apply(lambda store, actor: set_disabled(store, actor, name, disabled),
                  "done_account_disabled" if disabled else "done_account_enabled", name=name)


@bp.post("/accounts/password")
@page_requires("users")
def reset_account_password():
    """Give an account a new password; its sessions end."""
    name = _form("name")
    return _apply(lambda store, actor: reset_password(store, actor, name, _form("password")),
                  "done_password_reset", name=name)


def _tokens_page(name: str, error: WebmapError | None = None, status: int = 200):
    """Render one account's API tokens with a revoke form for each, optionally with an error above them."""
    context = page_context()
    store = get_store()
    try:
        account = existing_account(store, name)
    except Refused as refused:
        raise refusal_error(refused, context["lang"]) from None
    tokens = store.list_tokens(account.name)
    count = plural(context["lang"], context["t"]["token_count"], len(tokens))
    return render_template("account_tokens.html", account=account, tokens=tokens, token_count=count, error=error,
                           **context), status


@bp.get("/accounts/tokens")
@page_requires("users")
def account_tokens_page():
    """List another person's API tokens (names and dates, never the tokens) with a form to revoke each."""
    return _tokens_page(request.args.get("name", ""))


@bp.post("/accounts/tokens/revoke")
@page_requires("users")
def revoke_account_token():
    """Revoke one API token of any account; recorded in the audit log with the admin as who."""
    context = page_context()
    name = _form("name")
    try:
        existing_account(get_store(), name)
        label = revoke_token(get_store(), session_account().name, name,
                             token_id(_form("token"), "account_token_missing", name=name))
    except Refused as refused:
        if refused.key == "account_missing":
            raise refusal_error(refused, context["lang"]) from None
        return _tokens_page(name, refusal_error(refused, context["lang"]), refused.status)
    flash(context["t"]["done_account_token_revoked"].format(token=label, name=name))
    return redirect(url_for("admin.account_tokens_page", name=name, lang=language_arg(context["lang"])), 303)


@bp.get("/audit")
@page_requires("users")
def audit_page():
    """List the audit log of account changes, newest first, a page at a time."""
    entries = get_store().list_audit(AUDIT_PER_PAGE, before=before_cursor())
    older = entries[-1].id if len(entries) == AUDIT_PER_PAGE else None
    return render_template("audit.html", entries=entries, older=older, **page_context())
