"""Who is asking: sessions for pages, Bearer tokens for scripts, CSRF protection, role checks and log-in limits."""
from datetime import datetime, timezone
from functools import wraps

from flask import Flask, current_app, g, redirect, request, session, url_for
from flask_wtf.csrf import CSRFProtect

from .accounts import PERMISSIONS, role_allows, token_digest
from .errors import Forbidden, Unauthorized
from .store import Account, get_store
from .throttle import WINDOW, login_wait

csrf = CSRFProtect()
SESSION_KEY = "account"


def bearer_token() -> str | None:
    """Return the token of an `Authorization: Bearer` header (possibly empty), or None without one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def session_account() -> Account | None:
    """Return the signed-in account of this request's session (looked up once per request), or None."""
    if "account" not in g:
        name = session.get(SESSION_KEY)
        # Looked up each time, so a removed account or a changed role takes effect at once.
        g.account = get_store().get_account(name) if name else None
    return g.account


def authorize(account: Account, permission: str) -> Account:
    """Return the account if its role grants `permission`, else raise Forbidden."""
    if not role_allows(account.role, permission):
        role, action = PERMISSIONS[permission]
        raise Forbidden(f"The role '{account.role}' may not {action}; that needs the role '{role}' or higher.")
    return account


def api_account(permission: str) -> Account:
    """Return who makes this API request and check their role; a session (not a token) must send the CSRF token."""
    token = bearer_token()
    if token is not None:
        account = get_store().account_for_token(token_digest(token)) if token else None
        if account is None:
            raise Unauthorized("The API token is not valid: it was mistyped or has been revoked.")
        return authorize(account, permission)
    account = session_account()
    if account is None:
        raise Unauthorized("Credentials are needed: send the header `Authorization: Bearer TOKEN`.")
    csrf.protect()
    return authorize(account, permission)


def page_requires(permission: str):
    """Decorate a page view: send visitors to the login page, refuse accounts whose role is too low."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            account = session_account()
            if account is None:
                return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
            authorize(account, permission)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def log_in(account: Account) -> None:
    """Start a fresh session for the account (a new session, so none set before login survives)."""
    session.clear()
    session[SESSION_KEY] = account.name
    g.account = account


def log_out() -> None:
    """End the session."""
    session.clear()
    g.account = None


def _now_and_window_start() -> tuple[datetime, str]:
    """Return now (UTC, to the second) and the start of the failure window as stored text."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    return now, (now - WINDOW).isoformat()


def seconds_before_login(name: str) -> int:
    """Return how long log-ins under this name must wait after too many failures (0: they may go ahead)."""
    now, window_start = _now_and_window_start()
    failures = [datetime.fromisoformat(at) for at in get_store().login_failures(name, window_start)]
    return login_wait(failures, now, current_app.config["LOGIN_ATTEMPTS"])


def note_login_result(name: str, succeeded: bool) -> None:
    """Count a failed log-in against the name, or clear the name's count after a successful one."""
    if succeeded:
        get_store().clear_login_failures(name)
        return
    now, window_start = _now_and_window_start()
    get_store().add_login_failure(name, now.isoformat(), window_start)


def safe_next(target: str | None) -> str | None:
    """Return `target` if it is a path on this site, so a login link cannot send people elsewhere."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return None


def init_app(app: Flask) -> None:
    """Turn on CSRF protection for every form and same-site session cookies; give templates `current_account` and `may`."""
    csrf.init_app(app)
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"

    # Functions, not values: a page that never asks (an embed) never touches the session,
    # so it sends no cookie and no `Vary: Cookie` that would defeat shared caches.
    @app.context_processor
    def _account_context():
        def may(permission: str) -> bool:
            account = session_account()
            return bool(account) and role_allows(account.role, permission)

        return {"current_account": session_account, "may": may}
