"""What is acknowledged survives: reopen, and kill -9 of the writing process."""

import os
import signal
import subprocess
import sys
import time

import pytest

import toonstore
from toonstore import ToonStore


def test_reopen_keeps_rows_deletes_and_ids(db_path):
    with ToonStore.open(db_path) as db:
        ids = [db.put(b"row %d" % i) for i in range(1000)]
        for i in ids[::2]:
            db.delete(i)
        with db.batch() as b:
            b.put(b"batched")
    with ToonStore.open(db_path) as db:
        assert len(db) == 501
        assert all(db.get(i) == b"row %d" % n for n, i in enumerate(ids) if n % 2)
        assert all(i not in db for i in ids[::2])
        assert db[b.ids[0]] == b"batched"
        assert db.put(b"later") > b.ids[0]  # ids are never reused


@pytest.mark.parametrize("durability", ["normal", "full", "off"])
def test_reopen_after_close_with_each_durability(db_path, durability):
    with ToonStore.open(db_path, durability=durability) as db:
        ids = [db.put(b"%d" % i) for i in range(200)]
    with ToonStore.open(db_path) as db:
        assert [r for r, _ in db.scan()] == ids


def test_reopen_after_compaction(db_path):
    with ToonStore.open(db_path, segment_size=64 * 1024) as db:
        ids = [db.put(b"v" * 500 + b"%d" % i) for i in range(1000)]
        assert db.stats().segment_count > 1
        for i in ids[:800]:
            db.delete(i)
        db.compact()
    with ToonStore.open(db_path) as db:
        assert [r for r, _ in db.scan()] == ids[800:]
        assert db.get(ids[900]) == b"v" * 500 + b"900"


def test_garbage_collected_handle_releases_the_database(db_path):
    db = ToonStore.open(db_path)
    row = db.put(b"x")
    del db  # no close(): dropping the last reference closes it
    with ToonStore.open(db_path) as again:
        assert again.get(row) == b"x"


def test_second_open_in_the_same_process_shares_the_database(db_path):
    first = ToonStore.open(db_path)
    a = first.put(b"a")
    second = ToonStore.open(db_path)
    b = second.put(b"b")
    assert first.get(b) == b"b" and second.get(a) == b"a"
    assert b > a
    reader = ToonStore.open(db_path, read_only=True)
    with pytest.raises(toonstore.ReadOnlyError):
        reader.put(b"c")
    with pytest.raises(toonstore.ReadOnlyError):
        reader.delete(a)
    with pytest.raises(toonstore.ReadOnlyError):
        reader.sync()
    first.close()
    assert second.get(a) == b"a"  # still open through the other handles
    second.close()
    assert reader.get(b) == b"b"
    reader.close()
    with ToonStore.open(db_path) as db:
        assert [d for _, d in db.scan()] == [b"a", b"b"]


def test_writer_cannot_join_a_read_only_open_in_the_same_process(db_path):
    ToonStore.open(db_path).close()
    reader = ToonStore.open(db_path, read_only=True)
    with pytest.raises(toonstore.LockedError) as info:
        ToonStore.open(db_path)
    assert "read-only" in info.value.message
    second_reader = ToonStore.open(db_path, read_only=True)
    reader.close()
    second_reader.close()
    with ToonStore.open(db_path) as db:  # free again once they are closed
        db.put(b"w")


def test_a_second_writer_must_ask_for_the_same_options(db_path):
    # The engine is shared (one per directory per process, the core's rule):
    # a writer asking for another durability would not get it, so it is
    # refused by name; a reader's write options do not matter.
    with ToonStore.open(db_path) as db:
        with pytest.raises(toonstore.InvalidArgumentError) as info:
            ToonStore.open(db_path, durability="full")
        assert "durability" in info.value.message
        with ToonStore.open(db_path, read_only=True, durability="full") as reader:
            row = db.put(b"seen by the reader")
            assert reader.get(row) == b"seen by the reader"
        db.put(b"still open")


WRITER = r"""
import sys
from toonstore import ToonStore
path, durability = sys.argv[1], sys.argv[2]
db = ToonStore.open(path, durability=durability)
i = 0
while True:
    value = b"acked-%d-" % i + b"p" * (i % 300)
    row_id = db.put(value)
    # Printed only after put returned: the row is acknowledged.
    sys.stdout.write("%d %d\n" % (row_id, i))
    sys.stdout.flush()
    i += 1
"""


@pytest.mark.parametrize("durability", ["normal", "full"])
def test_kill_9_loses_nothing_acknowledged(db_path, durability):
    ToonStore.open(db_path).close()
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db_path), durability],
        stdout=subprocess.PIPE,
    )
    acked = []
    deadline = time.monotonic() + 30
    wanted = 2000 if durability == "full" else 20000
    try:
        for line in child.stdout:
            row_id, i = map(int, line.split())
            acked.append((row_id, i))
            if len(acked) >= wanted or time.monotonic() > deadline:
                break
        os.kill(child.pid, signal.SIGKILL)  # while it is still writing
        # Lines already written to the pipe were acknowledged too.
        rest = child.stdout.read()
        for line in rest.splitlines():
            parts = line.split()
            if len(parts) == 2:
                acked.append((int(parts[0]), int(parts[1])))
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL
    assert len(acked) > 100

    with ToonStore.open(db_path) as db:
        for row_id, i in acked:
            assert db.get(row_id) == b"acked-%d-" % i + b"p" * (i % 300)
        ids = [r for r, _ in db.scan()]
        assert ids == sorted(ids)
        assert set(r for r, _ in acked) <= set(ids)
        # The reopened database takes new writes after the last acked row.
        assert db.put(b"after crash") > acked[-1][0]
