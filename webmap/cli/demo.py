"""`webmap demo --synthetic N`: load generated incidents, marked synthetic, for trying the map at scale."""
import time

import click
from flask.cli import with_appcontext

from ..ingest.geodata import prepare_database
from ..store import BatchInfo, Store, get_store
from .synthetic import chunked, synthetic_incidents

BATCH_SIZE = 20_000  # incidents per write: bounded memory, and progress to report
DEMO_USER = "webmap demo (synthetic)"


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


@click.command("demo")
@click.option("--synthetic", "count", type=click.IntRange(1, 10_000_000), required=True, metavar="N",
              help="How many synthetic incidents to load.")
@click.option("--seed", default=1974, show_default=True, help="The same seed gives the same incidents.")
@with_appcontext
def demo_command(count: int, seed: int) -> None:
    """Load N generated incidents (fake, labelled synthetic on the map) to try the map at scale."""
    click.echo(prepare_database(with_samples=False))
    started = time.monotonic()
    inserted, unchanged = load_synthetic(
        get_store(), count, seed, lambda done: click.echo(f"  {done} of {count}", err=True))
    click.echo(f"loaded {count} synthetic incidents ({inserted} new, {unchanged} already there) "
               f"in {time.monotonic() - started:.0f} s; they are labelled synthetic on the map")
