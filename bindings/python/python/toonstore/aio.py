"""asyncio wrappers for the calls that wait on the disk.

Each runs the blocking call in a worker thread (``asyncio.to_thread``), where
the binding releases the GIL while the engine works, so an event loop never
blocks on an fsync::

    import toonstore.aio

    db = await toonstore.aio.open(path, durability="full")
    row_id = await toonstore.aio.put(db, b"row")   # durable when it returns
    await toonstore.aio.sync(db)
    await toonstore.aio.compact(db)
    await toonstore.aio.backup(db, "/backups/today")
    await toonstore.aio.close(db)

Reads and non-durable puts are fast in-memory calls: call them directly.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any, Iterable, List, Union

from . import ToonStore

__all__ = ["open", "put", "put_many", "sync", "compact", "backup", "close"]

_BytesLike = Union[bytes, bytearray, memoryview, str]


async def open(
    path: Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"], **options: Any
) -> ToonStore:
    """``ToonStore.open(path, **options)`` in a worker thread (recovery reads
    the files)."""
    return await asyncio.to_thread(lambda: ToonStore.open(path, **options))


async def put(db: ToonStore, data: _BytesLike, *, durability: Any = None) -> int:
    """``db.put(data, durability=...)`` in a worker thread (with ``"full"``
    durability it returns after the fsync)."""
    return await asyncio.to_thread(lambda: db.put(data, durability=durability))


async def put_many(db: ToonStore, rows: Iterable[_BytesLike]) -> List[int]:
    """``db.put_many(rows)`` in a worker thread (the rows are listed first,
    in the calling thread)."""
    listed = list(rows)
    return await asyncio.to_thread(db.put_many, listed)


async def sync(db: ToonStore) -> None:
    """``db.sync()`` (fsync) in a worker thread."""
    await asyncio.to_thread(db.sync)


async def compact(db: ToonStore) -> None:
    """``db.compact()`` in a worker thread."""
    await asyncio.to_thread(db.compact)


async def backup(
    db: ToonStore, dest: Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
) -> None:
    """``db.backup(dest)`` (copies and fsyncs every segment) in a worker
    thread."""
    await asyncio.to_thread(db.backup, dest)


async def close(db: ToonStore) -> None:
    """``db.close()`` (final flush and fsync) in a worker thread."""
    await asyncio.to_thread(db.close)
