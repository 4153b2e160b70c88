"""webmap: conflict incidents in southern Syria mapped against the 1974 disengagement lines."""
import os
import secrets
from pathlib import Path

from flask import Flask

from . import analysis, cli, store
from .accounts import auth
from .core import errors, limits, publicurl, security
from .core.i18n import data_lang, human_date, markup_of, number, plural, utc_time
from .core.resources import resource_dir
from .core.settings import settings_from_environ
from .core.tiles import resolve_tiles
from .map.filters import range_texts


def _instance_secret_key(instance_path: str) -> str:
    """Return the instance folder's secret key, creating it on first use so all workers share it."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(config: dict | None = None, environ: dict | None = None) -> Flask:
    """Build the app: settings from the environment (or `environ`), then `config` on top."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(resource_dir("templates")),
    )
    app.config.from_mapping(settings_from_environ(os.environ if environ is None else environ))
    if config:
        app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(app.instance_path)
    app.config["TILE_SOURCE"] = resolve_tiles(app.config["TILES"], app.config["TILES_ATTRIBUTION"])
    app.jinja_env.globals["plural"] = plural
    app.jinja_env.globals["number"] = number
    app.jinja_env.globals["utc_time"] = utc_time
    app.jinja_env.globals["range_texts"] = range_texts
    app.jinja_env.globals["human_date"] = human_date
    app.jinja_env.globals["data_lang"] = data_lang
    app.jinja_env.globals["markup_of"] = markup_of

    store.init_app(app)
    analysis.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    limits.init_app(app)  # before auth: the CSRF check reads the body
    auth.init_app(app)
    cli.init_app(app)

    from .views import embed, register_blueprints

    register_blueprints(app)
    embed.init_app(app)  # its revalidation shortcut wraps the finished app
    publicurl.init_app(app)  # outermost, so the shortcut's ETags hash the public address too
    return app
