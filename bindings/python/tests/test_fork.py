"""os.fork() with an open database (multiprocessing's default on Linux)."""

import os
import sys

import pytest

from conftest import run_python

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

FORK_SCRIPT = r'''
import gc, os, sys
from toonstore import ToonStore, ClosedError, LockedError

path = sys.argv[1]
db = ToonStore.open(path, segment_size=1 << 20)
ids = [db.put(b"parent %d" % i) for i in range(1000)]
it = db.scan()
next(it)
snap = db.snapshot()

pid = os.fork()
if pid == 0:
    code = 0
    try:
        try:
            db.get(ids[0])
            code = 10
        except ClosedError as e:
            if "fork" not in str(e):
                code = 11
        if not db.closed:
            code = 12
        try:
            next(it)
            code = 13
        except ClosedError:
            pass
        try:
            snap.get(ids[0])
            code = 14
        except ClosedError:
            pass
        try:
            ToonStore.open(path)  # the parent holds the lock
            code = 15
        except LockedError:
            pass
        # Closing and dropping what the child inherited must leave the
        # parent's files alone.
        db.close()
        del db, it, snap
        gc.collect()
    except BaseException as e:
        print("child:", repr(e), file=sys.stderr)
        code = 20
    os._exit(code)

_, status = os.waitpid(pid, 0)
assert os.WIFEXITED(status), status
assert os.WEXITSTATUS(status) == 0, "child check %d failed" % os.WEXITSTATUS(status)

# The parent's handle, scan and snapshot are untouched: write on across
# several segment rolls (a truncated segment would crash with SIGBUS).
more = [db.put(b"after fork %d " % i + b"x" * 200) for i in range(20000)]
assert db.get(ids[0]) == b"parent 0"
assert next(it)[0] == ids[1]
assert snap.get(ids[5]) == b"parent 5"
db.close()
with ToonStore.open(path) as again:
    assert len(again) == 21000
    assert again.get(more[-1]) == b"after fork 19999 " + b"x" * 200
print("ok")
'''

CHILD_OPENS = r'''
import os, sys
from toonstore import ToonStore

path = sys.argv[1]
pid = os.fork()
if pid == 0:
    # Nothing open before the fork: the child uses the database normally.
    with ToonStore.open(path) as db:
        db.put(b"from the child")
    os._exit(0)
_, status = os.waitpid(pid, 0)
assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
with ToonStore.open(path) as db:
    assert [d for _, d in db.scan()] == [b"from the child"]
print("ok")
'''


def test_handles_inherited_through_fork_are_refused_and_left_alone(db_path):
    result = run_python(FORK_SCRIPT, str(db_path), timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "ok"


def test_child_can_open_the_database_itself(db_path):
    result = run_python(CHILD_OPENS, str(db_path), timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
