"""Who is asking: sessions for pages, Bearer tokens for scripts, CSRF protection, role checks and log-in limits."""
from datetime import datetime, timezone
from functools import wraps
from urllib.parse import unquote

from flask import Flask, current_app, g, redirect, request, session, url_for
from flask_wtf.csrf import CSRFProtect

from ..core.errors import Forbidden, Unauthorized
from ..core.i18n import language_arg, message
from ..store import Account, get_store
from .roles import MAX_NAME_LENGTH, PERMISSIONS, role_allows, token_digest
from .throttle import WINDOW, login_wait

csrf = CSRFProtect()
SESSION_KEY = "account"
GENERATION_KEY = "generation"


def bearer_token() -> str | None:
    """Return the token of an `Authorization: Bearer` header (possibly empty), or None without one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def session_account() -> Account | None:
    """Return the signed-in account of this request's session (looked up once per request), or None."""
    if "account" not in g:
        name = session.get(SESSION_KEY)
        # Looked up each time, so a removed account takes effect at once; the cookie is signed but lives on
        # the client, so a session counts only while the account is still at the generation it started in.
        account = get_store().get_account(name) if name else None
        current = account and not account.disabled and session.get(GENERATION_KEY) == account.session_generation
        g.account = account if current else None
    return g.account


def authorize(account: Account, permission: str) -> Account:
    """Return the account if its role grants `permission`, else raise Forbidden."""
    if not role_allows(account.role, permission):
        raise Forbidden(message("error_texts.role_forbidden", role=account.role, needed=PERMISSIONS[permission][0],
                                action=message(f"error_texts.may_{permission}")))
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
                return redirect(url_for("accounts.login", lang=language_arg(request.args.get("lang")),
                                        next=request.full_path.rstrip("?")))
            authorize(account, permission)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def log_in(account: Account) -> None:
    """Start a fresh session for the account (a new session, so none set before login survives)."""
    session.clear()
    session[SESSION_KEY] = account.name
    session[GENERATION_KEY] = account.session_generation
    g.account = account


def log_out() -> None:
    """End the session, and on the server every session of its account, so no copy of the cookie still works."""
    account = session_account()
    if account is not None:
        get_store().end_sessions(account.name)
    session.clear()
    g.account = None


def _failure_key(name: str) -> str:
    """Return what failures are counted under: the name, cut just past the longest an account name can be."""
    return name[:MAX_NAME_LENGTH + 1]  # longer names cannot be accounts; this keeps stored keys short


def start_login_attempt(name: str) -> int:
    """Count a log-in attempt under a name as failed until it succeeds; return the seconds the name must
    wait first (0: the attempt may go ahead, and it was counted)."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    limit = current_app.config["LOGIN_ATTEMPTS"]
    failures = get_store().reserve_login_attempt(_failure_key(name), now.isoformat(), (now - WINDOW).isoformat(),
                                                 limit)
    return login_wait([datetime.fromisoformat(at) for at in failures], now, limit)


def clear_login_attempts(name: str) -> None:
    """Forget a name's failed log-ins, the attempt that just succeeded included."""
    get_store().clear_login_failures(_failure_key(name))


def _is_local_path(text: str) -> bool:
    """Tell whether `text` is a path on this site, with neither a scheme nor a host."""
    # One leading slash and no backslash: browsers read `\` as `/`, so `/\evil.example` is another host.
    # No whitespace or control character: browsers drop tabs and newlines, so `/<tab>/evil.example` is too.
    return (text.startswith("/") and not text.startswith("//") and "\\" not in text
            and all(c.isprintable() and not c.isspace() for c in text))


def safe_next(target: str | None) -> str | None:
    """Return `target` if it is a path on this site, so a login link cannot send people elsewhere."""
    # Checked decoded too: `/%2F/evil.example` is `//evil.example` to anything that decodes it once more.
    return target if target and _is_local_path(target) and _is_local_path(unquote(target)) else None


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
