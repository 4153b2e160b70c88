"""The `webmap copy-store` command: copy the whole database to another (SQLite to PostgreSQL, say) and check it."""
import click
from flask import current_app
from flask.cli import with_appcontext

from ..analysis.positions import ReferencePositioner
from ..core.vocabulary import load_vocabulary
from ..ingest.geodata import prepare_database
from ..store import get_store, open_store
from ..store.copy import TargetNotEmpty, copy_store, store_counts


@click.command("copy-store")
@click.option("--to", "target_url", required=True, metavar="URL",
              help="The database to copy into, as a DATABASE_URL; it must be new or empty.")
@with_appcontext
def copy_store_command(target_url: str) -> None:
    """Copy everything in DATABASE_URL (incidents with their history, batches, accounts, tokens, the audit log and
    reference layers with theirs) into an empty database, then print what each holds."""
    if target_url == current_app.config["DATABASE_URL"]:
        raise click.ClickException("--to names the database being copied; give another one")
    prepare_database()  # the source at the current schema, as every command sees it
    source = get_store()
    try:
        target = open_store(target_url)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    try:
        target.initialize()
        target.set_positioner(ReferencePositioner(load_vocabulary()))
        copy_store(source, target)
        counts = store_counts(source), store_counts(target)
    except TargetNotEmpty as error:
        raise click.ClickException(str(error)) from None
    finally:
        target.close()
    click.echo(f"{'':<20}{'source':>12}{'copy':>12}")
    for (name, mine), (_, theirs) in zip(*(c.lines() for c in counts)):
        click.echo(f"{name:<20}{mine:>12}{theirs:>12}" + ("" if mine == theirs else "   DIFFERENT"))
    if counts[0] != counts[1]:
        raise click.ClickException("the copy does not hold what the source holds")
    click.echo("copied: the copy holds what the source holds")
