"""`Stats`, the counters of `ToonStore.stats()`: a frozen dataclass
(immutable, hashable, picklable, comparable) built by the binding."""

from __future__ import annotations

import dataclasses
import sys
from typing import Dict, Union, cast

if sys.version_info >= (3, 11):
    from typing import TypedDict
else:  # pragma: no cover - older Pythons
    from typing_extensions import TypedDict

__all__ = ["Stats", "StatsDict"]


class StatsDict(TypedDict):
    """`Stats.as_dict()`: the counters by name."""

    live_rows: int
    deleted_rows: int
    next_row_id: int
    live_bytes: int
    disk_bytes: int
    segment_count: int
    garbage_fraction: float


@dataclasses.dataclass(frozen=True)
class Stats:
    """Counters of a database at the moment `stats()` was called."""

    #: Rows that can be read.
    live_rows: int
    #: Row ids assigned and then deleted (never reused).
    deleted_rows: int
    #: The row id the next put will get.
    next_row_id: int
    #: Bytes of the records (header included) of live rows.
    live_bytes: int
    #: Bytes the files occupy on disk, including reserved space.
    disk_bytes: int
    #: Number of segment files.
    segment_count: int
    #: Share of the log that compaction would reclaim (0.0 to 1.0).
    garbage_fraction: float

    def as_dict(self) -> StatsDict:
        """The counters as a dict (a `StatsDict`)."""
        d: Dict[str, Union[int, float]] = dataclasses.asdict(self)
        return cast(StatsDict, d)
