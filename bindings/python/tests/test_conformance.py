"""The Python runner of the shared conformance vectors.

Every case of every ``tests/conformance/*.json`` file of the repository (or of
``$TOONSTORE_CONFORMANCE_DIR``) is one pytest test; the format is
``tests/conformance/README.md``. When ``$TOONSTORE_CONFORMANCE_REPORT`` is
set, each case appends its PASS/FAIL/SKIP line there (scripts/conformance.sh
counts them).
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

from toonstore import ToonStore, ToonStoreError

Outcome = Tuple[Any, ...]

# ---------------------------------------------------------------------------
# The one place where this runner maps the vectors' language-neutral outcomes
# and capabilities onto the Python API (README: "how each runner maps them").
# ---------------------------------------------------------------------------

#: Capabilities (a case's ``requires``) the Python API cannot express.
UNSUPPORTED: Dict[str, str] = {
    "options_version": "ToonStore.open has no options version (only the C options struct does)",
    "readers_outlive_close": "by the binding's documented design (docs/python, ClosedError) the "
    "iterators and snapshots of a closed handle raise ClosedError, unlike the C and Rust APIs",
}

#: Capabilities this runner supports; a case requiring any other is skipped.
SUPPORTED = {"use_after_close", "negative_ids"}

#: Ops of the vector format this binding lacks (none).
UNSUPPORTED_OPS: Dict[str, str] = {}

#: ``"invalid_id"``: by the binding's documented design (docs/python, "get"),
#: an int that no row can have (negative) names no row: get gives None,
#: ``in`` gives False, and delete (also in a batch) raises NotFoundError.
INVALID_ID: Dict[str, Outcome] = {
    "get": ("absent",),
    "contains": ("bool", False),
    "delete": ("error", "TOONSTORE_ERR_NOT_FOUND"),
    "batch": ("error", "TOONSTORE_ERR_NOT_FOUND"),
}

#: The C names of the codes every ToonStoreError carries (``code``).
ERROR_NAMES: Dict[int, str] = {
    -1: "TOONSTORE_ERR_INVALID_ARG",
    -2: "TOONSTORE_ERR_NOT_FOUND",
    -3: "TOONSTORE_ERR_IO",
    -4: "TOONSTORE_ERR_CORRUPT",
    -5: "TOONSTORE_ERR_LOCKED",
    -6: "TOONSTORE_ERR_TOO_LARGE",
    -7: "TOONSTORE_ERR_READ_ONLY",
    -8: "TOONSTORE_ERR_VERSION",
    -9: "TOONSTORE_ERR_NOMEM",
    -10: "TOONSTORE_ERR_INTERNAL",
    -11: "TOONSTORE_ERR_CLOSED",
    -12: "TOONSTORE_ERR_BUFFER_TOO_SMALL",
    -13: "TOONSTORE_ERR_POISONED",
    -14: "TOONSTORE_ERR_FORKED",
}


def error_outcome(exc: BaseException) -> Outcome:
    if isinstance(exc, ToonStoreError):
        return ("error", ERROR_NAMES.get(exc.code, f"TOONSTORE_ERR_UNKNOWN({exc.code})"))
    # Not an engine error (TypeError, ...): never what a vector expects.
    return ("exception", f"{type(exc).__name__}: {exc}")


def from_get(value: Optional[bytes]) -> Outcome:
    """``get`` of a missing row returns None in Python: "absent"."""
    return ("absent",) if value is None else ("value", bytes(value))


# ---------------------------------------------------------------------------
# Reading the vectors
# ---------------------------------------------------------------------------


class VectorError(Exception):
    """A broken vector (or a step this runner does not understand)."""


def vector_dir() -> Path:
    env = os.environ.get("TOONSTORE_CONFORMANCE_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "tests" / "conformance"


def bytes_of(v: Any) -> bytes:
    if isinstance(v, dict) and len(v) == 1:
        text, digits = v.get("utf8"), v.get("hex")
        if isinstance(text, str):
            return text.encode("utf-8")
        if isinstance(digits, str):
            try:
                return bytes.fromhex(digits)
            except ValueError as e:
                raise VectorError(f"bad hex {digits!r}") from e
    raise VectorError(f"bytes must be {{'hex': ..}} or {{'utf8': ..}}, got {v!r}")


def id_of(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise VectorError(f"an id must be an integer, got {v!r}")
    return v


def row_of(v: Any) -> Tuple[int, bytes]:
    if not (isinstance(v, list) and len(v) == 2):
        raise VectorError(f"a row must be [id, bytes], got {v!r}")
    return (id_of(v[0]), bytes_of(v[1]))


def expected(v: Any) -> Outcome:
    if isinstance(v, str):
        if v in ("ok", "absent", "end", "invalid_id"):
            return (v,)
        raise VectorError(f"unknown expect {v!r}")
    if not (isinstance(v, dict) and len(v) == 1):
        raise VectorError(f"expect must be a string or a one-key object, got {v!r}")
    ((key, val),) = v.items()
    if key in ("id", "count"):
        return (key, id_of(val))
    if key == "value":
        return ("value", bytes_of(val))
    if key == "bool" and isinstance(val, bool):
        return ("bool", val)
    if key == "rows" and isinstance(val, list):
        return ("rows", [row_of(r) for r in val])
    if key == "row":
        return ("row", row_of(val))
    if key == "ids" and isinstance(val, list):
        return ("ids", [id_of(i) for i in val])
    if key == "error" and isinstance(val, str) and val.startswith("TOONSTORE_ERR_"):
        return ("error", val)
    raise VectorError(f"bad expect {v!r}")


def load_cases() -> List[Tuple[str, Dict[str, Any]]]:
    folder = vector_dir()
    cases = []
    for path in sorted(p for p in folder.glob("*.json") if p.is_file()):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for case in doc["cases"]:
            cases.append((f"{path.stem}/{case['name']}", case))
    return cases


# ---------------------------------------------------------------------------
# Executing a case
# ---------------------------------------------------------------------------

# The child process of ``hold_lock``: this interpreter, opening the database.
HOLD_LOCK_CHILD = """
import sys, toonstore
try:
    db = toonstore.ToonStore.open(sys.argv[1])
except toonstore.ToonStoreError as e:
    print("error", e.code, e, flush=True)
    sys.exit(1)
print("ready", flush=True)
sys.stdin.read()
db.close()
"""


class Run:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.db: Optional[ToonStore] = None  # kept after close (use_after_close)
        self.open = False
        self.iters: Dict[str, Any] = {}
        self.snapshots: Dict[str, Any] = {}
        self.child: Optional["subprocess.Popen[str]"] = None

    def handle(self) -> ToonStore:
        if self.db is None:
            raise VectorError("the vector uses the handle before any open")
        return self.db

    def snapshot(self, step: Dict[str, Any]) -> Any:
        name = arg(step, "snapshot")
        if name not in self.snapshots:
            raise VectorError(f"no snapshot {name!r}")
        return self.snapshots[name]

    def stop_child(self) -> Optional[int]:
        child, self.child = self.child, None
        if child is None:
            return None
        assert child.stdin is not None
        child.stdin.close()
        code = child.wait(timeout=60)
        if child.stdout is not None:
            child.stdout.close()
        return code

    def finish(self) -> None:
        self.iters.clear()
        for snap in self.snapshots.values():
            snap.release()
        self.snapshots.clear()
        if self.db is not None and self.open:
            self.db.close()
        self.stop_child()

    def step(self, op: str, step: Dict[str, Any]) -> Outcome:
        """Runs one step and returns its outcome (errors included)."""
        try:
            return self.do(op, step)
        except VectorError:
            raise
        except Exception as exc:  # every error of the binding is an outcome
            return error_outcome(exc)

    def do(self, op: str, step: Dict[str, Any]) -> Outcome:
        if op == "open":
            if self.open:
                raise VectorError("open while the handle is open")
            kwargs: Dict[str, Any] = {}
            for key, val in (step.get("options") or {}).items():
                if key not in ("read_only", "create_if_missing", "max_value_size"):
                    raise VectorError(f"unknown option {key!r}")
                kwargs[key] = val
            self.db = ToonStore.open(self.path, **kwargs)
            self.open = True
            return ("ok",)
        if op == "close":
            db = self.handle()
            self.open = False
            db.close()
            return ("ok",)
        if op == "put":
            return ("id", self.handle().put(bytes_of(arg(step, "value"))))
        if op == "get":
            return from_get(self.handle().get(id_of(arg(step, "id"))))
        if op == "contains":
            return ("bool", id_of(arg(step, "id")) in self.handle())
        if op == "delete":
            self.handle().delete(id_of(arg(step, "id")))
            return ("ok",)
        if op == "count":
            return ("count", len(self.handle()))
        if op == "scan":
            return ("rows", [(i, bytes(b)) for i, b in self.handle().scan(start_of(step))])
        if op == "scan_range":
            return range_rows(self.handle().scan, step)
        if op == "iter_open":
            self.iters[arg(step, "iter")] = self.handle().scan(start_of(step))
            return ("ok",)
        if op == "iter_next":
            name = arg(step, "iter")
            if name not in self.iters:
                raise VectorError(f"no iterator {name!r}")
            row = next(self.iters[name], None)
            return ("end",) if row is None else ("row", (row[0], bytes(row[1])))
        if op == "iter_close":
            if self.iters.pop(arg(step, "iter"), None) is None:
                raise VectorError("iter_close of an unknown iterator")
            return ("ok",)
        if op == "batch":
            batch = self.handle().batch()
            for item in arg(step, "ops"):
                if "put" in item:
                    batch.put(bytes_of(item["put"]))
                elif "delete" in item:
                    batch.delete(id_of(item["delete"]))
                else:
                    raise VectorError(f"unknown batch op {item!r}")
            return ("ids", list(batch.commit()))
        if op == "snapshot_open":
            self.snapshots[arg(step, "snapshot")] = self.handle().snapshot()
            return ("ok",)
        if op == "snapshot_get":
            return from_get(self.snapshot(step).get(id_of(arg(step, "id"))))
        if op == "snapshot_scan":
            rows = self.snapshot(step).scan(start_of(step))
            return ("rows", [(i, bytes(b)) for i, b in rows])
        if op == "snapshot_scan_range":
            return range_rows(self.snapshot(step).scan, step)
        if op == "snapshot_close":
            self.snapshot(step).release()
            del self.snapshots[arg(step, "snapshot")]
            return ("ok",)
        if op == "compact":
            self.handle().compact()
            return ("ok",)
        if op == "sync":
            self.handle().sync()
            return ("ok",)
        if op == "hold_lock":
            if self.child is not None:
                raise VectorError("hold_lock while a child already holds it")
            self.child = subprocess.Popen(
                [sys.executable, "-c", HOLD_LOCK_CHILD, str(self.path)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            assert self.child.stdout is not None
            line = self.child.stdout.readline().strip()
            if line != "ready":
                self.stop_child()
                raise VectorError(f"the lock-holding child said {line!r}")
            return ("ok",)
        if op == "release_lock":
            if self.child is None:
                raise VectorError("release_lock without hold_lock")
            code = self.stop_child()
            if code != 0:
                raise VectorError(f"the lock-holding child exited with {code}")
            return ("ok",)
        raise VectorError(f"unknown op {op!r}")


def arg(step: Dict[str, Any], key: str) -> Any:
    if key not in step:
        raise VectorError(f"missing argument {key!r}")
    return step[key]


def range_rows(scan, step):
    """scan_range / snapshot_scan_range: `scan(start, stop, reverse)`, at most
    `limit` rows read (itertools.islice), then the scan is closed."""
    stop = step.get("stop")
    reverse = step.get("reverse", False)
    limit = step.get("limit")
    if stop is not None and not isinstance(stop, int):
        raise VectorError("stop must be an integer")
    if not isinstance(reverse, bool):
        raise VectorError("reverse must be a bool")
    if limit is not None and (not isinstance(limit, int) or limit < 0):
        raise VectorError("limit must be an integer >= 0")
    with scan(start_of(step), stop, reverse) as rows:
        return ("rows", [(i, bytes(b)) for i, b in itertools.islice(rows, limit)])


def start_of(step: Dict[str, Any]) -> int:
    return id_of(step.get("start", 0))


def show(o: Outcome) -> str:
    def b(x: bytes) -> str:
        return "hex:" + x.hex()

    kind = o[0]
    if kind == "value":
        return f"value {b(o[1])}"
    if kind == "rows":
        return "rows [" + ", ".join(f"{i}: {b(x)}" for i, x in o[1]) + "]"
    if kind == "row":
        return f"row {o[1][0]}: {b(o[1][1])}"
    return " ".join(str(x) for x in o)


def skip_reason(case: Dict[str, Any]) -> Optional[str]:
    for need in case.get("requires", []):
        if need in UNSUPPORTED:
            return f"requires {need}: {UNSUPPORTED[need]}"
        if need not in SUPPORTED:
            return f"requires {need}, a capability this runner does not know"
    for step in case["steps"]:
        if step.get("op") in UNSUPPORTED_OPS:
            return f"op {step['op']}: {UNSUPPORTED_OPS[step['op']]}"
    return None


def run_case(case: Dict[str, Any], tmp: Path) -> Tuple[str, str]:
    """("PASS", ""), ("FAIL", why) or ("SKIP", why)."""
    why = skip_reason(case)
    if why:
        return ("SKIP", why)
    run = Run(tmp / "db")
    try:
        for i, step in enumerate(case["steps"]):
            op = step.get("op", "?")
            try:
                if "expect" not in step:
                    raise VectorError("no expect")
                want = expected(step["expect"])
                if want == ("invalid_id",):
                    if op not in INVALID_ID:
                        raise VectorError(f"invalid_id is not an outcome of {op}")
                    want = INVALID_ID[op]
                got = run.step(op, step)
            except VectorError as e:
                return ("FAIL", f"step {i} ({op}): bad vector or runner error: {e}")
            if got != want:
                return ("FAIL", f"step {i} ({op}): expected {show(want)}, got {show(got)}")
        return ("PASS", "")
    finally:
        run.finish()


CASES = load_cases()


def report(line: str) -> None:
    path = os.environ.get("TOONSTORE_CONFORMANCE_REPORT")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(line + "\n")


def test_vectors_are_present() -> None:
    assert CASES, f"no conformance vectors in {vector_dir()}"


@pytest.mark.parametrize("case_id,case", CASES, ids=[c[0] for c in CASES])
def test_conformance(case_id: str, case: Dict[str, Any], tmp_path: Path) -> None:
    verdict, why = run_case(case, tmp_path)
    report(f"{verdict} {case_id}" + (f": {why}" if why else ""))
    if verdict == "SKIP":
        pytest.skip(why)
    assert verdict == "PASS", f"{case_id}: {why}"

