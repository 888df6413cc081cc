/*
 * The seed functions, section 1 of docs/c/CONTRACT.md: open, close, put, get,
 * delete, scan, iter_next, iter_free, last_error, free_string, free_buffer.
 */
#define _XOPEN_SOURCE 700
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runner.h"
#include "tests.h"

static int is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

void test_seed_open_creates_missing_directories(void) {
    char path[4096];
    snprintf(path, sizeof path, "%s/a/b/c", ts_path("nested"));
    CHECK(!is_dir(path));
    ToonStore *db = toonstore_open(path);
    REQUIRE(db != NULL);
    CHECK(is_dir(path));
    int64_t id = ts_put_str(db, "hello");
    CHECK(id >= 0);
    toonstore_close(db);

    /* Reopening the existing directory keeps the data. */
    db = toonstore_open(path);
    REQUIRE(db != NULL);
    CHECK_ROW(db, id, "hello");
    toonstore_close(db);
}

void test_seed_open_failure_returns_null_with_reason(void) {
    /* A regular file where the directory should be. */
    const char *file = ts_path("plain-file");
    FILE *f = fopen(file, "w");
    REQUIRE(f != NULL);
    fputs("not a database", f);
    fclose(f);
    CHECK(toonstore_open(file) == NULL);
    CHECK(toonstore_last_error() != NULL);
    CHECK_MSG(ts_contains_ci(toonstore_last_error(), file), "message: %s", toonstore_last_error());
    CHECK(toonstore_last_error_code() < 0);

    char below[4096];
    snprintf(below, sizeof below, "%s/sub", file);
    CHECK(toonstore_open(below) == NULL);
    CHECK_EQ(toonstore_last_error_code(), TOONSTORE_ERR_IO);
    CHECK(toonstore_last_error() != NULL && strlen(toonstore_last_error()) > 0);
}

void test_seed_close_null_is_a_noop(void) {
    toonstore_close(NULL);
    CHECK_EQ(toonstore_close_checked(NULL), TOONSTORE_OK);
}

void test_seed_close_releases_the_lock(void) {
    const char *path = ts_path("relock");
    for (int round = 0; round < 3; round++) {
        ToonStore *db = toonstore_open(path);
        REQUIRE(db != NULL);
        toonstore_close(db);
    }
}

void test_seed_put_ids_increase_and_are_never_reused(void) {
    const char *path = ts_path("ids");
    ToonStore *db = toonstore_open(path);
    REQUIRE(db != NULL);
    int64_t prev = -1, ids[20];
    char buf[32];
    for (int i = 0; i < 20; i++) {
        snprintf(buf, sizeof buf, "row %d", i);
        ids[i] = ts_put_str(db, buf);
        CHECK(ids[i] >= 0);
        CHECK_MSG(ids[i] > prev, "id %lld after %lld", (long long)ids[i], (long long)prev);
        prev = ids[i];
    }
    /* Delete the newest rows: their ids must not come back, in this session... */
    CHECK_EQ(toonstore_delete(db, ids[19]), TOONSTORE_OK);
    CHECK_EQ(toonstore_delete(db, ids[18]), TOONSTORE_OK);
    int64_t next = ts_put_str(db, "after delete");
    CHECK_MSG(next > ids[19], "id %lld reused (last was %lld)", (long long)next, (long long)ids[19]);
    CHECK_EQ(toonstore_delete(db, next), TOONSTORE_OK);
    toonstore_close(db);

    /* ... nor after reopening, when the newest row is deleted. */
    db = toonstore_open(path);
    REQUIRE(db != NULL);
    int64_t again = ts_put_str(db, "after reopen");
    CHECK_MSG(again > next, "id %lld reused after reopen (last was %lld)", (long long)again,
              (long long)next);
    for (int i = 0; i < 18; i++) {
        snprintf(buf, sizeof buf, "row %d", i);
        CHECK_ROW(db, ids[i], buf);
    }
    /* Delete every row, reopen: still no reuse. */
    for (int i = 0; i < 18; i++) CHECK_EQ(toonstore_delete(db, ids[i]), TOONSTORE_OK);
    CHECK_EQ(toonstore_delete(db, again), TOONSTORE_OK);
    toonstore_close(db);
    db = toonstore_open(path);
    REQUIRE(db != NULL);
    int64_t last = ts_put_str(db, "x");
    CHECK(last > again);
    toonstore_close(db);
}

void test_seed_get_returns_a_caller_owned_copy(void) {
    OPEN_FRESH(db, "get-owned");
    const char *text = "users[1]{id,name}: 1,Alice";
    int64_t id = ts_put_str(db, text);
    REQUIRE(id >= 0);

    uint8_t *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    CHECK_EQ(toonstore_get(db, id, &a, &alen), TOONSTORE_OK);
    CHECK_EQ(toonstore_get(db, id, &b, &blen), TOONSTORE_OK);
    REQUIRE(a != NULL && b != NULL);
    CHECK(alen == strlen(text) && blen == strlen(text));
    CHECK(memcmp(a, text, alen) == 0);
    CHECK(a != b); /* two calls, two buffers */
    /* The buffer is the caller's: writing to it changes nothing stored. */
    memset(a, 'Z', alen);
    CHECK(memcmp(b, text, blen) == 0);
    toonstore_free_buffer(a);
    toonstore_free_buffer(b);
    CHECK_ROW(db, id, text);

    /* A large row round-trips byte for byte. */
    size_t big = 1u << 20;
    uint8_t *src = malloc(big);
    REQUIRE(src != NULL);
    for (size_t i = 0; i < big; i++) src[i] = (uint8_t)(i * 131u + 7u);
    int64_t bid = toonstore_put(db, src, big);
    CHECK(bid > id);
    uint8_t *got = NULL;
    size_t glen = 0;
    CHECK_EQ(toonstore_get(db, bid, &got, &glen), TOONSTORE_OK);
    CHECK(glen == big && got != NULL && memcmp(got, src, big) == 0);
    toonstore_free_buffer(got);
    free(src);
    toonstore_close(db);
}

void test_seed_empty_rows(void) {
    OPEN_FRESH(db, "empty");
    int64_t a = toonstore_put(db, NULL, 0);
    int64_t b = toonstore_put(db, (const uint8_t *)"ignored", 0);
    int64_t c = ts_put_str(db, "x");
    CHECK(a >= 0 && b > a && c > b);

    uint8_t *data = (uint8_t *)"sentinel";
    size_t len = 99;
    CHECK_EQ(toonstore_get(db, a, &data, &len), TOONSTORE_OK);
    CHECK_EQ(len, 0);
    toonstore_free_buffer(data); /* NULL or a buffer: either may be freed */
    len = 99;
    CHECK_EQ(toonstore_get(db, b, &data, &len), TOONSTORE_OK);
    CHECK_EQ(len, 0);
    toonstore_free_buffer(data);
    CHECK_EQ(toonstore_contains(db, a), 1);

    /* Scan yields empty rows too, in order. */
    ToonStoreIter *it = toonstore_scan(db);
    REQUIRE(it != NULL);
    int64_t rid;
    uint8_t *rdata;
    size_t rlen;
    CHECK_EQ(toonstore_iter_next(it, &rid, &rdata, &rlen), 1);
    CHECK_EQ(rid, a);
    CHECK_EQ(rlen, 0);
    CHECK_EQ(toonstore_iter_next(it, &rid, &rdata, &rlen), 1);
    CHECK_EQ(rid, b);
    CHECK_EQ(rlen, 0);
    CHECK_EQ(toonstore_iter_next(it, &rid, &rdata, &rlen), 1);
    CHECK_EQ(rid, c);
    CHECK(rlen == 1 && rdata[0] == 'x');
    CHECK_EQ(toonstore_iter_next(it, &rid, &rdata, &rlen), 0);
    toonstore_iter_free(it);

    /* Empty rows survive a reopen. */
    const char *path = ts_path("empty-reopen");
    toonstore_close(db);
    db = toonstore_open(path);
    REQUIRE(db != NULL);
    int64_t e = toonstore_put(db, NULL, 0);
    toonstore_close(db);
    db = toonstore_open(path);
    REQUIRE(db != NULL);
    CHECK_EQ(toonstore_get(db, e, &data, &len), TOONSTORE_OK);
    CHECK_EQ(len, 0);
    toonstore_free_buffer(data);
    toonstore_close(db);
}

void test_seed_get_not_found(void) {
    OPEN_FRESH(db, "notfound");
    /* Empty database: nothing was ever assigned. */
    uint8_t *data = (uint8_t *)"sentinel";
    size_t len = 42;
    CHECK_EQ(toonstore_get(db, 0, &data, &len), TOONSTORE_ERR_NOT_FOUND);
    CHECK(data == NULL);
    CHECK_EQ(len, 0);
    CHECK_EQ(toonstore_last_error_code(), TOONSTORE_ERR_NOT_FOUND);
    CHECK(toonstore_last_error() != NULL);

    int64_t id = ts_put_str(db, "x");
    REQUIRE(id >= 0);
    const int64_t never[] = {id + 1, id + 1000, INT64_MAX};
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++) {
        data = (uint8_t *)"sentinel";
        len = 42;
        CHECK_EQ(toonstore_get(db, never[i], &data, &len), TOONSTORE_ERR_NOT_FOUND);
        CHECK(data == NULL);
        CHECK_EQ(len, 0);
    }
    CHECK_EQ(toonstore_delete(db, id), TOONSTORE_OK);
    data = (uint8_t *)"sentinel";
    CHECK_EQ(toonstore_get(db, id, &data, &len), TOONSTORE_ERR_NOT_FOUND);
    CHECK(data == NULL);
    CHECK_EQ(toonstore_contains(db, id), 0);
    toonstore_close(db);
}

void test_seed_delete_twice(void) {
    OPEN_FRESH(db, "delete-twice");
    int64_t a = ts_put_str(db, "a");
    int64_t b = ts_put_str(db, "b");
    CHECK_EQ(toonstore_delete(db, a), TOONSTORE_OK);
    CHECK_EQ(toonstore_delete(db, a), TOONSTORE_ERR_NOT_FOUND);
    CHECK_EQ(toonstore_last_error_code(), TOONSTORE_ERR_NOT_FOUND);
    CHECK_EQ(toonstore_delete(db, b + 5), TOONSTORE_ERR_NOT_FOUND);
    CHECK_ROW(db, b, "b"); /* the neighbour is untouched */
    toonstore_close(db);
}

/* Collects what an iterator yields (ids and copies of the rows). */
struct collected {
    int n;
    int64_t ids[64];
    char rows[64][32];
};

static int collect(ToonStoreIter *it, struct collected *out) {
    int rc;
    int64_t id;
    uint8_t *data;
    size_t len;
    out->n = 0;
    while ((rc = toonstore_iter_next(it, &id, &data, &len)) == 1 && out->n < 64) {
        out->ids[out->n] = id;
        size_t k = len < 31 ? len : 31;
        memcpy(out->rows[out->n], data, k);
        out->rows[out->n][k] = '\0';
        out->n++;
    }
    return rc;
}

void test_seed_scan_ascending_live_rows(void) {
    OPEN_FRESH(db, "scan-order");
    int64_t ids[10];
    char buf[32];
    for (int i = 0; i < 10; i++) {
        snprintf(buf, sizeof buf, "r%d", i);
        ids[i] = ts_put_str(db, buf);
    }
    CHECK_EQ(toonstore_delete(db, ids[0]), TOONSTORE_OK);
    CHECK_EQ(toonstore_delete(db, ids[4]), TOONSTORE_OK);
    CHECK_EQ(toonstore_delete(db, ids[9]), TOONSTORE_OK);
    ToonStoreIter *it = toonstore_scan(db);
    REQUIRE(it != NULL);
    struct collected got;
    CHECK_EQ(collect(it, &got), 0);
    toonstore_iter_free(it);
    const int live[] = {1, 2, 3, 5, 6, 7, 8};
    CHECK_EQ(got.n, 7);
    for (int k = 0; k < 7 && k < got.n; k++) {
        CHECK_EQ(got.ids[k], ids[live[k]]);
        snprintf(buf, sizeof buf, "r%d", live[k]);
        CHECK_MSG(strcmp(got.rows[k], buf) == 0, "row %d is \"%s\"", k, got.rows[k]);
    }

    /* An empty database scans to nothing. */
    OPEN_FRESH(empty, "scan-empty");
    it = toonstore_scan(empty);
    REQUIRE(it != NULL);
    CHECK_EQ(collect(it, &got), 0);
    CHECK_EQ(got.n, 0);
    toonstore_iter_free(it);
    toonstore_close(empty);
    toonstore_close(db);
}

void test_seed_scan_reads_a_snapshot(void) {
    OPEN_FRESH(db, "scan-snapshot");
    int64_t ids[6];
    char buf[32];
    for (int i = 0; i < 6; i++) {
        snprintf(buf, sizeof buf, "v%d", i);
        ids[i] = ts_put_str(db, buf);
    }
    CHECK_EQ(toonstore_delete(db, ids[2]), TOONSTORE_OK);

    ToonStoreIter *it = toonstore_scan(db);
    REQUIRE(it != NULL);
    /* After the scan started: delete rows it has not reached yet (the first
     * and the last), put new rows, and compact. None of it may show. */
    CHECK_EQ(toonstore_delete(db, ids[0]), TOONSTORE_OK);
    CHECK_EQ(toonstore_delete(db, ids[5]), TOONSTORE_OK);
    int64_t later = ts_put_str(db, "later");
    CHECK(later > ids[5]);
    ToonStoreBatch *batch = toonstore_batch_new();
    CHECK_EQ(toonstore_batch_put(batch, (const uint8_t *)"batched", 7), TOONSTORE_OK);
    CHECK_EQ(toonstore_batch_delete(batch, ids[3]), TOONSTORE_OK);
    CHECK_EQ(toonstore_batch_commit(db, batch, NULL), TOONSTORE_OK);
    toonstore_batch_free(batch);
    CHECK_EQ(toonstore_compact(db), TOONSTORE_OK);

    struct collected got;
    CHECK_EQ(collect(it, &got), 0);
    toonstore_iter_free(it);
    const int expect[] = {0, 1, 3, 4, 5};
    CHECK_EQ(got.n, 5);
    for (int k = 0; k < 5 && k < got.n; k++) {
        CHECK_EQ(got.ids[k], ids[expect[k]]);
        snprintf(buf, sizeof buf, "v%d", expect[k]);
        CHECK_MSG(strcmp(got.rows[k], buf) == 0, "row %d is \"%s\"", k, got.rows[k]);
    }

    /* A scan started now sees the new state. */
    it = toonstore_scan(db);
    REQUIRE(it != NULL);
    CHECK_EQ(collect(it, &got), 0);
    toonstore_iter_free(it);
    CHECK_EQ(got.n, 4); /* v1, v4, later, batched */
    if (got.n == 4) {
        CHECK_EQ(got.ids[0], ids[1]);
        CHECK_EQ(got.ids[1], ids[4]);
        CHECK_EQ(got.ids[2], later);
        CHECK(strcmp(got.rows[3], "batched") == 0);
    }
    toonstore_close(db);
}

void test_seed_iter_next_borrowed_pointer_lifetime(void) {
    ToonStoreOpenOptions o;
    CHECK_EQ(toonstore_open_options_init(&o, TOONSTORE_OPEN_OPTIONS_VERSION), TOONSTORE_OK);
    o.segment_size = 4096; /* many small segments, so compaction has work */
    ToonStore *db = NULL;
    CHECK_EQ(toonstore_open_with(ts_path("iter-borrow"), &o, &db), TOONSTORE_OK);
    REQUIRE(db != NULL);
    char row[200];
    int64_t ids[40];
    for (int i = 0; i < 40; i++) {
        ts_pattern(row, sizeof row - 1, i);
        ids[i] = ts_put_str(db, row);
    }
    ToonStoreIter *it = toonstore_scan(db);
    REQUIRE(it != NULL);
    int64_t id;
    uint8_t *data;
    size_t len;
    int seen = 0;
    while (toonstore_iter_next(it, &id, &data, &len) == 1) {
        char expect[200];
        int i = seen;
        ts_pattern(expect, sizeof expect - 1, i);
        CHECK_EQ(id, ids[i]);
        CHECK_EQ(len, strlen(expect));
        /* Between two calls, the database changes under the iterator: the
         * borrowed row must stay intact until the next iter_next. */
        CHECK_EQ(toonstore_delete(db, ids[i]), TOONSTORE_OK); /* even the borrowed row itself */
        ts_put_str(db, "churn churn churn churn churn churn churn churn churn churn");
        if (i % 10 == 9) CHECK_EQ(toonstore_compact(db), TOONSTORE_OK);
        CHECK_MSG(len == strlen(expect) && memcmp(data, expect, len) == 0,
                  "borrowed row %d changed before the next call", i);
        seen++;
    }
    CHECK_EQ(seen, 40);
    /* 0 at the end, and again on every later call. */
    for (int k = 0; k < 3; k++) CHECK_EQ(toonstore_iter_next(it, &id, &data, &len), 0);
    toonstore_iter_free(it);
    toonstore_iter_free(NULL);
    toonstore_close(db);
}

void test_seed_last_error_lifetime_and_copy(void) {
    OPEN_FRESH(db, "last-error");
    CHECK_EQ(toonstore_delete(db, 12345), TOONSTORE_ERR_NOT_FOUND);
    const char *msg = toonstore_last_error();
    REQUIRE(msg != NULL);
    CHECK(ts_contains_ci(msg, "12345"));
    char saved[256];
    snprintf(saved, sizeof saved, "%s", msg);
    /* Reading it does not change it; successful calls leave it unchanged. */
    CHECK(toonstore_last_error() == msg);
    int64_t id = ts_put_str(db, "ok");
    CHECK(id >= 0);
    CHECK_ROW(db, id, "ok");
    CHECK(toonstore_last_error() != NULL && strcmp(toonstore_last_error(), saved) == 0);
    CHECK_EQ(toonstore_last_error_code(), TOONSTORE_ERR_NOT_FOUND);

    /* An owned copy, released with toonstore_free_string. */
    char *copy = toonstore_last_error_copy();
    REQUIRE(copy != NULL);
    CHECK(strcmp(copy, saved) == 0);
    CHECK(copy != toonstore_last_error());
    toonstore_free_string(copy);

    /* The next failure replaces it. */
    CHECK_EQ(toonstore_get(db, -7, &(uint8_t *){NULL}, &(size_t){0}), TOONSTORE_ERR_INVALID_ARG);
    CHECK(toonstore_last_error() != NULL && strcmp(toonstore_last_error(), saved) != 0);
    CHECK_EQ(toonstore_last_error_code(), TOONSTORE_ERR_INVALID_ARG);
    toonstore_close(db);
}

void test_seed_free_functions_accept_null(void) {
    toonstore_free_string(NULL);
    toonstore_free_buffer(NULL);
    toonstore_iter_free(NULL);
    toonstore_batch_free(NULL);
    toonstore_snapshot_free(NULL);
    toonstore_close(NULL);
    /* Reaching here is the test; ASan and valgrind check that nothing was touched. */
}
