"""Every call of the API, on the happy path."""

import array
import importlib.metadata
import pathlib
import re
from pathlib import Path

import pytest

import toonstore
from toonstore import Batch, Scan, Snapshot, Stats, ToonStore

ROOT = Path(__file__).resolve().parents[3]


def test_version_matches_the_crates():
    cargo = (ROOT / "Cargo.toml").read_text()
    crate_version = re.search(r'^version\s*=\s*"([^"]+)"', cargo, re.M).group(1)
    assert toonstore.__version__ == crate_version
    assert importlib.metadata.version("toonstore") == crate_version


def test_put_get_delete(db):
    row_id = db.put(b"users[1]{id,name}: 1,Alice")
    assert isinstance(row_id, int)
    assert db.get(row_id) == b"users[1]{id,name}: 1,Alice"
    assert type(db.get(row_id)) is bytes
    db.delete(row_id)
    assert db.get(row_id) is None


@pytest.mark.parametrize("durability", ["normal", "full", "off", "FULL"])
def test_put_with_per_call_durability(db, durability):
    row_id = db.put(b"per call", durability=durability)
    assert db.get(row_id) == b"per call"
    assert db.durability == "normal"  # the handle's own setting is unchanged


def test_row_ids_increase_and_are_not_reused(db):
    ids = [db.put(b"row %d" % i) for i in range(100)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 100
    db.delete(ids[-1])
    assert db.put(b"next") > ids[-1]


def test_get_missing_returns_none_or_default(db):
    assert db.get(0) is None
    assert db.get(12345) is None
    assert db.get(0, b"fallback") == b"fallback"
    sentinel = object()
    assert db.get(-1, sentinel) is sentinel
    assert db.get(2**70) is None
    row_id = db.put(b"x")
    assert db.get(row_id, b"fallback") == b"x"


class Index:
    """An int-like object (like numpy.int64): usable as a row id."""

    def __init__(self, value):
        self.value = value

    def __index__(self):
        return self.value


def test_int_like_row_ids(db):
    row_id = db.put(b"x")
    assert db.get(Index(row_id)) == b"x"
    assert db[Index(row_id)] == b"x"
    assert Index(row_id) in db
    assert db.get(Index(-1)) is None
    assert Index(-1) not in db
    with pytest.raises(KeyError):
        db[Index(2**70)]
    db.delete(Index(row_id))
    assert row_id not in db


def test_getitem_and_keyerror(db):
    row_id = db.put(b"abc")
    assert db[row_id] == b"abc"
    with pytest.raises(KeyError):
        db[row_id + 1]
    with pytest.raises(toonstore.NotFoundError) as info:
        db[-5]
    assert info.value.code == toonstore.ERROR_CODES["NotFound"]
    with pytest.raises(TypeError):
        db["0"]


def test_contains_and_len(db):
    assert len(db) == 0
    a = db.put(b"a")
    b = db.put(b"b")
    assert a in db and b in db
    assert len(db) == 2
    db.delete(a)
    assert a not in db
    assert len(db) == 1
    assert -1 not in db
    assert "a" not in db
    assert 2**80 not in db


def test_delitem(db):
    row_id = db.put(b"a")
    del db[row_id]
    assert row_id not in db
    with pytest.raises(KeyError):
        del db[row_id]


def test_empty_value(db):
    row_id = db.put(b"")
    assert db.get(row_id) == b""
    assert row_id in db


@pytest.mark.parametrize(
    "value, stored",
    [
        (b"bytes", b"bytes"),
        (bytearray(b"bytearray"), b"bytearray"),
        (memoryview(b"memoryview"), b"memoryview"),
        (memoryview(b"0123456789")[2:5], b"234"),
        (memoryview(b"abcdef")[::2], b"ace"),  # not contiguous
        (array.array("B", [1, 2, 3]), b"\x01\x02\x03"),
        (array.array("I", [1]), array.array("I", [1]).tobytes()),
        ("text", b"text"),
        ("héllo wörld ✓", "héllo wörld ✓".encode()),
        (b"\x00\xff" * 1000, b"\x00\xff" * 1000),
    ],
)
def test_accepts_bytes_like_and_str(db, value, stored):
    row_id = db.put(value)
    assert db.get(row_id) == stored


@pytest.mark.parametrize("value", [123, None, 1.5, ["a"], object()])
def test_rejects_non_bytes(db, value):
    with pytest.raises(TypeError):
        db.put(value)


def test_rejects_unencodable_str(db):
    with pytest.raises(UnicodeEncodeError):
        db.put("\ud800")  # a lone surrogate has no UTF-8 form


def test_large_value(db):
    big = bytes(range(256)) * 4096  # 1 MiB: put releases the GIL for it
    row_id = db.put(big)
    assert db.get(row_id) == big


def test_bytearray_is_copied_at_put(db):
    buf = bytearray(b"before")
    row_id = db.put(buf)
    buf[:] = b"after!"
    assert db.get(row_id) == b"before"


def test_scan_yields_live_rows_in_order(db):
    ids = [db.put(b"row %d" % i) for i in range(50)]
    for i in ids[::3]:
        db.delete(i)
    expected = [(i, b"row %d" % n) for n, i in enumerate(ids) if n % 3 != 0]
    scan = db.scan()
    assert isinstance(scan, Scan)
    assert list(scan) == expected
    assert list(scan) == []  # exhausted
    for row_id, data in db.scan():
        assert type(row_id) is int and type(data) is bytes


def test_scan_from_start(db):
    ids = [db.put(b"%d" % i) for i in range(10)]
    assert [r for r, _ in db.scan(ids[5])] == ids[5:]
    assert [r for r, _ in db.scan(start=ids[9] + 1)] == []
    assert [r for r, _ in db.scan(-3)] == ids
    assert [r for r, _ in db.scan(2**70)] == []
    assert [r for r, _ in db.scan(None)] == ids


def test_iter_is_scan(db):
    rows = [(db.put(b"%d" % i), b"%d" % i) for i in range(5)]
    assert list(db) == rows
    assert dict(db) == dict(rows)


def test_context_manager_closes(db_path):
    with ToonStore.open(db_path) as db:
        assert isinstance(db, ToonStore)
        row_id = db.put(b"data")
        assert not db.closed
    assert db.closed
    with ToonStore.open(db_path) as db2:
        assert db2.get(row_id) == b"data"


def test_context_manager_closes_on_exception(db_path):
    with pytest.raises(RuntimeError):
        with ToonStore.open(db_path) as db:
            db.put(b"x")
            raise RuntimeError("boom")
    assert db.closed


def test_close_is_idempotent(db_path):
    db = ToonStore.open(db_path)
    db.close()
    db.close()
    assert db.closed


def test_constructor_same_as_open(db_path):
    with ToonStore(db_path) as db:
        db.put(b"x")
    with toonstore.open(str(db_path)) as db:
        assert len(db) == 1


def test_properties_and_repr(db_path):
    db = ToonStore.open(db_path, durability="full")
    assert db.path == db_path and isinstance(db.path, pathlib.Path)
    assert db.durability == "full"
    assert db.read_only is False
    assert repr(db) == f"<toonstore.ToonStore path={str(db_path)!r} open>"
    db.close()
    assert repr(db).endswith("closed>")


def test_stats(db):
    ids = [db.put(b"x" * 10) for _ in range(10)]
    db.delete(ids[0])
    stats = db.stats()
    assert isinstance(stats, Stats)
    assert stats.live_rows == 9
    assert stats.deleted_rows >= 1
    assert stats.next_row_id == ids[-1] + 1
    assert stats.live_bytes >= 90
    assert stats.segment_count >= 1
    assert 0.0 <= stats.garbage_fraction <= 1.0
    d = stats.as_dict()
    assert d["live_rows"] == 9 and set(d) == {
        "live_rows",
        "deleted_rows",
        "next_row_id",
        "live_bytes",
        "disk_bytes",
        "segment_count",
        "garbage_fraction",
    }
    assert "live_rows=9" in repr(stats)
    assert db.stats() == db.stats()


def test_sync_and_compact_keep_data(db):
    ids = [db.put(b"v%d" % i) for i in range(1000)]
    for i in ids[:900]:
        db.delete(i)
    db.sync()
    db.compact()
    assert [r for r, _ in db.scan()] == ids[900:]
    assert all(db.get(i) == b"v%d" % n for n, i in enumerate(ids) if n >= 900)
    assert db.put(b"after") > ids[-1]


def test_batch_commits_on_success(db):
    keep = db.put(b"keep")
    gone = db.put(b"gone")
    with db.batch() as b:
        assert isinstance(b, Batch)
        b.put(b"one")
        b.put(bytearray(b"two"))
        b.put("three")
        b.delete(gone)
        assert len(b) == 4
        assert b.ids == [] and not b.committed
        assert db.get(gone) == b"gone"  # nothing applied before commit
    assert b.committed
    assert len(b.ids) == 3
    assert [db[i] for i in b.ids] == [b"one", b"two", b"three"]
    assert b.ids[0] > gone
    assert gone not in db and keep in db


def test_batch_discarded_on_exception(db):
    gone = db.put(b"stays")
    before = db.stats().next_row_id
    with pytest.raises(ValueError):
        with db.batch() as b:
            b.put(b"never")
            b.delete(gone)
            raise ValueError("abort")
    assert not b.committed and b.ids == []
    assert db.get(gone) == b"stays"
    assert [d for _, d in db.scan()] == [b"stays"]
    assert db.stats().next_row_id == before


def test_batch_explicit_commit_and_discard(db):
    b = db.batch()
    b.put(b"a")
    b.put(b"b")
    ids = b.commit()
    assert ids == b.ids and [db[i] for i in ids] == [b"a", b"b"]
    b2 = db.batch()
    b2.put(b"c")
    b2.discard()
    assert len(db) == 2
    assert db.batch().commit() == []  # an empty batch is fine


def test_batch_is_atomic_when_a_delete_fails(db):
    row = db.put(b"row")
    b = db.batch()
    b.put(b"would be new")
    b.delete(row)
    b.delete(row + 1000)  # does not exist
    with pytest.raises(toonstore.NotFoundError):
        b.commit()
    assert db.get(row) == b"row"
    assert [d for _, d in db.scan()] == [b"row"]


def test_snapshot_object(db):
    a = db.put(b"a")
    b = db.put(b"b")
    snap = db.snapshot()
    assert isinstance(snap, Snapshot)
    db.delete(a)
    c = db.put(b"c")
    assert snap.get(a) == b"a" and snap[a] == b"a" and a in snap
    assert snap.get(c) is None and c not in snap
    assert snap.get(c, b"d") == b"d"
    with pytest.raises(KeyError):
        snap[c]
    assert list(snap) == [(a, b"a"), (b, b"b")]
    assert list(snap.scan(b)) == [(b, b"b")]
    assert snap.end_id <= c
    assert db.get(a) is None and db.get(c) == b"c"
    with snap:
        pass
    with pytest.raises(toonstore.ClosedError):
        snap.get(a)


def test_roadmap_example_runs_unchanged(db_path):
    """The Python example of the project's original roadmap, with only the path substituted."""
    from conftest import run_python

    example = '''
from toonstore import ToonStore

# Open database
db = ToonStore.open("/path/to/db")

# Basic operations
row_id = db.put(b"users[1]{id,name}: 1,Alice")
data = db.get(row_id)
db.delete(row_id)

# Iteration
for row_id, data in db.scan():
    print(f"{row_id}: {data}")

# Context manager
with ToonStore.open("/path/to/db") as db:
    db.put(b"data")

# Close
db.close()
'''.replace("/path/to/db", str(db_path))
    result = run_python(example)
    assert result.returncode == 0, result.stderr
    with ToonStore.open(db_path) as db:
        assert [d for _, d in db.scan()] == [b"data"]
