"""The `webmap` command: set up the database, import incidents and serve the app."""
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import ScriptInfo, with_appcontext

from ..core.errors import WebmapError
from ..core.settings import SETTINGS, SettingError, environ_text
from ..core.vocabulary import load_vocabulary
from ..ingest import read_incidents
from ..ingest.geodata import load_bundled_layers, prepare_database
from ..store import BatchInfo, get_store
from .accounts import tokens_group, users_group
from .copystore import copy_store_command
from .demo import demo_command
from .layers import layers_group
from .server import DEFAULT_THREADS


@click.command("init")
@click.option("--no-samples", is_flag=True, help="Do not load the illustrative sample incidents.")
@click.option("--reload-geodata", is_flag=True,
              help="Replace the bundled reference layers with those of geodata/ (editors' own layers stay).")
@with_appcontext
def init_command(no_samples: bool, reload_geodata: bool) -> None:
    """Create the database (or migrate it) and load the bundled data."""
    click.echo(prepare_database(with_samples=not no_samples))
    if reload_geodata:
        store = get_store()
        if load_bundled_layers(store):
            click.echo(f"reloaded the bundled reference layers (data version {store.data_version()}: "
                       "embeds and pages that show the layers change)")
        else:
            click.echo("the bundled reference layers are already loaded; nothing changed")
    click.echo(f"database: {current_app.config['DATABASE_URL']}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=None, type=int, help="worker processes [default: one per core]")
@click.option("--threads", default=DEFAULT_THREADS, show_default=True, type=int,
              help="threads per worker that run the app; each gets a request only once it has fully arrived")
@click.option("--access-log", is_flag=True, help="Log every request to standard output.")
@with_appcontext
def serve_command(host: str, port: int, workers: int | None, threads: int, access_log: bool) -> None:
    """Serve the app (gunicorn worker processes, waitress in each), creating the database first if needed."""
    from .server import default_workers, serve

    click.echo(prepare_database())
    get_store().close()  # workers open their own connections
    click.echo(f"serving on http://{host}:{port}/")
    serve(_worker_app, host, port, workers or default_workers(), threads, access_log,
          client_timeout=current_app.config["CLIENT_TIMEOUT"], max_body=current_app.config["MAX_CONTENT_LENGTH"])


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", default="webmap import", show_default=True, help="Name recorded as the batch's author.")
@click.option("--dry-run", is_flag=True, help="Check the file and say what would change, writing nothing.")
@with_appcontext
def import_command(file: Path, user: str, dry_run: bool) -> None:
    """Import incidents from a GeoJSON, CSV, GeoPackage, KML or zipped Shapefile FILE, all or nothing."""
    prepare_database(with_samples=False)
    store = get_store()
    try:
        incidents = read_incidents(file.read_bytes(), file.name, None, vocabulary=load_vocabulary(),
                                   region_bbox=current_app.config["REGION_BBOX"],
                                   max_vertices=current_app.config["MAX_VERTICES"])
    except WebmapError as error:
        click.echo(f"{file}: {error.description}", err=True)
        for problem in error.errors:
            click.echo(str(problem), err=True)
        raise click.exceptions.Exit(1) from error
    if dry_run:
        report = store.plan_incidents(incidents)
        click.echo(f"dry run, nothing written: would insert {len(report.inserted)}, update {len(report.updated)}, "
                   f"leave {len(report.unchanged)} unchanged")
        return
    report = store.add_incidents(incidents, BatchInfo(user=user, filename=file.name))
    click.echo(f"inserted {len(report.inserted)}, updated {len(report.updated)}, unchanged {len(report.unchanged)} "
               f"(batch {report.batch_id}, data version {report.data_version})")


@click.command("settings")
@with_appcontext
def settings_command() -> None:
    """List every setting: its environment variable, the value in force and what it means."""
    for setting in SETTINGS:
        value = current_app.config[setting.key]
        shown = "(set)" if setting.key == "SECRET_KEY" else environ_text(setting, value)
        click.echo(f"{setting.env}={shown}")
        click.echo(f"    {setting.help}")


def _worker_app():
    """Build the app in a server worker, reading the incident columns before the worker takes requests
    (about a second per million incidents), so the first map page is as fast as the next."""
    from .. import create_app

    app = create_app()
    with app.app_context():
        get_store().incident_points()
    return app


COMMANDS = (init_command, serve_command, import_command, demo_command, users_group, tokens_group, layers_group,
            settings_command, copy_store_command)


def init_app(app: Flask) -> None:
    """Register the commands on the app, so `flask --app` and tests can run them too."""
    for command in COMMANDS:
        app.cli.add_command(command)


def _create_app():
    """Build the app for the command line; a setting that cannot be used is one line naming it, not a traceback."""
    from .. import create_app

    try:
        return create_app()
    except SettingError as error:
        raise click.ClickException(str(error)) from None


@click.group(name="webmap", commands=COMMANDS, help="webmap: map incidents in southern Syria against the 1974 lines.")
@click.pass_context
def main(ctx: click.Context) -> None:
    """The webmap command: a plain click group, not Flask's, so its help lists webmap's commands only; each
    invocation gets its own ScriptInfo, which `with_appcontext` uses to build the app."""
    ctx.obj = ScriptInfo(create_app=_create_app)
