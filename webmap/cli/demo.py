"""`webmap demo --synthetic N`: load generated incidents, marked synthetic, for trying the map at scale;
`webmap demo --remove`: take the demo incidents (samples and synthetic) away again, as one batch."""
import time

import click
from flask.cli import with_appcontext

from ..core.i18n import plural
from ..ingest.geodata import prepare_database
from ..store import BatchInfo, Store, get_store
from .synthetic import chunked, synthetic_incidents

BATCH_SIZE = 20_000  # incidents per write: bounded memory, and progress to report
DEMO_USER = "webmap demo (synthetic)"
REMOVE_USER = "webmap demo --remove"


def load_synthetic(store: Store, count: int, seed: int, report=lambda done: None) -> tuple[int, int]:
    """Add `count` synthetic incidents in batches named as synthetic; return how many were inserted and
    how many were already there unchanged."""
    inserted = unchanged = 0
    for chunk in chunked(synthetic_incidents(count, seed), BATCH_SIZE):
        result = store.add_incidents(chunk, BatchInfo(user=DEMO_USER, filename=f"synthetic-{count}-seed-{seed}"))
        inserted += len(result.inserted)
        unchanged += len(result.unchanged)
        report(inserted + unchanged + len(result.updated))
    return inserted, unchanged


def remove_demo(store: Store) -> str:
    """Delete the sample and synthetic incidents as one batch; return what happened, in a sentence."""
    report = store.delete_demo_incidents(BatchInfo(user=REMOVE_USER))
    if not report.deleted:
        return "there are no demo incidents (sample or synthetic); nothing changed"
    removed = plural("en", {"one": "{count} demo incident", "other": "{count} demo incidents"}, len(report.deleted))
    return (f"removed {removed} (sample and synthetic) as batch {report.batch_id} (data version "
            f"{report.data_version}); every other incident is untouched. An editor can undo it on /batches.")


@click.command("demo")
@click.option("--synthetic", "count", type=click.IntRange(1, 10_000_000), metavar="N",
              help="How many synthetic incidents to load.")
@click.option("--seed", default=1974, show_default=True, help="The same seed gives the same incidents.")
@click.option("--remove", is_flag=True,
              help="Remove every sample and synthetic incident instead, in one batch that can be undone.")
@with_appcontext
def demo_command(count: int | None, seed: int, remove: bool) -> None:
    """Load N generated incidents (fake, labelled synthetic on the map) to try the map at scale, or remove the
    demo incidents (the illustrative samples and the synthetic ones)."""
    if remove == (count is not None):
        raise click.UsageError("give either --synthetic N or --remove")
    click.echo(prepare_database(with_samples=False))
    if remove:
        click.echo(remove_demo(get_store()))
        return
    started = time.monotonic()
    inserted, unchanged = load_synthetic(
        get_store(), count, seed, lambda done: click.echo(f"  {done} of {count}", err=True))
    click.echo(f"loaded {count} synthetic incidents ({inserted} new, {unchanged} already there) "
               f"in {time.monotonic() - started:.0f} s; they are labelled synthetic on the map")
