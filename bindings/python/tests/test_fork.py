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


POOL_SCRIPT = r'''
import multiprocessing as mp
import os, sys
from toonstore import ToonStore, ForkedError, ClosedError, ERROR_CODES

path = sys.argv[1]
DB = ToonStore.open(path)
FIRST = DB.put(b"from the parent")


def use_inherited(_):
    """In a pool worker: the inherited handle refuses with TOONSTORE_ERR_FORKED."""
    try:
        DB.get(FIRST)
    except ForkedError as e:
        assert isinstance(e, ClosedError)
        return (e.code, str(e))
    return (0, "no error")


def idle(_):
    return os.getpid()


ctx = mp.get_context("fork")
with ctx.Pool(2) as pool:
    code, message = pool.map(use_inherited, [0])[0]
    assert code == ERROR_CODES["Forked"] == -14, (code, message)
    assert "fork" in message, message
    pool.map(idle, range(4))
    # The workers live on, idle. They hold no lock: the parent closes and
    # reopens the database while they exist (it used to get LockedError).
    DB.close()
    again = ToonStore.open(path)
    assert again.get(FIRST) == b"from the parent"
    again.put(b"after the pool")
    again.close()
    assert all(p.is_alive() for p in mp.active_children())
print("ok")
'''


def test_multiprocessing_fork_pool_workers_hold_no_lock(db_path):
    result = run_python(POOL_SCRIPT, str(db_path), timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "ok"
