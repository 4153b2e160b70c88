"""The `webmap layers` commands: add, replace and list reference layers, and show a layer's history."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..analysis.within import count_within
from ..core.errors import WebmapError
from ..core.model import layer_status
from ..ingest.geodata import prepare_database
from ..ingest.layers import EDITOR_STATUSES
from ..ingest.layerwrite import LayerWrite, history_or_404, layer_rules, read_layer_body, save_layer
from ..store import Store, get_store

# Descriptor fields that options may give (or override) when the file's `layer` member lacks them.
TEXT_OPTIONS = ("source", "licence", "date", "precision", "source_url", "licence_url", "attribution")


def _ready_store() -> Store:
    """Return the store with its schema created or migrated (and, if new, the bundled data loaded)."""
    prepare_database()
    return get_store()


def _descriptor_options(command):
    """Add the options that give a layer's descriptor on the command line."""
    options = [click.option("--name-en", help="The layer's name in English."),
               click.option("--name-ar", help="The layer's name in Arabic."),
               click.option("--status", type=click.Choice(EDITOR_STATUSES), help="proposed or reported."),
               *(click.option(f"--{key.replace('_', '-')}", key, help=f"The layer's {key.replace('_', ' ')}.")
                 for key in TEXT_OPTIONS),
               click.option("--user", default="webmap layers", show_default=True,
                            help="Name recorded as the author of the change.")]
    for option in reversed(options):
        command = option(command)
    return command


def _write(layer_id: str | None, file: Path, replace: bool, replace_bundled: bool, user: str, given: dict) -> None:
    """Read FILE (GeoJSON, its descriptor in a `layer` member, overridden by options) and save it, or print every
    problem and exit with status 1 having written nothing."""
    store = _ready_store()
    config = current_app.config
    try:
        meta, document = read_layer_body(file.read_bytes())
        meta = dict(meta) if isinstance(meta, dict) else {}
        names = dict(meta.get("name")) if isinstance(meta.get("name"), dict) else {}
        names.update({lang: given.pop(f"name_{lang}") for lang in ("en", "ar") if given.get(f"name_{lang}")})
        meta.update({key: value for key, value in given.items() if value is not None}, name=names)
        request = LayerWrite(layer_id or meta.get("id"), meta, document, replace, replace_bundled)
        version = save_layer(store, request, user, layer_rules(config["REGION_BBOX"], config["MAX_VERTICES"],
                                                               config["MAX_LAYER_VERTICES"]))
    except WebmapError as error:
        click.echo(f"{file}: {error.description}", err=True)
        for problem in error.errors:
            click.echo(str(problem), err=True)
        raise click.exceptions.Exit(1) from error
    click.echo(f"{'replaced' if replace else 'added'} the layer {version.layer_id} (version {version.number}, "
               f"{version.feature_count} features, data version {version.data_version})")


@click.group("layers")
def layers_group() -> None:
    """Add, replace and list reference layers, and show their history."""


@layers_group.command("add")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--id", "layer_id", help="The new layer's id (else the file's layer.id).")
@_descriptor_options
@with_appcontext
def add_layer_command(file: Path, layer_id: str | None, user: str, **given) -> None:
    """Add a reference layer from a GeoJSON FILE, all or nothing."""
    _write(layer_id, file, False, False, user, given)


@layers_group.command("replace")
@click.argument("layer_id")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace-bundled", is_flag=True, help="Needed to replace a layer bundled with webmap.")
@_descriptor_options
@with_appcontext
def replace_layer_command(layer_id: str, file: Path, replace_bundled: bool, user: str, **given) -> None:
    """Replace the reference layer LAYER_ID with a GeoJSON FILE; its history keeps the version replaced."""
    _write(layer_id, file, True, replace_bundled, user, given)


@layers_group.command("list")
@with_appcontext
def list_layers_command() -> None:
    """List every reference layer: id, status, origin, features, incidents against it and English name."""
    store = _ready_store()
    for layer in store.list_reference_layers():
        origin = "editor" if layer.meta.get("origin") == "editor" else "bundled"
        click.echo(f"{layer.id}\t{layer_status(layer) or '-'}\t{origin}\t{len(layer.data.get('features', []))} features"
                   f"\t{count_within(store, layer)} incidents\t{layer.display_title('en')}")


@layers_group.command("history")
@click.argument("layer_id")
@with_appcontext
def layer_history_command(layer_id: str) -> None:
    """List every version of a reference layer, newest first: number, when, who, change, status, features."""
    try:
        versions = history_or_404(_ready_store(), layer_id)
    except WebmapError as error:
        raise click.ClickException(error.description) from None
    for version in versions:
        click.echo(f"{version.number}\t{version.created_at}\t{version.user}\t{version.action}"
                   f"\t{version.meta.get('status') or '-'}\t{version.feature_count} features"
                   f"\tdata version {version.data_version}")
