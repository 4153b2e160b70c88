"""Copying a whole store into another, empty one through the store interface alone, so any two backends can be
paired (SQLite to PostgreSQL to move up), and counting what each holds to check the copy."""
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass

from .accounts import AuditEntry
from .base import Store
from .batches import BatchRecord
from .incidents import IncidentQuery, IncidentVersion

PAGE = 10_000  # incident versions read and written at once: bounded memory


@dataclass(frozen=True)
class StoreCounts:
    """What a store holds, counted the way a copy is checked."""

    incident_versions: int
    live_incidents: int
    batches: int
    accounts: int
    api_tokens: int
    audit_entries: int
    reference_layers: int
    layer_versions: int
    duplicate_pairs: int
    submissions: int
    data_version: int

    def lines(self) -> list[tuple[str, int]]:
        """Return each count with its name in words."""
        return [(name.replace("_", " "), value) for name, value in asdict(self).items()]


class TargetNotEmpty(Exception):
    """The store to copy into already holds data."""


def _paged(read: Callable[[int | None], list], key: Callable) -> Iterator:
    """Yield everything a newest-first listing returns, page by page (`read(before)`), oldest first overall."""
    found, before = [], None
    while page := read(before):
        found += page
        before = key(page[-1])
    return reversed(found)


def _batches(store: Store) -> list[BatchRecord]:
    """Return every batch, oldest first."""
    return list(_paged(lambda before: store.list_batches(PAGE, before), lambda record: record.id))


def _audit(store: Store) -> list[AuditEntry]:
    """Return every audit entry, oldest first."""
    return list(_paged(lambda before: store.list_audit(PAGE, before), lambda entry: entry.id))


def _incident_pages(store: Store) -> Iterator[list[IncidentVersion]]:
    """Yield every stored incident version, a page at a time, in key order."""
    after = 0
    while versions := store.incident_versions(after, PAGE):
        yield versions
        after = versions[-1].key


def store_counts(store: Store) -> StoreCounts:
    """Count what a store holds: incident versions and live incidents, batches, accounts, tokens, audit entries,
    layers and their versions, flagged duplicate pairs, and the data version."""
    return StoreCounts(
        incident_versions=sum(len(page) for page in _incident_pages(store)),
        live_incidents=store.count_incidents(IncidentQuery()),
        batches=len(_batches(store)),
        accounts=len(store.stored_accounts()),
        api_tokens=len(store.stored_tokens()),
        audit_entries=len(_audit(store)),
        reference_layers=len(store.reference_layer_ids()),
        layer_versions=len(store.stored_layer_versions()),
        duplicate_pairs=len(store.stored_duplicate_pairs()),
        submissions=len(store.stored_submissions()),
        data_version=store.data_version(),
    )


def copy_store(source: Store, target: Store) -> None:
    """Copy everything `source` holds into the initialised, empty `target`, keeping ids, keys and data versions
    (so pinned views and ETags stay valid); raise TargetNotEmpty if the target holds anything. The target places
    the incidents against the copied layers with its own positioner, if it has one."""
    if store_counts(target) != StoreCounts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0):
        raise TargetNotEmpty("the target database already holds data; copy into a new, empty one")
    target.restore_batches(_batches(source))
    target.restore_accounts(source.stored_accounts(), source.stored_tokens(), _audit(source))
    target.restore_reference_layers(source.list_reference_layers(), source.stored_layer_versions())
    for versions in _incident_pages(source):
        target.restore_incident_versions(versions)
    target.restore_duplicate_pairs(source.stored_duplicate_pairs())
    target.restore_submissions(source.stored_submissions())
    target.refresh_positions()
    target.restore_data_version(source.data_version())
