"""Defects found by a new user (issue 22): each test failed before the fix."""

import errno
import gc
import os
import sys
import threading
import warnings
from pathlib import Path
from typing import Any, Callable, List

import pytest

import toonstore
from toonstore import (
    ClosedError,
    DatabaseNotFoundError,
    InvalidArgumentError,
    NotFoundError,
    ToonStore,
    ToonStoreError,
)


# --- Batch shared with a second thread ----------------------------------


def test_batch_touched_during_commit_raises_toonstore_error(db_path: Path) -> None:
    # A full-durability commit of many rows releases the GIL for a while;
    # the other thread's calls meanwhile must be ToonStoreErrors (or work),
    # never PyO3's "Already mutably borrowed".
    with ToonStore.open(db_path, durability="full") as db:
        for _ in range(5):
            batch = db.batch()
            for i in range(20000):
                batch.put(b"x" * 64)
            errors: List[BaseException] = []
            late_puts = [0]
            done = threading.Event()

            def late_put() -> None:
                batch.put(b"late")
                late_puts[0] += 1  # queued before commit() took the batch

            def poke() -> None:
                while not done.is_set():
                    for call in (late_put, lambda: batch.ids,
                                 lambda: repr(batch), lambda: len(batch),
                                 lambda: batch.committed):
                        try:
                            call()
                        except ToonStoreError:
                            pass
                        except BaseException as e:  # noqa: BLE001
                            errors.append(e)

            t = threading.Thread(target=poke)
            t.start()
            try:
                ids = batch.commit()
            finally:
                done.set()
                t.join()
            assert errors == []
            # The committed rows are exactly the puts queued before commit()
            # took the batch; none was lost or half-applied.
            assert len(ids) == 20000 + late_puts[0]
            assert batch.ids == ids
            assert len(batch) == len(ids)
            assert db[ids[-1]] in (b"x" * 64, b"late")


def test_batch_put_during_commit_says_so(db_path: Path) -> None:
    with ToonStore.open(db_path) as db:
        batch = db.batch()
        batch.commit()
        with pytest.raises(InvalidArgumentError, match="already been committed"):
            batch.put(b"x")


# --- bool(db) ------------------------------------------------------------


def test_bool_is_open_not_row_count(db_path: Path) -> None:
    db = ToonStore.open(db_path)
    assert len(db) == 0
    assert bool(db) is True
    db.close()
    assert bool(db) is False  # no ClosedError
    if db:  # the idiom that broke both ways
        db.close()


# --- len(batch) after commit ---------------------------------------------


def test_len_batch_counts_committed_operations(db: ToonStore) -> None:
    a, b = db.put(b"a"), db.put(b"b")
    batch = db.batch()
    batch.delete(a)
    batch.delete(b)
    batch.put(b"c")
    assert len(batch) == 3
    batch.commit()
    assert len(batch) == 3
    assert len(batch.ids) == 1
    other = db.batch()
    other.put(b"d")
    other.discard()
    assert len(other) == 0


# --- open errors ---------------------------------------------------------


def test_open_missing_database_is_file_not_found(tmp_path: Path) -> None:
    for path in (tmp_path / "absent", tmp_path):  # no directory; empty directory
        with pytest.raises(FileNotFoundError) as info:
            ToonStore.open(path, create_if_missing=False)
        e = info.value
        assert isinstance(e, DatabaseNotFoundError)
        assert isinstance(e, toonstore.ToonStoreIOError) and isinstance(e, ToonStoreError)
        assert not isinstance(e, KeyError)  # not a missing row
        assert e.errno == errno.ENOENT
        assert e.filename == str(path)
        assert e.code == toonstore.ERROR_CODES["Io"]
        assert "no database" in str(e) or "No such file" in str(e)
    assert not (tmp_path / "absent").exists()


def test_open_sync_interval_zero_refused_by_binding(db_path: Path) -> None:
    for bad in (0, 0.0, -1.0, 1e-12, float("nan"), float("inf")):
        with pytest.raises(InvalidArgumentError, match="sync_interval"):
            ToonStore.open(db_path, sync_interval=bad)
    assert not db_path.exists()  # refused before touching the disk


@pytest.mark.parametrize("option", ["segment_size", "max_value_size"])
@pytest.mark.parametrize("bad", [-1, 2**64])
def test_open_negative_sizes_are_value_errors(db_path: Path, option: str, bad: int) -> None:
    with pytest.raises(InvalidArgumentError, match=option) as info:
        kwargs: Any = {option: bad}
        ToonStore.open(db_path, **kwargs)
    assert isinstance(info.value, ValueError)
    assert not isinstance(info.value, OverflowError)


def test_open_size_of_wrong_type_is_type_error(db_path: Path) -> None:
    with pytest.raises(TypeError, match="segment_size"):
        ToonStore.open(db_path, segment_size="big")  # type: ignore[arg-type]


def test_open_accepts_bytes_and_pathlike(tmp_path: Path) -> None:
    class MyPath:
        def __init__(self, p: str) -> None:
            self.p = p

        def __fspath__(self) -> str:
            return self.p

    makers: List[Callable[[str], Any]] = [os.fsencode, MyPath, Path, str]
    for i, make in enumerate(makers):
        path = str(tmp_path / f"db{i}")
        with ToonStore.open(make(path)) as db:
            row = db.put(b"row")
            assert db.path == Path(path)
        with ToonStore.open(make(path)) as db:
            assert db[row] == b"row"
    with pytest.raises(TypeError):
        ToonStore.open(3)  # type: ignore[arg-type]


# --- large get releases the GIL ------------------------------------------


def test_large_get_releases_the_gil(db: ToonStore) -> None:
    # With a huge switch interval a thread holding the GIL keeps it; the
    # other thread runs during a get only if the get releases the GIL.
    row = db.put(b"v" * (64 << 20))
    counter = [0]
    stop = threading.Event()
    ready = threading.Event()

    def spin() -> None:
        ready.set()
        while not stop.is_set():
            counter[0] += 1
            stop.wait(0.0005)  # releases the GIL while it waits

    old = sys.getswitchinterval()
    t = threading.Thread(target=spin)
    t.start()
    ready.wait()
    try:
        sys.setswitchinterval(100.0)
        moved = False
        for _ in range(20):
            before = counter[0]
            value = db.get(row)
            if counter[0] != before:
                moved = True
                break
    finally:
        sys.setswitchinterval(old)
        stop.set()
        t.join()
    assert value is not None and len(value) == 64 << 20 and value[:1] == b"v"
    assert moved, "the other thread never ran during a 64 MiB get"


def test_large_get_of_deleted_row_and_default(db: ToonStore) -> None:
    row = db.put(b"w" * (1 << 20))
    assert db[row] == b"w" * (1 << 20)
    db.delete(row)
    assert db.get(row) is None
    assert db.get(row, b"d") == b"d"


# --- batch after close; delete(-3) at commit -----------------------------


def test_batch_put_after_close_raises_closed(db_path: Path) -> None:
    db = ToonStore.open(db_path)
    batch = db.batch()
    db.close()
    with pytest.raises(ClosedError):
        batch.put(b"x")
    with pytest.raises(ClosedError):
        batch.delete(1)
    with pytest.raises(ClosedError):
        batch.commit()


def test_batch_delete_of_impossible_id_raises_at_commit(db: ToonStore) -> None:
    kept = db.put(b"kept")
    batch = db.batch()
    batch.delete(-3)  # queued, as documented: no error yet
    batch.put(b"not applied")
    assert len(batch) == 2
    with pytest.raises(NotFoundError, match="-3"):
        batch.commit()
    assert list(db) == [(kept, b"kept")]  # nothing applied
    with pytest.raises(InvalidArgumentError):
        batch.commit()
    with pytest.raises(TypeError):
        db.batch().delete("x")  # type: ignore[arg-type]


# --- ResourceWarning -----------------------------------------------------


def test_unclosed_handle_warns(db_path: Path) -> None:
    db = ToonStore.open(db_path)
    row = db.put(b"kept")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del db
        gc.collect()
    assert [w.category for w in caught] == [ResourceWarning]
    assert "unclosed toonstore.ToonStore" in str(caught[0].message)
    with ToonStore.open(db_path) as db2:  # flushed and closed all the same
        assert db2[row] == b"kept"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del db2
        gc.collect()
    assert caught == []  # a closed handle does not warn


def test_unclosed_warning_as_error_is_unraisable(db_path: Path) -> None:
    seen: List[object] = []
    old = sys.unraisablehook
    sys.unraisablehook = lambda u: seen.append(u.exc_type)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", ResourceWarning)
            db = ToonStore.open(db_path)
            del db
            gc.collect()
    finally:
        sys.unraisablehook = old
    assert seen == [ResourceWarning]
    with ToonStore.open(db_path) as db:  # the engine was closed anyway
        assert len(db) == 0
