"""Every error a user can meet, as the right exception with code and message."""

import errno
import pickle
import time
from pathlib import Path

import pytest

import toonstore
from toonstore import ToonStore
from conftest import run_python, segment_files

CODES = toonstore.ERROR_CODES


def test_error_hierarchy():
    assert issubclass(toonstore.NotFoundError, toonstore.ToonStoreError)
    assert issubclass(toonstore.NotFoundError, KeyError)
    assert issubclass(toonstore.ToonStoreIOError, OSError)
    assert issubclass(toonstore.TooLargeError, ValueError)
    assert issubclass(toonstore.InvalidArgumentError, ValueError)
    for name in [
        "LockedError",
        "CorruptError",
        "ClosedError",
        "ReadOnlyError",
        "VersionError",
        "InternalError",
        "PoisonedError",
        "OutOfMemoryError",
    ]:
        assert issubclass(getattr(toonstore, name), toonstore.ToonStoreError)


def test_error_codes_are_the_c_codes():
    assert CODES["NotFound"] == -2  # docs/c/CONTRACT.md: TOONSTORE_ERR_NOT_FOUND
    assert len(set(CODES.values())) == len(CODES)
    assert all(code < 0 for code in CODES.values())


def test_errors_pickle_with_code(db):
    with pytest.raises(toonstore.NotFoundError) as info:
        db.delete(42)
    err = pickle.loads(pickle.dumps(info.value))
    assert type(err) is toonstore.NotFoundError
    assert err.code == CODES["NotFound"] and err.message == info.value.message


def test_not_found_on_delete(db):
    with pytest.raises(toonstore.NotFoundError) as info:
        db.delete(7)
    assert info.value.code == CODES["NotFound"]
    assert str(info.value) == info.value.message and info.value.message
    row_id = db.put(b"x")
    db.delete(row_id)
    with pytest.raises(KeyError):
        db.delete(row_id)
    with pytest.raises(toonstore.NotFoundError):
        db.delete(-1)


def test_not_found_open_without_create(tmp_path):
    with pytest.raises(toonstore.ToonStoreError) as info:
        ToonStore.open(tmp_path / "missing", create_if_missing=False)
    assert isinstance(info.value, (toonstore.NotFoundError, toonstore.ToonStoreIOError))
    assert not (tmp_path / "missing").exists()


def test_io_error_when_path_is_a_file(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_bytes(b"not a directory")
    with pytest.raises(toonstore.ToonStoreIOError) as info:
        ToonStore.open(blocker / "db")
    assert isinstance(info.value, OSError)
    assert info.value.code == CODES["Io"]
    assert info.value.message
    # The OS error number is carried over from the engine's message.
    assert info.value.errno == errno.ENOTDIR


def test_too_large(db_path):
    with ToonStore.open(db_path, max_value_size=1000) as db:
        db.put(b"x" * 1000)
        with pytest.raises(toonstore.TooLargeError) as info:
            db.put(b"x" * 1001)
        assert info.value.code == CODES["TooLarge"]
        b = db.batch()
        b.put(b"y" * 5000)
        with pytest.raises(toonstore.TooLargeError):
            b.commit()
        assert len(db) == 1


def test_read_only(db_path):
    with ToonStore.open(db_path) as db:
        row_id = db.put(b"x")
    with ToonStore.open(db_path, read_only=True) as ro:
        assert ro.read_only
        assert ro.get(row_id) == b"x"
        assert list(ro.scan()) == [(row_id, b"x")]
        with pytest.raises(toonstore.ReadOnlyError) as info:
            ro.put(b"y")
        assert info.value.code == CODES["ReadOnly"]
        with pytest.raises(toonstore.ReadOnlyError):
            ro.delete(row_id)
        with pytest.raises(toonstore.ReadOnlyError):
            ro.delete(999)
        with pytest.raises(toonstore.ReadOnlyError):
            with ro.batch() as b:
                b.put(b"z")
        with pytest.raises(toonstore.ReadOnlyError):
            ro.compact()
        with pytest.raises(toonstore.ReadOnlyError):
            ro.sync()
        assert ro.get(row_id) == b"x" and len(ro) == 1


def test_invalid_durability(db_path):
    with pytest.raises(toonstore.InvalidArgumentError) as info:
        ToonStore.open(db_path, durability="sometimes")
    assert isinstance(info.value, ValueError)
    assert info.value.code == CODES["InvalidArgument"]
    with ToonStore.open(db_path) as db:
        with pytest.raises(toonstore.InvalidArgumentError):
            db.put(b"x", durability="never")


def test_durability_must_be_a_str(db_path):
    with pytest.raises(TypeError):
        ToonStore.open(db_path, durability=2)


def test_invalid_sync_interval(db_path):
    with pytest.raises(toonstore.InvalidArgumentError):
        ToonStore.open(db_path, sync_interval=-1.0)


def test_batch_used_after_commit_or_discard(db):
    b = db.batch()
    b.put(b"a")
    b.commit()
    with pytest.raises(toonstore.InvalidArgumentError):
        b.put(b"b")
    with pytest.raises(toonstore.InvalidArgumentError):
        b.commit()
    b2 = db.batch()
    b2.discard()
    with pytest.raises(toonstore.InvalidArgumentError):
        b2.delete(0)


def test_wrong_argument_types(db):
    with pytest.raises(TypeError):
        db.get("1")
    with pytest.raises(TypeError):
        db.delete(1.0)
    with pytest.raises(TypeError):
        db.scan("0")
    with pytest.raises(TypeError):
        ToonStore.open(12)


CLOSED_CALLS = [
    ("put", lambda db: db.put(b"x")),
    ("get", lambda db: db.get(0)),
    ("get-default", lambda db: db.get(-1, b"d")),
    ("delete", lambda db: db.delete(0)),
    ("scan", lambda db: db.scan()),
    ("iter", lambda db: iter(db)),
    ("snapshot", lambda db: db.snapshot()),
    ("batch", lambda db: db.batch()),
    ("sync", lambda db: db.sync()),
    ("compact", lambda db: db.compact()),
    ("stats", lambda db: db.stats()),
    ("len", lambda db: len(db)),
    ("contains", lambda db: 0 in db),
    ("getitem", lambda db: db[0]),
    ("delitem", lambda db: db.__delitem__(0)),
    ("enter", lambda db: db.__enter__()),
]


@pytest.mark.parametrize("name, call", CLOSED_CALLS, ids=[n for n, _ in CLOSED_CALLS])
def test_use_after_close_is_closed_error(db_path, name, call):
    db = ToonStore.open(db_path)
    db.put(b"x")
    db.close()
    with pytest.raises(toonstore.ClosedError) as info:
        call(db)
    assert info.value.code == CODES["Closed"]
    assert "closed" in str(info.value)


def test_iterators_snapshots_and_batches_after_close(db_path):
    db = ToonStore.open(db_path)
    for i in range(10):
        db.put(b"%d" % i)
    it = db.scan()
    assert next(it) == (0, b"0")
    snap = db.snapshot()
    batch = db.batch()
    batch.put(b"late")
    db.close()
    with pytest.raises(toonstore.ClosedError):
        next(it)
    with pytest.raises(StopIteration):
        next(it)  # the iterator stays finished
    with pytest.raises(toonstore.ClosedError):
        snap.get(0)
    with pytest.raises(toonstore.ClosedError):
        list(snap.scan())
    with pytest.raises(toonstore.ClosedError):
        batch.commit()


LOCK_HOLDER = """
import sys, time
from toonstore import ToonStore
db = ToonStore.open(sys.argv[1])
print("open", flush=True)
sys.stdin.readline()
db.close()
"""


def test_locked_by_another_process(db_path):
    import subprocess
    import sys

    ToonStore.open(db_path).close()
    child = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "open"
        with pytest.raises(toonstore.LockedError) as info:
            ToonStore.open(db_path)
        assert info.value.code == CODES["Locked"]
        assert info.value.message
        # A read-only open takes no lock: it opens beside the writer.
        with ToonStore.open(db_path, read_only=True) as reader:
            assert len(reader) == 0
    finally:
        child.stdin.write("\n")
        child.stdin.flush()
        assert child.wait(timeout=30) == 0
    # Released when the other process closes.
    with ToonStore.open(db_path) as db:
        db.put(b"mine now")


READ_ONLY_HOLDER = """
import sys
from toonstore import ToonStore
db = ToonStore.open(sys.argv[1], read_only=True)
print(len(db), flush=True)
sys.stdin.readline()
db.close()
"""


def test_read_only_processes_share_and_a_writer_opens_beside_them(db_path):
    import subprocess
    import sys

    with ToonStore.open(db_path) as db:
        db.put(b"shared")
    child = subprocess.Popen(
        [sys.executable, "-c", READ_ONLY_HOLDER, str(db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "1"
        with ToonStore.open(db_path, read_only=True) as reader:
            assert [d for _, d in reader.scan()] == [b"shared"]
        with ToonStore.open(db_path) as writer:
            writer.put(b"beside a reader")
    finally:
        child.stdin.write("\n")
        child.stdin.flush()
        assert child.wait(timeout=30) == 0


def test_corruption_is_reported_never_returned(db_path):
    rows = [b"row-%06d-" % i + b"z" * 200 for i in range(200)]
    with ToonStore.open(db_path) as db:
        ids = [db.put(r) for r in rows]
    data_file = segment_files(db_path)[0]
    raw = bytearray(data_file.read_bytes())
    # Damage the middle of the data file (not its tail, which recovery
    # may legitimately cut off as a torn write).
    start = len(raw) // 3
    for i in range(start, start + 64):
        raw[i] ^= 0xFF
    data_file.write_bytes(bytes(raw))

    saw_error = False
    try:
        with ToonStore.open(db_path) as db:
            for row_id, expected in zip(ids, rows):
                try:
                    got = db.get(row_id)
                except toonstore.CorruptError as err:
                    assert err.code == CODES["Corrupt"]
                    saw_error = True
                    continue
                assert got is None or got == expected, "wrong data returned"
            try:
                for row_id, data in db.scan():
                    assert data == rows[ids.index(row_id)]
            except toonstore.CorruptError:
                saw_error = True
    except toonstore.CorruptError as err:
        assert err.code == CODES["Corrupt"]
        saw_error = True
    assert saw_error, "damage in the middle of the log went unnoticed"


def test_newer_format_version_is_refused(db_path):
    """Files written by a newer format: VersionError, not a guess.

    Uses the segment header layout of docs/FORMAT.md: magic "TOONSEG\\0",
    u32 format version at offset 8, CRC-32 of bytes 0..32 at offset 32.
    """
    import struct
    import zlib

    with ToonStore.open(db_path) as db:
        row = db.put(b"written by this version")
    bumped = 0
    for f in db_path.iterdir():
        raw = bytearray(f.read_bytes())
        if raw[:8] != b"TOONSEG\0":
            continue
        version = struct.unpack_from("<I", raw, 8)[0]
        struct.pack_into("<I", raw, 8, version + 1)
        struct.pack_into("<I", raw, 32, zlib.crc32(bytes(raw[:32])))
        f.write_bytes(bytes(raw))
        bumped += 1
    assert bumped >= 1
    with pytest.raises(toonstore.VersionError) as info:
        with ToonStore.open(db_path) as db:
            db.get(row)
    assert info.value.code == CODES["Version"]
    assert info.value.message
