"""Signing in and out of the web pages."""
import math

from flask import Blueprint, redirect, render_template, request, url_for

from ..accounts.auth import clear_login_attempts, log_in, log_out, safe_next, start_login_attempt
from ..accounts.manage import Refused
from ..accounts.roles import password_matches
from ..core.errors import WebmapError
from ..core.i18n import language_arg, messages, text_direction
from ..map.filters import parse_lang
from ..store import get_store

bp = Blueprint("accounts", __name__)


def page_context() -> dict:
    """Return what the account and upload pages need: language, direction and strings."""
    lang = parse_lang(request.args)
    return {"lang": lang, "dir": text_direction(lang), "t": messages(lang)}


def refusal_error(refused: Refused, lang: str) -> WebmapError:
    """Return a refused account change as an error a page shows, in the page's language and with its status."""
    error = WebmapError(refused.text(lang))
    error.status = refused.status
    return error


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; on a matching name and password start a session and go on to `next`."""
    context = page_context()
    next_url = safe_next(request.values.get("next"))
    name = request.form.get("name", "").strip()
    if request.method == "POST":
        wait = start_login_attempt(name)
        if wait:  # refused before the password is even checked
            page = render_template("login.html", wait_minutes=math.ceil(wait / 60), name=name, next_url=next_url,
                                   **context)
            return page, 429, {"Retry-After": str(wait)}
        account = get_store().get_account(name)
        if password_matches(account, request.form.get("password", "")):
            if account.disabled:  # said only to whoever knows the password
                return render_template("login.html", disabled=True, name=name, next_url=next_url, **context), 403
            clear_login_attempts(name)
            log_in(account)
            home = url_for("pages.map_page", lang=None if context["lang"] == "en" else context["lang"])
            return redirect(next_url or home)
    failed = request.method == "POST"
    return render_template("login.html", failed=failed, name=name, next_url=next_url, **context)


@bp.post("/logout")
def logout():
    """End the session and go back to the map, in the language of the page the reader left."""
    log_out()
    return redirect(url_for("pages.map_page", lang=language_arg(request.args.get("lang"))))
