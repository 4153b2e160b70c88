"""The admin's pages: managing accounts (add, role, disable, reset password) and reading the audit log."""
from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..accounts.auth import page_requires, session_account
from ..accounts.manage import Refused, change_role, create_account, reset_password, set_disabled
from ..accounts.roles import MIN_PASSWORD_LENGTH, ROLES
from ..core.errors import WebmapError
from ..core.i18n import language_arg, plural
from ..store import get_store
from .accounts import page_context, refusal_error
from .uploads import before_cursor

bp = Blueprint("admin", __name__, url_prefix="/admin")
AUDIT_PER_PAGE = 50


def _accounts_page(error: WebmapError | None = None, status: int = 200):
    """Render the list of accounts with their forms, optionally with an error above it."""
    context = page_context()
    accounts = get_store().list_accounts()
    count = plural(context["lang"], context["t"]["account_count"], len(accounts))
    return render_template("accounts.html", accounts=accounts, account_count=count, roles=ROLES,
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


@bp.get("/audit")
@page_requires("users")
def audit_page():
    """List the audit log of account changes, newest first, a page at a time."""
    entries = get_store().list_audit(AUDIT_PER_PAGE, before=before_cursor())
    older = entries[-1].id if len(entries) == AUDIT_PER_PAGE else None
    return render_template("audit.html", entries=entries, older=older, **page_context())
