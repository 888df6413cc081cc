"""Exception classes of toonstore.

Every error raised by the engine is a :class:`ToonStoreError` carrying the
engine's error code (``code``, the same number as the C API's
``TOONSTORE_ERR_*``) and message (``message``). The subclasses also derive
from the matching built-in exception where one exists, so that generic code
catching ``KeyError``, ``OSError``, ``ValueError`` or ``MemoryError`` keeps
working.
"""

from __future__ import annotations

import errno
import re
from typing import Any, Tuple

__all__ = [
    "ToonStoreError",
    "NotFoundError",
    "ToonStoreIOError",
    "DatabaseNotFoundError",
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


class ToonStoreError(Exception):
    """Base class of every toonstore error.

    ``code`` is the engine's (negative) error code, ``message`` its text.
    """

    code: int
    message: str

    def __init__(self, message: str = "", code: int = 0, *args: Any) -> None:
        super().__init__(message, code, *args)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self), (self.message, self.code))


class NotFoundError(ToonStoreError, KeyError):
    """No such row (a missing database at open is :class:`DatabaseNotFoundError`)."""


_OS_ERROR = re.compile(r"\(os error (\d+)\)")


class ToonStoreIOError(ToonStoreError, OSError):
    """An operating-system I/O error (disk full, permission denied, ...).

    ``errno`` is set when the engine's message names the OS error number.
    """

    def __new__(cls, message: str = "", code: int = 0, *args: Any) -> "ToonStoreIOError":
        # OSError.__new__ reads two arguments as (errno, strerror): give it
        # the OS error number when the message has one, else the text alone.
        found = _OS_ERROR.search(message)
        if found:
            return OSError.__new__(cls, int(found.group(1)), message)
        return OSError.__new__(cls, message)

    def __init__(self, message: str = "", code: int = 0, *args: Any) -> None:
        found = _OS_ERROR.search(message)
        if found:
            OSError.__init__(self, int(found.group(1)), message)
        else:
            OSError.__init__(self, message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


class DatabaseNotFoundError(ToonStoreIOError, FileNotFoundError):
    """``open`` with ``create_if_missing=False`` found no database at the path.

    The engine's error is ``TOONSTORE_ERR_IO`` (``code``), so this is a
    :class:`ToonStoreIOError`, and also a :class:`FileNotFoundError`:
    ``errno`` is ``ENOENT`` and ``filename`` the path given to ``open``.
    """

    def __new__(
        cls, message: str = "", code: int = 0, filename: Any = None, *args: Any
    ) -> "DatabaseNotFoundError":
        return OSError.__new__(cls, errno.ENOENT, message, filename)

    def __init__(
        self, message: str = "", code: int = 0, filename: Any = None, *args: Any
    ) -> None:
        OSError.__init__(self, errno.ENOENT, message, filename)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self), (self.message, self.code, self.filename))


class CorruptError(ToonStoreError):
    """The files fail their checksums or framing: data is damaged."""


class LockedError(ToonStoreError):
    """The database is locked by another process (or handle)."""


class TooLargeError(ToonStoreError, ValueError):
    """A value is larger than the database's max_value_size."""


class ReadOnlyError(ToonStoreError):
    """A write on a database opened with read_only=True."""


class VersionError(ToonStoreError):
    """The files were written by a newer, unknown format version."""


class OutOfMemoryError(ToonStoreError, MemoryError):
    """The engine could not allocate memory."""


class InternalError(ToonStoreError):
    """A bug in toonstore (an internal invariant failed)."""


class ClosedError(ToonStoreError):
    """The database (or snapshot) has been closed."""


class PoisonedError(ToonStoreError):
    """A previous fsync failed; the handle refuses writes. Reopen it."""


class ForkedError(ClosedError):
    """The handle was opened before ``os.fork()`` in the parent process
    (``TOONSTORE_ERR_FORKED``). Open the database again in the child.

    A subclass of :class:`ClosedError`: the handle is unusable here."""


class InvalidArgumentError(ToonStoreError, ValueError):
    """An argument is out of range or an operation is not valid now."""
