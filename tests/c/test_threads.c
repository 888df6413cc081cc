/*
 * Threads: the last error belongs to the calling thread; one ToonStore* is
 * shared by several threads at once (contract section 2, rules 4 and 1).
 */
#define _XOPEN_SOURCE 700
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"
#include "tests.h"

struct per_thread {
    ToonStore *db;
    pthread_barrier_t *barrier;
    int which;
    /* results, checked by the main thread (ts_fail is not thread-safe) */
    int fresh_null;       /* last_error NULL, code 0 and copy NULL before any failure */
    int own_code_kept;    /* after the other thread failed, still its own code */
    int own_message_kept; /* ... and its own message */
    int second_round_ok;
    char message[256];
};

static void *error_thread(void *arg) {
    struct per_thread *t = arg;
    char *copy = toonstore_last_error_copy();
    t->fresh_null = toonstore_last_error() == NULL && toonstore_last_error_code() == 0 && copy == NULL;
    toonstore_free_string(copy);
    pthread_barrier_wait(t->barrier);

    /* Round 1: thread 0 fails with INVALID_ARG, thread 1 with NOT_FOUND. */
    int expect;
    if (t->which == 0) {
        uint8_t *d;
        size_t l;
        expect = toonstore_get(t->db, -1, &d, &l);
    } else {
        expect = toonstore_delete(t->db, 987654);
    }
    snprintf(t->message, sizeof t->message, "%s", toonstore_last_error() ? toonstore_last_error() : "");
    pthread_barrier_wait(t->barrier); /* both have failed now */
    pthread_barrier_wait(t->barrier); /* and the other thread has looked at its own */
    t->own_code_kept = toonstore_last_error_code() == expect;
    t->own_message_kept = toonstore_last_error() != NULL && strcmp(toonstore_last_error(), t->message) == 0;
    pthread_barrier_wait(t->barrier);

    /* Round 2: swapped roles, and one thread succeeds meanwhile. */
    if (t->which == 1) {
        uint8_t *d;
        size_t l;
        expect = toonstore_get(t->db, -2, &d, &l);
    } else {
        expect = toonstore_last_error_code(); /* unchanged by the successes below */
        int64_t id = ts_put_str(t->db, "thread 0");
        if (id < 0) expect = 12345;
    }
    pthread_barrier_wait(t->barrier);
    t->second_round_ok = toonstore_last_error_code() == expect &&
                         (t->which == 1 ? ts_contains_ci(toonstore_last_error(), "-2")
                                        : strcmp(toonstore_last_error(), t->message) == 0);
    return NULL;
}

void test_threads_last_error_is_per_thread(void) {
    OPEN_FRESH(db, "threads-error");
    /* The main thread's own error, which the threads must not disturb. */
    CHECK_EQ(toonstore_api(77) == NULL, 1);
    char mine[256];
    snprintf(mine, sizeof mine, "%s", toonstore_last_error());

    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, 2);
    struct per_thread t[2];
    pthread_t th[2];
    for (int i = 0; i < 2; i++) {
        memset(&t[i], 0, sizeof t[i]);
        t[i].db = db;
        t[i].barrier = &barrier;
        t[i].which = i;
        REQUIRE(pthread_create(&th[i], NULL, error_thread, &t[i]) == 0);
    }
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    pthread_barrier_destroy(&barrier);

    for (int i = 0; i < 2; i++) {
        CHECK_MSG(t[i].fresh_null, "thread %d: a new thread has no last error", i);
        CHECK_MSG(t[i].own_code_kept, "thread %d: code changed by the other thread", i);
        CHECK_MSG(t[i].own_message_kept, "thread %d: message changed by the other thread", i);
        CHECK_MSG(t[i].second_round_ok, "thread %d: round 2", i);
    }
    CHECK(ts_contains_ci(t[0].message, "-1") && ts_contains_ci(t[0].message, "negative"));
    CHECK(ts_contains_ci(t[1].message, "987654"));
    CHECK_EQ(toonstore_last_error_code(), TOONSTORE_ERR_VERSION);
    CHECK(toonstore_last_error() != NULL && strcmp(toonstore_last_error(), mine) == 0);
    toonstore_close(db);
}

#define WRITERS 4
#define ROWS_EACH 150

struct writer {
    ToonStore *db;
    int which;
    int64_t ids[ROWS_EACH];
    int failures;
    int scanned_ok;
};

static void *writer_thread(void *arg) {
    struct writer *w = arg;
    char buf[64];
    for (int i = 0; i < ROWS_EACH; i++) {
        snprintf(buf, sizeof buf, "writer %d row %d", w->which, i);
        w->ids[i] = ts_put_str(w->db, buf);
        if (w->ids[i] < 0 || (i > 0 && w->ids[i] <= w->ids[i - 1])) w->failures++;
        /* Read back something written earlier by this thread. */
        int j = i / 2;
        uint8_t *data = NULL;
        size_t len = 0;
        snprintf(buf, sizeof buf, "writer %d row %d", w->which, j);
        if (toonstore_get(w->db, w->ids[j], &data, &len) != TOONSTORE_OK || len != strlen(buf) ||
            memcmp(data, buf, len) != 0)
            w->failures++;
        toonstore_free_buffer(data);
        if (i % 50 == 49) {
            /* A scan in this thread while others write: ascending, finite. */
            ToonStoreIter *it = toonstore_scan(w->db);
            int64_t id, prev = -1;
            uint8_t *row;
            size_t rl;
            int ok = it != NULL;
            while (ok && toonstore_iter_next(it, &id, &row, &rl) == 1) {
                if (id <= prev) ok = 0;
                prev = id;
            }
            toonstore_iter_free(it);
            w->scanned_ok += ok;
        }
    }
    return NULL;
}

void test_threads_share_one_handle(void) {
    OPEN_FRESH(db, "threads-shared");
    struct writer w[WRITERS];
    pthread_t th[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].db = db;
        w[i].which = i;
        REQUIRE(pthread_create(&th[i], NULL, writer_thread, &w[i]) == 0);
    }
    for (int i = 0; i < WRITERS; i++) pthread_join(th[i], NULL);
    for (int i = 0; i < WRITERS; i++) {
        CHECK_EQ(w[i].failures, 0);
        CHECK_EQ(w[i].scanned_ok, ROWS_EACH / 50);
    }
    /* Every id distinct, and together exactly 0 .. WRITERS*ROWS_EACH-1. */
    static unsigned char seen[WRITERS * ROWS_EACH];
    memset(seen, 0, sizeof seen);
    int dup_or_out = 0;
    for (int i = 0; i < WRITERS; i++)
        for (int k = 0; k < ROWS_EACH; k++) {
            int64_t id = w[i].ids[k];
            if (id < 0 || id >= WRITERS * ROWS_EACH || seen[id]) dup_or_out++;
            else seen[id] = 1;
        }
    CHECK_EQ(dup_or_out, 0);
    ToonStoreStats st;
    st.version = TOONSTORE_STATS_VERSION;
    CHECK_EQ(toonstore_stats(db, &st), TOONSTORE_OK);
    CHECK_EQ(st.live_rows, WRITERS * ROWS_EACH);
    toonstore_close(db);
}

/* Two threads, each with its own handle on the same directory (each opened
 * it itself): both handles share one database; writes of each are seen by
 * the other; each thread closes its own handle. */
struct own_handle {
    const char *path;
    pthread_barrier_t *barrier;
    int which;
    int opened, writes_ok, sees_other, closed_ok;
    int64_t first_id;
};

#define OWN_ROWS 500

static void *own_handle_thread(void *arg) {
    struct own_handle *t = arg;
    ToonStore *db = toonstore_open(t->path);
    t->opened = db != NULL;
    pthread_barrier_wait(t->barrier);
    if (db != NULL) {
        char row[32];
        t->writes_ok = 1;
        for (int k = 0; k < OWN_ROWS; k++) {
            snprintf(row, sizeof row, "t%d-%d", t->which, k);
            int64_t id = toonstore_put(db, (const uint8_t *)row, strlen(row));
            if (id < 0) t->writes_ok = 0;
            if (k == 0) t->first_id = id;
        }
    }
    pthread_barrier_wait(t->barrier); /* both have written */
    if (db != NULL) {
        ToonStoreStats st;
        st.version = TOONSTORE_STATS_VERSION;
        t->sees_other = toonstore_stats(db, &st) == TOONSTORE_OK && st.live_rows == 2 * OWN_ROWS;
    }
    pthread_barrier_wait(t->barrier); /* both have looked */
    t->closed_ok = db != NULL && toonstore_close_checked(db) == TOONSTORE_OK;
    return NULL;
}

void test_threads_two_handles_one_database(void) {
    const char *path = ts_path("threads-two-handles");
    pthread_barrier_t barrier;
    REQUIRE(pthread_barrier_init(&barrier, NULL, 2) == 0);
    struct own_handle t[2];
    pthread_t th[2];
    for (int i = 0; i < 2; i++) {
        memset(&t[i], 0, sizeof t[i]);
        t[i].path = path;
        t[i].barrier = &barrier;
        t[i].which = i;
        REQUIRE(pthread_create(&th[i], NULL, own_handle_thread, &t[i]) == 0);
    }
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    pthread_barrier_destroy(&barrier);
    for (int i = 0; i < 2; i++) {
        CHECK_MSG(t[i].opened, "thread %d could not open: LOCKED?", i);
        CHECK(t[i].writes_ok);
        CHECK(t[i].sees_other);
        CHECK(t[i].closed_ok);
    }
    /* Both closed: the database is closed and holds every row. */
    ToonStoreCheckReport report;
    report.version = TOONSTORE_CHECK_REPORT_VERSION;
    CHECK_EQ(toonstore_check(path, &report), TOONSTORE_OK);
    CHECK_EQ(report.live_rows, 2 * OWN_ROWS);
}
