"""What the import asks of the SQLite store: exact round trips and large batches that leave no trace."""
from conftest import without_positions
from ingest_helpers import collection, feature, read

from webmap.core.model import Incident
from webmap.store import BatchInfo, get_store


def test_numbers_beyond_64_bits_round_trip_exactly(app):
    source = feature(serial=123456789012345678901234567890, tiny=0.00001)
    incident, = read(collection(source))
    with app.app_context():
        store = get_store()
        store.add_incidents([incident], BatchInfo(user="test"))
        stored = store.get_incident("f-0")
        again = store.add_incidents([incident], BatchInfo(user="test"))
    assert without_positions(stored.extra) == {"serial": 123456789012345678901234567890, "tiny": 0.00001}
    assert again.unchanged == ["f-0"]


def test_large_batch_restores_the_page_cache(app):
    incidents = [Incident(id=f"bulk-{n}", geometry={"type": "Point", "coordinates": [35.8 + n / 1e5, 33.1]},
                          date="2025-01-05", event_type="raid") for n in range(6000)]
    with app.app_context():
        store = get_store()
        conn = store._connection()
        before = conn.execute("PRAGMA cache_size").fetchone()[0]
        report = store.add_incidents(incidents, BatchInfo(user="test"))
        after = conn.execute("PRAGMA cache_size").fetchone()[0]
    assert len(report.inserted) == 6000
    assert after == before
