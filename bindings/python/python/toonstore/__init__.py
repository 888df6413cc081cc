"""ToonStore: an embedded row database.

>>> from toonstore import ToonStore
>>> with ToonStore.open("/tmp/example-db") as db:  # doctest: +SKIP
...     row_id = db.put(b"users[1]{id,name}: 1,Alice")
...     db.get(row_id)
b'users[1]{id,name}: 1,Alice'

See docs/python/README.md for the whole API.
"""

from ._errors import (
    ClosedError,
    CorruptError,
    DatabaseNotFoundError,
    InternalError,
    InvalidArgumentError,
    LockedError,
    NotFoundError,
    OutOfMemoryError,
    PoisonedError,
    ForkedError,
    ReadOnlyError,
    ToonStoreError,
    ToonStoreIOError,
    TooLargeError,
    VersionError,
)
from ._stats import Stats, StatsDict
from ._toonstore import (
    ERROR_CODES,
    Batch,
    KeyScan,
    Scan,
    ValueScan,
    Snapshot,
    ToonStore,
    __version__,
)

#: ``toonstore.open(path, ...)`` is ``ToonStore.open(path, ...)``. Not in
#: ``__all__``, so that ``from toonstore import *`` leaves the builtin alone.
open = ToonStore.open

__all__ = [
    "ToonStore",
    "Batch",
    "Scan",
    "KeyScan",
    "ValueScan",
    "Snapshot",
    "Stats",
    "StatsDict",
    "ERROR_CODES",
    "__version__",
    "ToonStoreError",
    "NotFoundError",
    "DatabaseNotFoundError",
    "ToonStoreIOError",
    "CorruptError",
    "LockedError",
    "TooLargeError",
    "ReadOnlyError",
    "VersionError",
    "OutOfMemoryError",
    "InternalError",
    "ClosedError",
    "PoisonedError",
    "ForkedError",
    "InvalidArgumentError",
]
