"""Issue 22 additions: keys/values/items, closable scans, bulk calls,
weakref, durability in any case, toonstore.aio."""

import asyncio
import gc
import weakref
from pathlib import Path

import pytest

import toonstore
import toonstore.aio
from toonstore import ClosedError, InvalidArgumentError, NotFoundError, ToonStore


def test_keys_values_items(db: ToonStore) -> None:
    a, b, c = db.put(b"a"), db.put(b"b"), db.put(b"c")
    db.delete(b)
    assert list(db.keys()) == [a, c]
    assert list(db.values()) == [b"a", b"c"]
    assert list(db.items()) == [(a, b"a"), (c, b"c")]
    keys = db.keys()
    db.put(b"later")  # a snapshot: not seen
    assert list(keys) == [a, c]


def test_keys_stop_once_closed(db_path: Path) -> None:
    db = ToonStore.open(db_path)
    db.put(b"a")
    db.put(b"b")
    keys = db.keys()
    assert next(keys) == 0
    db.close()
    with pytest.raises(ClosedError):
        next(keys)
    with pytest.raises(ClosedError):
        db.keys()


@pytest.mark.parametrize("make", ["scan", "keys", "values", "items"])
def test_scan_close_and_context_manager(db: ToonStore, make: str) -> None:
    for i in range(3):
        db.put(b"r%d" % i)
    it = getattr(db, make)()
    next(it)
    it.close()
    it.close()  # idempotent
    assert list(it) == []
    with getattr(db, make)() as it2:
        assert it2 is not None
        next(it2)
    with pytest.raises(StopIteration):
        next(it2)


def test_put_many_get_many_delete_many(db: ToonStore) -> None:
    ids = db.put_many(b"row%d" % i for i in range(5))
    assert ids == [0, 1, 2, 3, 4]
    assert db.put_many([]) == []
    assert db.get_many([4, 0, 99, -1]) == [b"row4", b"row0", None, None]
    db.delete_many([1, 3])
    assert list(db.keys()) == [0, 2, 4]
    with pytest.raises(NotFoundError):
        db.delete_many([0, 1])  # 1 is gone: nothing deleted
    assert 0 in db
    with pytest.raises(NotFoundError):
        db.delete_many([0, -3])
    assert 0 in db
    with pytest.raises(TypeError):
        db.put_many([b"ok", 3])  # type: ignore[list-item]
    assert len(db) == 3  # nothing written
    db.delete_many([])


def test_bulk_calls_on_closed_or_read_only(db_path: Path) -> None:
    db = ToonStore.open(db_path)
    db.put(b"x")
    db.close()
    with ToonStore.open(db_path, read_only=True) as ro:
        with pytest.raises(toonstore.ReadOnlyError):
            ro.put_many([b"y"])
        with pytest.raises(toonstore.ReadOnlyError):
            ro.delete_many([0])
        assert ro.get_many([0]) == [b"x"]
    for call in (lambda: db.put_many([b"y"]), lambda: db.get_many([0]),
                 lambda: db.delete_many([0])):
        with pytest.raises(ClosedError):
            call()


def test_weakref_to_handle(db_path: Path) -> None:
    db = ToonStore.open(db_path)
    ref = weakref.ref(db)
    assert ref() is db
    db.close()
    del db
    gc.collect()
    assert ref() is None


def test_durability_any_case(db_path: Path) -> None:
    # The stubs name the canonical (lower-case) spellings; any case works.
    with ToonStore.open(db_path, durability="FULL") as db:  # type: ignore[arg-type]
        assert db.durability == "full"
        db.put(b"x", durability="Off")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        ToonStore.open(db_path, durability="fast")  # type: ignore[arg-type]


def test_aio(db_path: Path) -> None:
    async def main() -> None:
        db = await toonstore.aio.open(db_path, durability="full")
        row = await toonstore.aio.put(db, b"row")
        ids = await toonstore.aio.put_many(db, [b"a", b"b"])
        await toonstore.aio.sync(db)
        await toonstore.aio.compact(db)
        assert db[row] == b"row" and len(ids) == 2
        await toonstore.aio.close(db)
        assert db.closed
        with pytest.raises(ClosedError):
            await toonstore.aio.put(db, b"late")
        with pytest.raises(toonstore.DatabaseNotFoundError):
            await toonstore.aio.open(db_path / "none", create_if_missing=False)

    asyncio.run(main())


def test_nested_batches_are_independent(db: ToonStore) -> None:
    with pytest.raises(RuntimeError):
        with db.batch() as outer:
            outer.put(b"outer")
            with db.batch() as inner:
                inner.put(b"inner")
            raise RuntimeError("discard the outer batch")
    assert inner.committed and not outer.committed
    assert list(db.values()) == [b"inner"]


def test_stats_is_a_frozen_dataclass(db: ToonStore) -> None:
    import dataclasses
    import pickle

    db.put(b"x")
    s = db.stats()
    assert dataclasses.is_dataclass(s)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.live_rows = 5  # type: ignore[misc]
    assert hash(s) == hash(db.stats()) and s == db.stats()
    assert pickle.loads(pickle.dumps(s)) == s
    d: toonstore.StatsDict = s.as_dict()
    assert d["live_rows"] == 1 and d["next_row_id"] == 1
    assert set(d) == {f.name for f in dataclasses.fields(s)}
