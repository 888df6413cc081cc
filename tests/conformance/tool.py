#!/usr/bin/env python3
"""Helper of scripts/conformance.sh (Python standard library only).

    tool.py tally DIR REPORT BINDING [MUTATIONS]
        Counts a runner's report (PASS/FAIL/SKIP lines, tests/conformance/README.md)
        against the cases of the vector folder DIR. Prints the skips, every
        problem, and then exactly one summary line
        "<BINDING>: N passed, M failed". A case with no line, with two lines,
        or a line naming no case counts as failed. With MUTATIONS (the file
        `mutate` wrote) it checks the self-check instead: every case that was
        not skipped must FAIL at exactly the altered step; such a case counts
        as "passed" (the runner caught the alteration), anything else as failed.
        Exit status 0 when M is 0.

    tool.py mutate SRC DST MUTATIONS
        Writes altered copies of the cases of SRC into DST (see mutate())
        and "case<TAB>step" lines, the altered step of each, to MUTATIONS.
"""

from __future__ import annotations

import copy
import json
import re
import sys
import zlib
from pathlib import Path
from typing import Any, Dict, List, Tuple


def load(dir_: Path) -> List[Tuple[Path, Dict[str, Any]]]:
    files = sorted(p for p in dir_.glob("*.json") if p.is_file())
    if not files:
        raise SystemExit(f"conformance: no *.json vector files in {dir_}")
    return [(p, json.loads(p.read_text(encoding="utf-8"))) for p in files]


def case_ids(dir_: Path) -> List[str]:
    return [f"{p.stem}/{c['name']}" for p, doc in load(dir_) for c in doc["cases"]]


# ---------------------------------------------------------------------------
# tally
# ---------------------------------------------------------------------------

LINE = re.compile(r"^(PASS|FAIL|SKIP) ([^\s:]+/[^\s:]+)(?:: (.*))?$")
STEP = re.compile(r"^step (\d+)\b")


def tally(dir_: Path, report: Path, binding: str, mutations: Path | None) -> int:
    expected = case_ids(dir_)
    known = set(expected)
    seen: Dict[str, Tuple[str, str]] = {}
    problems: List[str] = []
    skips: List[str] = []
    lines = report.read_text(encoding="utf-8", errors="replace").splitlines() if report.exists() else []
    for line in lines:
        m = LINE.match(line.strip())
        if not m:
            if line.strip():
                problems.append(f"unreadable report line {line!r}")
            continue
        verdict, case, detail = m.group(1), m.group(2), m.group(3) or ""
        if case not in known:
            problems.append(f"{case}: reported but not a case of {dir_}")
            continue
        if case in seen:
            problems.append(f"{case}: reported twice")
            seen[case] = ("FAIL", "reported twice")
            continue
        seen[case] = (verdict, detail)

    altered: Dict[str, int] = {}
    if mutations is not None:
        for row in mutations.read_text(encoding="utf-8").splitlines():
            case, step = row.split("\t")
            altered[case] = int(step)

    passed = failed = 0
    for case in expected:
        verdict, detail = seen.get(case, ("MISSING", ""))
        if verdict == "SKIP":
            skips.append(f"{binding}: skipped {case}: {detail}")
            continue
        if mutations is None:
            if verdict == "PASS":
                passed += 1
            else:
                failed += 1
                problems.append(f"{case}: {'no result reported' if verdict == 'MISSING' else detail}")
            continue
        # Self-check: the runner must fail the case at the altered step.
        want = altered.get(case)
        step = STEP.match(detail)
        if verdict == "FAIL" and want is not None and step and int(step.group(1)) == want:
            passed += 1
        else:
            failed += 1
            if verdict == "PASS":
                problems.append(f"{case}: PASSED although step {want} was altered")
            elif verdict == "MISSING":
                problems.append(f"{case}: no result reported")
            else:
                problems.append(f"{case}: expected a failure at step {want}, got: {detail}")

    for s in skips:
        print(s)
    for p in problems:
        print(f"{binding}: {'SELF-CHECK ' if mutations else ''}FAIL {p}")
    if mutations is None:
        print(f"{binding}: {passed} passed, {failed} failed")
    else:
        print(f"{binding}: self-check: {passed} altered cases caught, {failed} missed")
    return 0 if failed == 0 else 1


# ---------------------------------------------------------------------------
# mutate
# ---------------------------------------------------------------------------


def other_bytes(b: Dict[str, str]) -> Dict[str, str]:
    if "hex" in b:
        return {"hex": b["hex"] + "00"}
    return {"hex": b["utf8"].encode("utf-8").hex() + "00"}


def altered(expect: Any) -> Any:
    """An expectation that no correct runner can meet where `expect` was met."""
    if isinstance(expect, str):
        return {
            "ok": {"error": "TOONSTORE_ERR_CORRUPT"},
            "absent": {"value": {"hex": "00"}},
            "end": {"row": [0, {"hex": ""}]},
            "invalid_id": {"error": "TOONSTORE_ERR_CORRUPT"},
        }[expect]
    (key, val), = expect.items()
    if key in ("id", "count"):
        return {key: val + 1}
    if key == "value":
        return {"value": other_bytes(val)}
    if key == "bool":
        return {"bool": not val}
    if key == "rows":
        return {"rows": val[:-1] if val else [[0, {"hex": ""}]]}
    if key == "row":
        return {"row": [val[0] + 1, val[1]]}
    if key == "ids":
        return {"ids": val[:-1] if val else [0]}
    if key == "error":
        return {"error": "TOONSTORE_ERR_IO" if val == "TOONSTORE_ERR_CORRUPT" else "TOONSTORE_ERR_CORRUPT"}
    raise SystemExit(f"conformance: cannot alter expect {expect!r}")


def expect_kind(step: Dict[str, Any]) -> Tuple[str, str]:
    """(op, kind of expect): what a runner's comparison must handle."""
    e = step["expect"]
    kind = e if isinstance(e, str) else next(iter(e))
    if kind == "error":
        kind = "error " + e["error"]
    return (step["op"], kind)


def mutate(src: Path, dst: Path, mutations: Path) -> int:
    """Writes derived cases "<case>~<i>" into DST: the steps of <case> up to
    and including step i, with step i's expectation altered. For every case,
    i is (1) its last step and (2) a step chosen by a CRC of the case id;
    then (3), for every (op, outcome kind) pair of the vectors that (1) and
    (2) left unaltered, i is the first step holding that pair. So every
    (op, outcome kind) pair is altered at least once, and the whole
    self-check is one run of each runner."""
    dst.mkdir(parents=True, exist_ok=True)
    vectors = load(src)
    chosen: Dict[Tuple[str, str], List[int]] = {}
    done = set()
    for path, doc in vectors:
        for case in doc["cases"]:
            steps = case["steps"]
            if steps:
                cid = f"{path.stem}/{case['name']}"
                picks = {len(steps) - 1, zlib.crc32(cid.encode("utf-8")) % len(steps)}
                chosen[(path.stem, case["name"])] = sorted(picks)
                done.update(expect_kind(steps[i]) for i in picks)
    for path, doc in vectors:
        for case in doc["cases"]:
            for i, step in enumerate(case["steps"]):
                if expect_kind(step) not in done:
                    done.add(expect_kind(step))
                    key = (path.stem, case["name"])
                    chosen[key] = sorted(set(chosen[key]) | {i})
    rows = []
    for path, doc in vectors:
        derived = []
        for case in doc["cases"]:
            for i in chosen.get((path.stem, case["name"]), []):
                part = copy.deepcopy(case)
                part["name"] = f"{case['name']}~{i}"
                part["steps"] = part["steps"][: i + 1]
                part["steps"][i]["expect"] = altered(part["steps"][i]["expect"])
                derived.append(part)
                rows.append(f"{path.stem}/{part['name']}\t{i}")
        out = dict(doc, cases=derived)
        (dst / path.name).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    mutations.write_text("".join(r + "\n" for r in rows), encoding="utf-8")
    return 0


def main(argv: List[str]) -> int:
    if len(argv) in (5, 6) and argv[1] == "tally":
        return tally(Path(argv[2]), Path(argv[3]), argv[4], Path(argv[5]) if len(argv) > 5 else None)
    if len(argv) == 5 and argv[1] == "mutate":
        return mutate(Path(argv[2]), Path(argv[3]), Path(argv[4]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
