import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

import toonstore
from toonstore import ToonStore


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "db"


@pytest.fixture
def db(db_path: Path) -> Iterator[ToonStore]:
    store = ToonStore.open(db_path)
    yield store
    store.close()


def run_python(code: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Runs `code` in a fresh interpreter (the one running the tests)."""
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


def segment_files(path: Path) -> list:
    """The files of a database directory, largest first (the data files)."""
    files = [p for p in path.rglob("*") if p.is_file()]
    return sorted(files, key=lambda p: p.stat().st_size, reverse=True)


__all__ = ["toonstore", "run_python", "segment_files"]
