"""Iteration while writing: a scan sees exactly the rows live when it began."""

import pytest

import toonstore
from toonstore import ToonStore


def test_scan_ignores_puts_and_deletes_made_while_iterating(db):
    ids = [db.put(b"orig %d" % i) for i in range(100)]
    expected = [(i, b"orig %d" % n) for n, i in enumerate(ids)]
    seen = []
    for n, (row_id, data) in enumerate(db.scan()):
        seen.append((row_id, data))
        db.put(b"added while scanning %d" % n)  # not part of this scan
        db.delete(ids[-1 - n])  # deleted after the scan began: still yielded
    assert seen == expected
    # Meanwhile every original row was deleted and 100 rows were added.
    live = dict(db.scan())
    assert len(live) == 100 == len(db)
    assert all(i not in live for i in ids)
    assert all(d.startswith(b"added while scanning") for d in live.values())


def test_scan_started_before_a_batch(db):
    first = [db.put(b"a%d" % i) for i in range(10)]
    it = db.scan()
    with db.batch() as b:
        for i in first:
            b.delete(i)
        b.put(b"new")
    assert [d for _, d in it] == [b"a%d" % i for i in range(10)]
    assert [d for _, d in db.scan()] == [b"new"]


def test_scan_sees_rows_after_compaction(db):
    ids = [db.put(b"%d" % i * 50) for i in range(2000)]
    it = db.scan()
    assert next(it)[0] == ids[0]
    for i in ids[:1900]:
        db.delete(i)
    db.compact()
    rest = list(it)
    assert [r for r, _ in rest] == ids[1:]
    assert all(d == b"%d" % ids.index(r) * 50 for r, d in rest[:20])


def test_two_scans_are_independent(db):
    for i in range(20):
        db.put(b"%d" % i)
    a = db.scan()
    next(a)
    db.put(b"extra")
    b = db.scan()
    assert len(list(a)) == 19
    assert len(list(b)) == 21


def test_snapshot_is_stable_across_writes(db):
    ids = [db.put(b"%d" % i) for i in range(10)]
    snap = db.snapshot()
    for i in ids:
        db.delete(i)
    more = [db.put(b"new") for _ in range(5)]
    assert list(snap) == [(i, b"%d" % n) for n, i in enumerate(ids)]
    assert all(snap.get(m) is None for m in more)
    assert snap.end_id <= more[0]
    # The snapshot can be scanned any number of times.
    assert len(list(snap.scan())) == 10


def test_scan_of_empty_database(db):
    assert list(db.scan()) == []
    assert list(db) == []
