"""Bulk puts: a put loop, a batch, put_many, and py-lmdb's putmulti.

Usage (from bindings/python, after build_and_test.sh):
    .venv/bin/python bench/bulk.py [rows] [runs]

Each run puts `rows` rows of 100 bytes into a fresh directory with the
default durability ("normal") and prints the median, min and max rows per
second over `runs` runs. lmdb: sync=False, metasync=False, putmulti in one
write transaction (its fastest bulk mode).
"""

import statistics
import sys
import tempfile
import time
from typing import Callable, Dict, List

from toonstore import ToonStore


def toonstore_run(rows: List[bytes], kind: str) -> float:
    with tempfile.TemporaryDirectory() as d:
        with ToonStore.open(d + "/db") as db:
            start = time.perf_counter()
            if kind == "put loop":
                put = db.put
                for r in rows:
                    put(r)
            elif kind == "batch":
                with db.batch() as b:
                    bput = b.put
                    for r in rows:
                        bput(r)
            else:
                db.put_many(rows)
            return len(rows) / (time.perf_counter() - start)


def lmdb_run(rows: List[bytes]) -> float:
    import lmdb

    with tempfile.TemporaryDirectory() as d:
        env = lmdb.open(d, map_size=1 << 32, sync=False, metasync=False)
        items = [(i.to_bytes(8, "big"), r) for i, r in enumerate(rows)]
        start = time.perf_counter()
        with env.begin(write=True) as txn:
            txn.cursor().putmulti(items, append=True)
        elapsed = time.perf_counter() - start
        env.close()
        return len(rows) / elapsed


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    rows = [b"x" * 100] * n
    kinds: Dict[str, Callable[[], float]] = {
        "toonstore put loop": lambda: toonstore_run(rows, "put loop"),
        "toonstore batch": lambda: toonstore_run(rows, "batch"),
        "toonstore put_many": lambda: toonstore_run(rows, "put_many"),
        "lmdb putmulti (one txn)": lambda: lmdb_run(rows),
    }
    for name, run in kinds.items():
        r = [run() for _ in range(runs)]
        print(f"{name}: median {statistics.median(r) / 1e6:.2f} M rows/s "
              f"(min {min(r) / 1e6:.2f}, max {max(r) / 1e6:.2f}, {runs} runs)")


if __name__ == "__main__":
    main()
