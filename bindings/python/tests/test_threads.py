"""One handle shared by several Python threads."""

import threading
import time

import toonstore
from toonstore import ToonStore


def run_threads(target, n):
    errors = []

    def wrapper(k):
        try:
            target(k)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=wrapper, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
        assert not t.is_alive()
    assert errors == []


def test_concurrent_puts_and_gets(db):
    per_thread = 2000
    results = {}

    def worker(k):
        mine = []
        for i in range(per_thread):
            value = b"t%d-%d" % (k, i)
            row_id = db.put(value)
            mine.append((row_id, value))
            if i % 7 == 0:
                assert db.get(row_id) == value
        results[k] = mine

    run_threads(worker, 4)
    all_rows = [r for rows in results.values() for r in rows]
    ids = [r for r, _ in all_rows]
    assert len(set(ids)) == 4 * per_thread  # no id handed out twice
    for rows in results.values():
        assert [r for r, _ in rows] == sorted(r for r, _ in rows)
    assert dict(db.scan()) == dict(all_rows)


def test_readers_scanners_and_writers_together(db):
    base = [db.put(b"base %d" % i) for i in range(500)]
    stop = threading.Event()

    def reader(k):
        while not stop.is_set():
            for i in base[k::4]:
                assert db.get(i) == b"base %d" % base.index(i)

    def scanner(_):
        while not stop.is_set():
            rows = [r for r, _ in db.scan()]
            assert rows == sorted(rows)
            assert set(base) <= set(rows)

    def writer(_):
        for i in range(3000):
            row = db.put(b"w%d" % i)
            if i % 2:
                db.delete(row)
        with db.batch() as b:
            for i in range(100):
                b.put(b"batch %d" % i)
        db.sync()

    readers = [threading.Thread(target=reader, args=(k,)) for k in range(2)]
    scanners = [threading.Thread(target=scanner, args=(0,))]
    for t in readers + scanners:
        t.start()
    try:
        run_threads(writer, 2)
    finally:
        stop.set()
        for t in readers + scanners:
            t.join(timeout=60)
    assert len(db) == 500 + 2 * 1500 + 2 * 100


def test_durable_puts_from_threads(db_path):
    with ToonStore.open(db_path, durability="full") as db:
        def worker(k):
            for i in range(50):
                db.put(b"%d:%d" % (k, i))

        run_threads(worker, 4)
        assert len(db) == 200


def test_close_while_other_threads_work(db_path):
    """Threads racing close() get rows or ClosedError, never a crash."""
    db = ToonStore.open(db_path)
    for i in range(100):
        db.put(b"%d" % i)
    started = threading.Barrier(5)
    outcomes = []

    def worker(k):
        started.wait()
        deadline = time.monotonic() + 60
        i = 0
        try:
            while time.monotonic() < deadline:
                i += 1
                if k % 2:
                    db.put(b"x")
                else:
                    db.get(i % 100)
                    if i % 100 == 0:
                        list(db.scan())
                        db.sync()
            outcomes.append("not closed after 60 s")
        except toonstore.ClosedError:
            outcomes.append("closed")
        except BaseException as e:  # noqa: BLE001 - reported below
            outcomes.append(repr(e))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    started.wait()
    time.sleep(0.05)
    db.close()
    for t in threads:
        t.join(timeout=60)
        assert not t.is_alive()
    assert outcomes == ["closed"] * 4
    with ToonStore.open(db_path) as again:
        assert len(again) >= 100


def other_threads_ran_during(call, tries=200):
    """Whether a pure-Python thread got to run while `call()` was running.

    With a huge switch interval the interpreter never takes the GIL away
    from a thread; the spinner can only run while the calling thread has
    released it itself, that is, inside `call` if `call` releases the GIL.
    """
    import sys

    counter = [0]
    stop = threading.Event()

    def spinner():
        while not stop.is_set():
            counter[0] += 1
            time.sleep(0.0002)  # releases the GIL so the main thread can go on

    old = sys.getswitchinterval()
    sys.setswitchinterval(100.0)
    t = threading.Thread(target=spinner)
    t.start()
    try:
        for _ in range(tries):
            before = counter[0]
            call()
            if counter[0] != before:
                return True
        return False
    finally:
        stop.set()
        sys.setswitchinterval(old)
        t.join(timeout=60)


def test_gil_released_while_waiting_on_the_disk(db_path):
    with ToonStore.open(db_path, durability="full") as db:
        payload = b"p" * 65536

        def sync():
            db.put(payload, durability="off")
            db.sync()

        def durable_put():
            db.put(payload)

        def batch_commit():
            with db.batch() as b:
                b.put(payload)

        # The harness tells the two cases apart: stats() keeps the GIL.
        assert not other_threads_ran_during(db.stats, tries=50)
        assert other_threads_ran_during(sync)
        assert other_threads_ran_during(durable_put)
        assert other_threads_ran_during(batch_commit)
        assert other_threads_ran_during(db.compact)
