#!/usr/bin/env python3
"""Benchmark of the toonstore Python binding against sqlite3 and lmdb.

Not a test: it prints figures. The same rows (N rows of ~100 bytes, TOON
lines padded to 100 bytes) go through every database in one run:

  put   one call per row, each acknowledged before the next;
  get   every row once, in one random order (the same for every database);
  scan  every row, in key order.

Every database is configured to acknowledge a write once it is in the
operating system (it survives the writing process being killed, and reaches
the disk at the next sync) -- toonstore's default durability "normal":

  toonstore            ToonStore.open(dir)  (durability="normal"), db.put(row)
  sqlite3              WAL, synchronous=NORMAL, autocommit: one INSERT per row
  lmdb                 sync=False, metasync=False: one write transaction per row

For reference, each peer's fastest bulk mode (every put inside one big
transaction, committed at the end, so nothing is acknowledged before it) is
measured too:

  sqlite3 (one txn)    BEGIN; N INSERTs; COMMIT
  lmdb (one txn)       one write transaction, append=True, committed at the end

Reads: sqlite3 uses one cursor and its statement cache; lmdb uses one read
transaction for all gets and keys encoded before timing starts (the fastest
way to use each). toonstore calls db.get(row_id) / iterates db.scan().

Usage:
  python bench/bench.py                # N = 1,000,000
  python bench/bench.py -n 100000      # or TOONSTORE_BENCH_N=100000
  python bench/bench.py --only toonstore --dir /path/on/another/disk
  python bench/bench.py --repeat 5     # median of 5 runs (default 3)
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import shutil
import sqlite3
import statistics
import struct
import sys
import tempfile
import time
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import toonstore

try:
    import lmdb
except ImportError:  # pragma: no cover - reported in the table
    lmdb = None

VALUE_SIZE = 100


def make_rows(n: int) -> List[bytes]:
    rows = []
    for i in range(n):
        line = b"users[1]{id,name,email}: %d,user%d,user%d@example.com " % (i, i, i)
        rows.append(line.ljust(VALUE_SIZE, b"."))
    return rows


class Timer:
    def __init__(self) -> None:
        self.elapsed = 0.0

    def __enter__(self) -> "Timer":
        gc.collect()
        gc.disable()
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.elapsed = time.perf_counter() - self.start
        gc.enable()


Result = Dict[str, Optional[float]]


def check(condition: bool, what: str) -> None:
    if not condition:
        raise SystemExit(f"benchmark self-check failed: {what}")


def bench_toonstore(
    path: str, rows: Sequence[bytes], order: Sequence[int], durability: str = "normal"
) -> Result:
    n = len(rows)
    db = toonstore.ToonStore.open(path, durability=durability)
    put = db.put
    with Timer() as t_put:
        ids = [put(r) for r in rows]
    check(len(ids) == n, "toonstore put count")
    keys = [ids[i] for i in order]
    get = db.get
    with Timer() as t_get:
        for k in keys:
            get(k)
    check(all(db.get(ids[i]) == rows[i] for i in order[:1000]), "toonstore get")
    count = 0
    with Timer() as t_scan:
        for _row_id, _data in db.scan():
            count += 1
    check(count == n, "toonstore scan count")
    db.close()
    return {"put": n / t_put.elapsed, "get": n / t_get.elapsed, "scan": n / t_scan.elapsed}


def bench_sqlite(
    path: str, rows: Sequence[bytes], order: Sequence[int], one_txn: bool
) -> Result:
    n = len(rows)
    con = sqlite3.connect(os.path.join(path, "bench.sqlite"), isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB NOT NULL)")
    cur = con.cursor()
    execute = cur.execute
    sql = "INSERT INTO t (data) VALUES (?)"
    with Timer() as t_put:
        if one_txn:
            execute("BEGIN")
        ids = []
        for r in rows:
            execute(sql, (r,))
            ids.append(cur.lastrowid)
        if one_txn:
            execute("COMMIT")
    check(len(ids) == n, "sqlite put count")
    keys = [ids[i] for i in order]
    sql = "SELECT data FROM t WHERE id = ?"
    with Timer() as t_get:
        for k in keys:
            execute(sql, (k,)).fetchone()
    check(
        all(execute(sql, (ids[i],)).fetchone()[0] == rows[i] for i in order[:1000]),
        "sqlite get",
    )
    count = 0
    with Timer() as t_scan:
        for _row_id, _data in con.execute("SELECT id, data FROM t ORDER BY id"):
            count += 1
    check(count == n, "sqlite scan count")
    con.close()
    return {"put": n / t_put.elapsed, "get": n / t_get.elapsed, "scan": n / t_scan.elapsed}


def bench_lmdb(path: str, rows: Sequence[bytes], order: Sequence[int], one_txn: bool) -> Result:
    n = len(rows)
    env = lmdb.open(
        path,
        map_size=max(1 << 30, n * 400),
        sync=False,
        metasync=False,
        readahead=False,
        max_dbs=0,
    )
    pack = struct.Struct(">Q").pack
    all_keys = [pack(i) for i in range(n)]
    with Timer() as t_put:
        if one_txn:
            with env.begin(write=True) as txn:
                put = txn.put
                for k, r in zip(all_keys, rows):
                    put(k, r, append=True)
        else:
            begin = env.begin
            for k, r in zip(all_keys, rows):
                with begin(write=True) as txn:
                    txn.put(k, r, append=True)
    keys = [all_keys[i] for i in order]
    with env.begin() as txn:
        get = txn.get
        with Timer() as t_get:
            for k in keys:
                get(k)
        check(all(txn.get(all_keys[i]) == rows[i] for i in order[:1000]), "lmdb get")
    count = 0
    with env.begin() as txn:
        with Timer() as t_scan:
            for _key, _data in txn.cursor():
                count += 1
    check(count == n, "lmdb scan count")
    env.close()
    return {"put": n / t_put.elapsed, "get": n / t_get.elapsed, "scan": n / t_scan.elapsed}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    cores = os.cpu_count()
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {cores} cores{mem}, {platform.system()} {platform.release()}"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "-n",
        "--rows",
        type=int,
        default=int(os.environ.get("TOONSTORE_BENCH_N", "1000000")),
        help="rows per database (default 1,000,000 or $TOONSTORE_BENCH_N)",
    )
    parser.add_argument("--dir", default=None, help="where to create the databases (default: a temp dir)")
    parser.add_argument("--seed", type=int, default=42, help="seed of the random get order")
    parser.add_argument(
        "--only",
        action="append",
        choices=["toonstore", "sqlite3", "lmdb"],
        help="run only these databases (repeatable)",
    )
    parser.add_argument("--no-bulk", action="store_true", help="skip the peers' one-transaction bulk modes")
    parser.add_argument("--with-off", action="store_true", help="also run toonstore with durability='off'")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs per database, each on a fresh directory; the median of each figure is shown (default 3)",
    )
    args = parser.parse_args(argv)

    n = args.rows
    only = set(args.only or ["toonstore", "sqlite3", "lmdb"])
    rows = make_rows(n)
    order = list(range(n))
    random.Random(args.seed).shuffle(order)

    print(f"# toonstore {toonstore.__version__} Python binding benchmark")
    print(f"date:    {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}")
    print(f"command: {' '.join([os.path.basename(sys.executable)] + sys.argv)}")
    print(f"machine: {machine()}")
    print(
        f"python:  {platform.python_implementation()} {platform.python_version()}; "
        f"sqlite {sqlite3.sqlite_version}; "
        f"py-lmdb {lmdb.__version__ + ' (LMDB ' + '.'.join(map(str, lmdb.version())) + ')' if lmdb else 'not installed'}"
    )
    print(
        f"rows:    {n:,} of {VALUE_SIZE} bytes, random get order (seed {args.seed}); "
        f"median of {args.repeat} runs, each on a fresh directory"
    )
    print(flush=True)

    plan: List[Tuple[str, Callable[[str], Result]]] = []
    if "toonstore" in only:
        plan.append(("toonstore", lambda d: bench_toonstore(d, rows, order)))
        if args.with_off:
            plan.append(("toonstore (durability=off)", lambda d: bench_toonstore(d, rows, order, "off")))
    if "sqlite3" in only:
        plan.append(("sqlite3", lambda d: bench_sqlite(d, rows, order, one_txn=False)))
        if not args.no_bulk:
            plan.append(("sqlite3 (one txn)", lambda d: bench_sqlite(d, rows, order, one_txn=True)))
    if "lmdb" in only:
        if lmdb is None:
            print("lmdb is not installed (pip install lmdb): skipped\n")
        else:
            plan.append(("lmdb", lambda d: bench_lmdb(d, rows, order, one_txn=False)))
            if not args.no_bulk:
                plan.append(("lmdb (one txn)", lambda d: bench_lmdb(d, rows, order, one_txn=True)))

    base = args.dir or tempfile.gettempdir()
    os.makedirs(base, exist_ok=True)
    results: List[Tuple[str, Result]] = []
    for name, run in plan:
        runs: List[Result] = []
        for attempt in range(args.repeat):
            work = tempfile.mkdtemp(prefix="toonstore-bench-", dir=base)
            try:
                print(f"running {name} ({attempt + 1}/{args.repeat}) ...", file=sys.stderr, flush=True)
                runs.append(run(work))
            finally:
                shutil.rmtree(work, ignore_errors=True)
        results.append((name, {op: statistics.median(r[op] for r in runs) for op in ("put", "get", "scan")}))

    def fmt(v: Optional[float]) -> str:
        return "-" if v is None else f"{v:,.0f}"

    print("| database | put ops/s | get ops/s (random) | scan rows/s |")
    print("|---|---:|---:|---:|")
    for name, r in results:
        print(f"| {name} | {fmt(r['put'])} | {fmt(r['get'])} | {fmt(r['scan'])} |")
    print()

    ts = dict(results).get("toonstore")
    if ts:
        peers = [(name, r) for name, r in results if not name.startswith("toonstore")]
        for op, target in [("put", 1_000_000), ("get", 1_500_000)]:
            verdict = "met" if (ts[op] or 0) >= target else "MISSED"
            ahead = all((ts[op] or 0) > (r[op] or 0) for _, r in peers)
            versus = ""
            if peers:
                versus = f"; {'ahead of' if ahead else 'NOT ahead of'} every peer row above"
            print(f"{op}: {fmt(ts[op])} ops/s, target {target:,}: {verdict}{versus}")
        if n < 1_000_000:
            print(f"(the targets are for 1,000,000 rows; this run had {n:,}, where start-up costs weigh more)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
