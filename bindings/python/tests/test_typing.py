"""The .pyi stubs describe the real API, as mypy --strict sees it."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("mypy")

GOOD = """
import itertools
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union

import toonstore
from toonstore import Batch, Scan, Snapshot, Stats, ToonStore


def use(path: Path) -> None:
    db: ToonStore = ToonStore.open(path, durability="full", read_only=False,
                                   create_if_missing=True, verify_checksums=True,
                                   max_value_size=1 << 20, segment_size=1 << 26,
                                   sync_interval=0.5)
    row_id: int = db.put(b"users[1]{id,name}: 1,Alice")
    db.put(bytearray(b"x"))
    db.put(memoryview(b"x"))
    db.put("text", durability="off")
    data: Optional[bytes] = db.get(row_id)
    other: Union[bytes, str] = db.get(row_id, "missing")
    must: bytes = db[row_id]
    present: bool = row_id in db
    count: int = len(db)
    for rid, value in db.scan(start=0):
        print(rid + 1, value.decode())
    rows: List[Tuple[int, bytes]] = list(db)
    scan: Scan = db.scan()
    # Bounded and reverse scans; the last rows, newest first (issue 22).
    window: List[Tuple[int, bytes]] = list(db.scan(start=10, stop=20, reverse=True))
    newest: List[Tuple[int, bytes]] = list(itertools.islice(reversed(db), 3))
    last_ids: List[int] = list(itertools.islice(db.keys(reverse=True), 3))
    some: List[bytes] = list(db.values(0, 5))
    pairs: List[Tuple[int, bytes]] = list(db.items(stop=5, reverse=True))
    with db.batch() as b:
        b.put(b"a")
        b.delete(row_id)
    ids: List[int] = b.ids
    batch: Batch = db.batch()
    committed: List[int] = batch.commit()
    snap: Snapshot = db.snapshot()
    end: int = snap.end_id
    old: Optional[bytes] = snap.get(row_id)
    view: Optional[memoryview] = snap.get(row_id, buffer=True)
    view_or: Union[memoryview, int] = snap.get(row_id, 0, buffer=True)
    flag: bool = len(rows) > 3
    either: Union[bytes, memoryview, None] = snap.get(row_id, buffer=flag)
    snap_rows: List[Tuple[int, bytes]] = list(snap.scan(0, 10, True)) + list(reversed(snap))
    stats: Stats = db.stats()
    live: int = stats.live_rows
    frac: float = stats.garbage_fraction
    d: toonstore.StatsDict = stats.as_dict()  # a TypedDict (issue 22)
    live_d: int = d["live_rows"]
    frac_d: float = d["garbage_fraction"]
    db.sync()
    db.compact()
    p: Path = db.path
    closed: bool = db.closed
    version: str = toonstore.__version__
    try:
        db.delete(row_id)
    except toonstore.NotFoundError as e:
        code: int = e.code
        message: str = e.message
    except toonstore.ToonStoreError:
        pass
    db.close()
    with toonstore.open(str(path)) as db2:
        db2.put(b"data")
"""

BAD = {
    "put an int": "db.put(123)",
    "get with a str id": "db.get('1')",
    "get result used as bytes": "x: bytes = db.get(1)",
    "unknown durability": "toonstore.ToonStore.open('p', durability='sometimes')",
    "unknown method": "db.fetch(1)",
    "buffer given an int": "db.snapshot().get(1, buffer=1)",
    "reverse given a str": "db.scan(reverse='yes')",
}


def run_mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess:
    file = tmp_path / "usage.py"
    file.write_text(source)
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental",
         "--cache-dir", str(tmp_path / ".mypy_cache"), str(file)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )


def test_mypy_strict_accepts_typical_usage(tmp_path):
    result = run_mypy(tmp_path, GOOD)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("line", list(BAD.values()), ids=list(BAD))
def test_mypy_rejects_misuse(tmp_path, line):
    source = "import toonstore\ndb = toonstore.ToonStore.open('p')\n" + line + "\n"
    result = run_mypy(tmp_path, source)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "error:" in result.stdout


def test_stubs_list_what_the_module_has():
    import toonstore

    stub = (Path(toonstore.__file__).parent / "__init__.pyi").read_text()
    for name in toonstore.__all__:
        assert name in stub, name
    assert (Path(toonstore.__file__).parent / "py.typed").exists()
    for cls in [toonstore.ToonStore, toonstore.Batch, toonstore.Snapshot, toonstore.Stats]:
        for attr in dir(cls):
            if not attr.startswith("_"):
                assert f" {attr}" in stub, f"{cls.__name__}.{attr} missing from the stub"


def test_stubs_match_the_runtime_module(tmp_path):
    """mypy's stubtest: every name, signature and class in the .pyi is real."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "toonstore"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
