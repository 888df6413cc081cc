"""Issue 22: bounded and reverse scans (scan(start, stop, reverse),
reversed(db), the last N rows, keys/values/items with bounds) and zero-copy
reads (Snapshot.get(..., buffer=True))."""

import gc
import itertools
import random
from pathlib import Path

import pytest

from toonstore import ClosedError, InvalidArgumentError, ToonStore


def fill(db: ToonStore, n: int, dead: "set[int]") -> "dict[int, bytes]":
    ids = db.put_many(f"row {i}".encode() for i in range(n))
    assert ids == list(range(n))
    db.delete_many(sorted(dead))
    return {i: f"row {i}".encode() for i in range(n) if i not in dead}


def expected(rows: "dict[int, bytes]", start: "int | None", stop: "int | None", reverse: bool) -> "list[tuple[int, bytes]]":
    # The rows of range(start, stop), with None as no bound.
    lo = 0 if start is None else start
    hi = 1 << 70 if stop is None else stop
    got = [(i, v) for i, v in sorted(rows.items()) if lo <= i < hi]
    return got[::-1] if reverse else got


def test_bounded_and_reverse_scans_match_a_model(db: ToonStore) -> None:
    rng = random.Random(22)
    n = 9000  # more than two index chunks of 4096 ids
    dead = {i for i in range(n) if i % 7 == 0} | set(range(3000, 4500))
    rows = fill(db, n, dead)
    bounds = [None, -5, 0, 1, 2999, 3000, 4096, 4500, 8999, 9000, 9001, 1 << 64, 1 << 70]
    for _ in range(200):
        start, stop = rng.choice(bounds), rng.choice(bounds)
        if isinstance(start, int) and isinstance(stop, int) and stop < start:
            continue
        if start is None and isinstance(stop, int) and stop < 0:
            continue
        reverse = rng.random() < 0.5
        want = expected(rows, start, stop, reverse)
        assert list(db.scan(start, stop, reverse)) == want, (start, stop, reverse)
        assert list(db.keys(start=start, stop=stop, reverse=reverse)) == [i for i, _ in want]
        assert list(db.values(start, stop, reverse=reverse)) == [v for _, v in want]
        assert list(db.items(start, stop, reverse)) == want


def test_reversed_db_and_snapshot(db: ToonStore) -> None:
    rows = fill(db, 10, {3, 9})
    want = sorted(rows.items(), reverse=True)
    assert list(reversed(db)) == want
    with db.snapshot() as snap:
        db.put(b"after the snapshot")
        assert list(reversed(snap)) == want
        assert list(snap.scan(2, 6, reverse=True)) == [(5, b"row 5"), (4, b"row 4"), (2, b"row 2")]
        assert list(snap.scan(stop=3)) == [(0, b"row 0"), (1, b"row 1"), (2, b"row 2")]
    assert next(reversed(db)) == (10, b"after the snapshot")


def test_the_last_n_rows(db: ToonStore) -> None:
    rows = fill(db, 100, {99, 97})
    last3 = list(itertools.islice(db.scan(reverse=True), 3))
    assert last3 == [(98, rows[98]), (96, rows[96]), (95, rows[95])]
    assert list(itertools.islice(db.keys(reverse=True), 2)) == [98, 96]
    # The docs' recipe, closing the half-read scan at once.
    with db.scan(reverse=True) as scan:
        assert [i for i, _ in itertools.islice(scan, 1)] == [98]
    assert list(scan) == []


def test_a_reverse_scan_reads_a_snapshot(db: ToonStore) -> None:
    fill(db, 5, set())
    scan = db.scan(reverse=True)
    assert next(scan) == (4, b"row 4")
    db.put(b"new")
    db.delete(3)
    assert [i for i, _ in scan] == [3, 2, 1, 0]


def test_empty_and_far_ranges(db: ToonStore) -> None:
    fill(db, 5, set())
    for reverse in (False, True):
        assert list(db.scan(2, 2, reverse)) == []
        assert list(db.scan(5, 100, reverse)) == []
        assert list(db.scan(1 << 64, 1 << 65, reverse)) == []
        assert list(db.scan(-10, -1, reverse)) == []  # no id is negative
        assert [i for i, _ in db.scan(-10, 2, reverse)] == ([1, 0] if reverse else [0, 1])
        assert [i for i, _ in db.scan(3, 1 << 70, reverse)] == ([4, 3] if reverse else [3, 4])


@pytest.mark.parametrize("make", ["scan", "keys", "values", "items"])
def test_stop_below_start_is_invalid(db: ToonStore, make: str) -> None:
    fill(db, 5, set())
    call = getattr(db, make)
    with pytest.raises(InvalidArgumentError) as e:
        call(3, 2)
    assert e.value.code == -1  # TOONSTORE_ERR_INVALID_ARG
    assert "stop 2 is below start 3" in str(e.value)
    with pytest.raises(ValueError):  # InvalidArgumentError is a ValueError
        call(stop=-1, reverse=True)
    with pytest.raises(InvalidArgumentError):
        db.snapshot().scan(5, 4)
    with pytest.raises(TypeError):
        call(stop="5")
    with pytest.raises(TypeError):
        call(start=1.5)
    # Nothing was lost: the rows are all there.
    assert list(db.keys()) == [0, 1, 2, 3, 4]


def test_range_scans_on_a_closed_handle_raise(db_path: Path) -> None:
    db = ToonStore.open(db_path)
    db.put(b"x")
    snap = db.snapshot()
    db.close()
    for call in (lambda: db.scan(0, 1), lambda: reversed(db), lambda: db.keys(reverse=True)):
        with pytest.raises(ClosedError):
            call()
    with pytest.raises(ClosedError):
        reversed(snap)


# ---- zero-copy reads -------------------------------------------------------


def test_buffer_get_is_a_readonly_view_of_the_row(db: ToonStore) -> None:
    rid = db.put(b"hello, mapping")
    empty = db.put(b"")
    with db.snapshot() as snap:
        view = snap.get(rid, buffer=True)
        assert isinstance(view, memoryview)
        assert view.readonly and view.format == "B" and view.ndim == 1
        assert bytes(view) == b"hello, mapping" and len(view) == 14
        assert view[0:5] == b"hello"
        with pytest.raises(TypeError):
            view[0] = 0  # read-only: the mapping is never written through a view
        assert bytes(snap.get(empty, buffer=True)) == b""
        assert snap.get(rid + 100, buffer=True) is None
        assert snap.get(rid + 100, "dflt", buffer=True) == "dflt"
        assert snap.get(-1, buffer=True) is None
        # Zero copy: two views of one row share the same memory.
        a, b = snap.get(rid, buffer=True), snap.get(rid, buffer=True)
        assert a is not b and a == b


def test_a_view_keeps_its_mapping_alive_after_release_close_and_compaction(db_path: Path) -> None:
    """The documented rule: a memoryview from buffer=True stays valid (it keeps
    the snapshot's mapping alive) after the snapshot is released, the
    database is closed and its segments are compacted away."""
    db = ToonStore.open(db_path, segment_size=1 << 20)
    rid = db.put(b"x" * 1000 + b"keep me")
    for i in range(2000):
        db.put(b"filler %d" % i)
    snap = db.snapshot()
    view = snap.get(rid, buffer=True)
    snap.release()
    with pytest.raises(ClosedError):
        snap.get(rid, buffer=True)  # the snapshot itself is gone
    db.delete_many(range(rid, rid + 2001))
    db.compact()  # the segment holding the row is rewritten and removed
    db.close()
    del snap
    gc.collect()
    assert bytes(view[-7:]) == b"keep me"
    assert view.tobytes() == b"x" * 1000 + b"keep me"
    view.release()
    with pytest.raises(ValueError):
        bytes(view)  # a released memoryview raises, as any memoryview does


def test_buffer_on_a_closed_database_raises(db_path: Path) -> None:
    db = ToonStore.open(db_path)
    rid = db.put(b"row")
    snap = db.snapshot()
    db.close()
    with pytest.raises(ClosedError):
        snap.get(rid, buffer=True)
