"""The `webmap` command: set up the database and serve the app."""
import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from .geodata import load_bundled_data
from .store import get_store


def prepare_database(with_samples: bool = True) -> str:
    """Create or migrate the schema; on an empty database load the bundled data. Return what was done."""
    store = get_store()
    fresh = store.schema_version() == 0
    store.initialize()
    if not fresh:
        return f"database is ready (schema version {store.schema_version()})"
    report = load_bundled_data(store, with_samples=with_samples)
    loaded = f", {len(report.inserted)} sample incidents" if report else ""
    return f"created the database with the bundled reference layers{loaded}"


@click.command("init")
@click.option("--no-samples", is_flag=True, help="Do not load the illustrative sample incidents.")
@click.option("--reload-geodata", is_flag=True, help="Replace the reference layers with the bundled ones.")
@with_appcontext
def init_command(no_samples: bool, reload_geodata: bool) -> None:
    """Create the database (or migrate it) and load the bundled data."""
    click.echo(prepare_database(with_samples=not no_samples))
    if reload_geodata:
        load_bundled_data(get_store(), with_samples=False)
        click.echo("reloaded the bundled reference layers")
    click.echo(f"database: {current_app.config['DATABASE_URL']}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=None, type=int, help="gunicorn worker processes [default: 2 per core + 1]")
@with_appcontext
def serve_command(host: str, port: int, workers: int | None) -> None:
    """Serve the app with gunicorn, creating the database first if needed."""
    from .server import default_workers, serve

    click.echo(prepare_database())
    get_store().close()  # workers open their own connections
    click.echo(f"serving on http://{host}:{port}/")
    serve(_worker_app, host, port, workers or default_workers())


def _worker_app():
    """Build the app in a server worker, reading the incident columns before the worker takes requests
    (about a second per million incidents), so the first map page is as fast as the next."""
    from . import create_app

    app = create_app()
    with app.app_context():
        get_store().incident_points()
    return app


def init_app(app: Flask) -> None:
    """Register the commands on the app, so `flask --app` and tests can run them too."""
    from .demo import demo_command

    app.cli.add_command(init_command)
    app.cli.add_command(serve_command)
    app.cli.add_command(demo_command)


def _create_app():
    """Build the app for the command line."""
    from . import create_app

    return create_app()


main = FlaskGroup(name="webmap", create_app=_create_app, add_default_commands=False,
                  help="webmap: map incidents in southern Syria against the 1974 lines.")
