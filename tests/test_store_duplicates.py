"""The store's part for possible duplicates, on every backend: pairs flagged inside the write, kept open while both
incidents are live, settled by a merge (one batch, undone exactly) or marked distinct for good."""
from dataclasses import replace

import pytest

from webmap.core.duplicates import DuplicateRule
from webmap.core.model import Incident
from webmap.duplicates.merge import merge_incidents
from webmap.store import BatchInfo, PairGone

BATCH = BatchInfo(user="test")
KM = 1 / 111.195  # a kilometre north, in degrees


def _airstrike(incident_id: str, north_km: float = 0, date: str = "2025-03-01", **fields) -> Incident:
    """Return an airstrike near Quneitra, `north_km` to the north."""
    return Incident(id=incident_id, geometry={"type": "Point", "coordinates": [35.82, 33.12 + north_km * KM]},
                    date=date, event_type="airstrike", **fields)


def _merge(first: Incident, second: Incident) -> Incident:
    """Merge as the pages do."""
    return merge_incidents(first, second, ["exact", "town", "area", "region"])


def _open(store) -> list[tuple[str, str]]:
    """Return the open pairs as id pairs, newest first."""
    return [(p.first.id, p.second.id) for p in store.list_duplicate_pairs(100)]


@pytest.fixture
def flagging(store):
    """The store, flagging by the default thresholds (1 day, 2 km)."""
    store.set_duplicate_rule(DuplicateRule())
    return store


def test_nothing_is_flagged_until_a_rule_is_set(store):
    """A store opened without the app's thresholds flags nothing."""
    store.add_incidents([_airstrike("a"), _airstrike("b")], BATCH)
    assert _open(store) == [] and store.count_duplicate_pairs() == 0


def test_writes_flag_pairs_within_and_across_batches(flagging):
    """Pairs are flagged within one write and against what is stored; a far or late one is not; each pair once."""
    flagging.add_incidents([_airstrike("a"), _airstrike("b", 1.5)], BATCH)
    flagging.add_incidents([_airstrike("c", 0.5, "2025-03-02"), _airstrike("d", 9), _airstrike("e", 0, "2025-03-05")],
                           BATCH)
    flagging.add_incidents([_airstrike("c", 0.5, "2025-03-02")], BATCH)  # unchanged: written again, nothing new
    assert sorted(_open(flagging)) == [("a", "b"), ("a", "c"), ("b", "c")]
    assert flagging.count_duplicate_pairs() == 3


def test_deleted_incidents_leave_the_list_and_come_back_with_undo(flagging):
    """A pair is listed only while both incidents are live."""
    flagging.add_incidents([_airstrike("a"), _airstrike("b", 1)], BATCH)
    deletion = flagging.delete_incidents(["b"], BATCH)
    assert _open(flagging) == []
    flagging.undo_batch(deletion.batch_id, BATCH)
    assert _open(flagging) == [("a", "b")]


def test_a_distinct_pair_stays_distinct(flagging):
    """Marking a pair distinct takes it off the list; writing either again never flags it again; a second mark is
    refused."""
    flagging.add_incidents([_airstrike("a"), _airstrike("b", 1)], BATCH)
    [pair] = flagging.list_duplicate_pairs(10)
    assert flagging.mark_pair_distinct(pair.id, "editor") is True
    flagging.add_incidents([_airstrike("a", title="Corrected"), _airstrike("b", 0.5)], BATCH)
    assert _open(flagging) == [] and flagging.mark_pair_distinct(pair.id, "editor") is False
    assert flagging.get_duplicate_pair(pair.id) is None


def test_a_merge_is_one_batch_and_its_undo_restores_both_exactly(flagging):
    """The merge writes the kept incident with both sources and deletes the other in one batch; undoing it brings
    both back as they were, and the pair is open again."""
    first = _airstrike("a", sources=("https://one.example/1",), precision="area")
    second = _airstrike("b", 1, "2025-03-02", sources=("https://two.example/2",), precision="town", fatalities=1)
    flagging.add_incidents([first, second], BATCH)
    before = [flagging.get_incident(i) for i in ("a", "b")]
    [pair] = flagging.list_duplicate_pairs(10)
    report = flagging.merge_duplicate_pair(pair.id, _merge, BatchInfo(user="editor"))
    assert (report.updated, report.deleted) == (["a"], ["b"])
    merged = flagging.get_incident("a")
    assert merged.sources == ("https://one.example/1", "https://two.example/2") and merged.precision == "town"
    assert flagging.get_incident("b") is None and _open(flagging) == []
    record = flagging.get_batch(report.batch_id)
    assert (record.user, record.updated, record.deleted) == ("editor", 1, 1)
    with pytest.raises(PairGone):
        flagging.merge_duplicate_pair(pair.id, _merge, BATCH)
    flagging.undo_batch(report.batch_id, BATCH)
    assert [flagging.get_incident(i) for i in ("a", "b")] == before
    assert _open(flagging) == [("a", "b")]


def test_a_merged_incident_is_flagged_with_others_near_it(flagging):
    """When a merge moves the kept incident next to a third report, that pair is flagged."""
    flagging.add_incidents([_airstrike("a", 0, precision="area"), _airstrike("b", 1.5, precision="exact"),
                            _airstrike("c", 3.2, precision="area")], BATCH)
    assert sorted(_open(flagging)) == [("a", "b"), ("b", "c")]
    pair = next(p for p in flagging.list_duplicate_pairs(10) if p.first.id == "a")
    flagging.merge_duplicate_pair(pair.id, _merge, BATCH)  # "a" takes b's exact location, 1.7 km from "c"
    assert _open(flagging) == [("a", "c")]


def test_pairs_page_newest_first(flagging):
    """`before` pages back through the pairs, newest flagged first."""
    flagging.add_incidents([_airstrike(f"x{n}", 0, f"2025-0{n}-01") for n in range(1, 4)]
                           + [_airstrike(f"y{n}", 0.1, f"2025-0{n}-01") for n in range(1, 4)], BATCH)
    pairs = flagging.list_duplicate_pairs(2)
    assert len(pairs) == 2 and pairs[0].id > pairs[1].id
    rest = flagging.list_duplicate_pairs(2, before=pairs[-1].id)
    assert [p.id for p in rest] == [p.id for p in flagging.list_duplicate_pairs(10)][2:]


def test_an_edit_keeps_settled_pairs_and_looks_again_for_open_ones(flagging):
    """Moving an incident away drops its open pair; a pair marked distinct is kept as settled."""
    flagging.add_incidents([_airstrike("a"), _airstrike("b", 1), _airstrike("c", 1.8)], BATCH)
    distinct = next(p for p in flagging.list_duplicate_pairs(10) if (p.first.id, p.second.id) == ("a", "c"))
    flagging.mark_pair_distinct(distinct.id, "editor")
    flagging.add_incidents([replace(_airstrike("a"), title="moved", geometry={"type": "Point",
                                                                               "coordinates": [35.82, 33.0]})], BATCH)
    assert _open(flagging) == [("b", "c")]
    flagging.add_incidents([_airstrike("a")], BATCH)
    assert sorted(_open(flagging)) == [("a", "b"), ("b", "c")]


def test_a_copied_store_keeps_its_pairs_open_and_distinct(flagging, tmp_path):
    """`copy_store` carries every flagged pair, open or distinct, so the copy lists the same ones."""
    from webmap.store.copy import copy_store, store_counts
    from webmap.store.sqlite import SQLiteStore

    flagging.add_incidents([_airstrike("a"), _airstrike("b", 1), _airstrike("c", 1.8)], BATCH)
    distinct = next(p for p in flagging.list_duplicate_pairs(10) if (p.first.id, p.second.id) == ("a", "c"))
    flagging.mark_pair_distinct(distinct.id, "editor")
    target = SQLiteStore(tmp_path / "copy.db")
    target.initialize()
    try:
        copy_store(flagging, target)
        assert target.stored_duplicate_pairs() == flagging.stored_duplicate_pairs()
        assert _open(target) == _open(flagging) and store_counts(target).duplicate_pairs == 3
    finally:
        target.close()
