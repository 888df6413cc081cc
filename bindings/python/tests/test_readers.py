"""Readers beside a writer in another process, refresh, and online backup
(issue 17)."""

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

import toonstore
import toonstore.aio
from toonstore import ToonStore

# Puts b"row <id>" rows; prints the count acknowledged so far after each
# put; stops after 20000 rows and waits to be killed.
WRITER = """
import sys, time
from toonstore import ToonStore
db = ToonStore.open(sys.argv[1], segment_size=64 * 1024)
i = 0
while True:
    if i < 20000:
        assert db.put(b"row %d" % i) == i
        i += 1
        print(i, flush=True)
        if i % 32 == 0:
            time.sleep(0.001)
    else:
        time.sleep(0.05)
"""


class Writer:
    def __init__(self, path: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)],
            stdout=subprocess.PIPE,
            text=True,
        )
        self.acked = 0

    def wait_for(self, n: int) -> int:
        """Reads the child's acknowledgements until at least `n`."""
        assert self.proc.stdout is not None
        while self.acked < n:
            line = self.proc.stdout.readline()
            assert line, "the writer exited"
            self.acked = int(line)
        return self.acked

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=30)


def check_rows(db: ToonStore, acked: int) -> int:
    """Rows 0.. with no gap, each b"row <id>", at least `acked` of them."""
    n = 0
    for row_id, data in db.scan():
        assert row_id == n
        assert data == b"row %d" % row_id
        n += 1
    assert n >= acked
    assert len(db) == n
    return n


@pytest.fixture
def writer(db_path: Path):
    w = Writer(db_path)
    yield w
    w.kill()


def test_read_only_open_beside_a_writer_process(db_path: Path, writer: Writer) -> None:
    for round_ in range(10):
        acked = writer.wait_for(200 * (round_ + 1))
        with ToonStore.open(db_path, read_only=True) as reader:
            seen = check_rows(reader, acked)
            # A fixed state until refreshed ...
            more = writer.wait_for(seen + 50)
            assert check_rows(reader, acked) == seen
            # ... and refresh() moves it on.
            reader.refresh()
            assert check_rows(reader, more) >= more
            with pytest.raises(toonstore.ReadOnlyError):
                reader.put(b"nope")
    # A second writer is still refused.
    with pytest.raises(toonstore.LockedError) as info:
        ToonStore.open(db_path)
    assert info.value.code == -5  # TOONSTORE_ERR_LOCKED


def test_kill_9_of_the_writer_with_a_reader_open(db_path: Path, writer: Writer) -> None:
    acked = writer.wait_for(1000)
    reader = ToonStore.open(db_path, read_only=True)
    seen = check_rows(reader, acked)
    acked = writer.wait_for(seen + 100)
    writer.kill()
    assert check_rows(reader, 0) == seen
    # Recovery, by a writer in another process, while the reader is open.
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from toonstore import ToonStore; "
         "ToonStore.open(sys.argv[1]).close()", str(db_path)],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert check_rows(reader, 0) == seen
    reader.refresh()
    check_rows(reader, acked)
    reader.close()


def test_backup_beside_a_writer_process(db_path: Path, writer: Writer, tmp_path: Path) -> None:
    acked = writer.wait_for(1500)
    with ToonStore.open(db_path, read_only=True) as reader:
        seen = check_rows(reader, acked)
        reader.backup(tmp_path / "copy")
    with ToonStore.open(tmp_path / "copy", create_if_missing=False) as copy:
        assert check_rows(copy, seen) == seen
        assert copy.put(b"row %d" % seen) == seen


def test_backup_from_the_writer_and_aio(db: ToonStore, tmp_path: Path) -> None:
    ids = db.put_many([b"row %d" % i for i in range(100)])
    db.delete(ids[7])
    db.backup(str(tmp_path / "str-path"))
    asyncio.run(toonstore.aio.backup(db, tmp_path / "aio"))
    for name in ("str-path", "aio"):
        with ToonStore.open(tmp_path / name, read_only=True) as copy:
            assert len(copy) == 99
            assert copy.get(ids[7]) is None
            assert copy.get(ids[8]) == b"row 8"
    db.refresh()  # a writable handle: nothing to do
    assert len(db) == 99


def test_backup_errors_leave_nothing(db: ToonStore, tmp_path: Path) -> None:
    db.put(b"a")
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "mine").write_bytes(b"keep")
    with pytest.raises(toonstore.InvalidArgumentError) as info:
        db.backup(taken)
    assert info.value.code == -1  # TOONSTORE_ERR_INVALID_ARG
    assert "not empty" in str(info.value)
    assert (taken / "mine").read_bytes() == b"keep"
    with pytest.raises(toonstore.ToonStoreIOError) as io_info:
        db.backup(tmp_path / "no" / "such" / "parent")
    assert io_info.value.code == -3  # TOONSTORE_ERR_IO
    with pytest.raises(TypeError):
        db.backup(42)  # type: ignore[arg-type]
    assert not [p for p in tmp_path.iterdir() if "backup-tmp" in p.name]
    db.close()
    with pytest.raises(toonstore.ClosedError):
        db.backup(tmp_path / "after-close")
    with pytest.raises(toonstore.ClosedError):
        db.refresh()
    assert not (tmp_path / "after-close").exists()


def test_refresh_failure_keeps_the_state(db_path: Path, tmp_path: Path) -> None:
    with ToonStore.open(db_path) as db:
        db.put(b"a")
    reader = ToonStore.open(db_path, read_only=True)
    moved = tmp_path / "moved"
    db_path.rename(moved)
    with pytest.raises(toonstore.ToonStoreIOError):
        reader.refresh()
    assert reader.get(0) == b"a"
    moved.rename(db_path)
    reader.refresh()
    assert len(reader) == 1
    reader.close()
