/*
 * The extended API: options, read-only, put_with, get_into, contains,
 * scan_from, batches, sync, compact, stats, snapshots, strerror, versions
 * and the function table.
 */
#define _XOPEN_SOURCE 700
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#ifdef _WIN32
#include <windows.h>
#endif

#include "runner.h"
#include "tests.h"

/* Whether table entry `entry` is the library's exported function `fn`. On
 * Windows the header declares no dllimport, so `fn` here is this program's
 * import thunk: the DLL's own address comes from GetProcAddress. */
#ifdef _WIN32
#define SAME_FN(entry, fn)                                                                        \
    ((void (*)(void))(entry) ==                                                                   \
     (void (*)(void))GetProcAddress(GetModuleHandleA("toonstore.dll"), #fn))
#else
#define SAME_FN(entry, fn) ((entry) == (fn))
#endif

static int exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

static ToonStoreStats stats_of(ToonStore *db) {
    ToonStoreStats st;
    memset(&st, 0xAB, sizeof st);
    st.version = TOONSTORE_STATS_VERSION;
    int rc = toonstore_stats(db, &st);
    if (rc != TOONSTORE_OK) ts_fail(__FILE__, __LINE__, "toonstore_stats", "rc %d", rc);
    return st;
}

void test_ext_options_init_defaults_and_versions(void) {
    ToonStoreOpenOptions o;
    memset(&o, 0xEE, sizeof o);
    CHECK_EQ(toonstore_open_options_init(&o, TOONSTORE_OPEN_OPTIONS_VERSION), TOONSTORE_OK);
    CHECK_EQ(o.version, TOONSTORE_OPEN_OPTIONS_VERSION);
    CHECK_EQ(o.durability, TOONSTORE_DURABILITY_NORMAL);
    CHECK_EQ(o.read_only, 0);
    CHECK_EQ(o.create_if_missing, 1);
    CHECK_EQ(o.verify_checksums, 1);
    CHECK_EQ(o.sync_interval_ms, 1000);
    CHECK_EQ(o.max_value_size, 64u << 20);
    CHECK_EQ(o.segment_size, 64u << 20);

    /* Versions this library does not know are refused, the struct untouched. */
    const uint32_t bad[] = {0, TOONSTORE_OPEN_OPTIONS_VERSION + 1, 99, UINT32_MAX};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ToonStoreOpenOptions before, after;
        memset(&before, 0x5A, sizeof before);
        after = before;
        CHECK_EQ(toonstore_open_options_init(&after, bad[i]), TOONSTORE_ERR_VERSION);
        CHECK_EQ(toonstore_last_error_code(), TOONSTORE_ERR_VERSION);
        CHECK(ts_contains_ci(toonstore_last_error(), "version"));
        CHECK(memcmp(&before, &after, sizeof before) == 0);
    }
    CHECK_EQ(toonstore_open_options_init(NULL, TOONSTORE_OPEN_OPTIONS_VERSION),
             TOONSTORE_ERR_INVALID_ARG);
}

void test_ext_open_with_options(void) {
    /* NULL options: the defaults. */
    ToonStore *db = (ToonStore *)&db; /* a sentinel: must be overwritten */
    CHECK_EQ(toonstore_open_with(ts_path("with-null"), NULL, &db), TOONSTORE_OK);
    REQUIRE(db != NULL && db != (ToonStore *)&db);
    toonstore_close(db);

    /* An unknown struct version: TOONSTORE_ERR_VERSION, *out_db NULL. */
    ToonStoreOpenOptions o;
    CHECK_EQ(toonstore_open_options_init(&o, TOONSTORE_OPEN_OPTIONS_VERSION), TOONSTORE_OK);
    o.version = 99;
    const char *vpath = ts_path("with-v99");
    db = (ToonStore *)&db;
    CHECK_EQ(toonstore_open_with(vpath, &o, &db), TOONSTORE_ERR_VERSION);
    CHECK(db == NULL);
    CHECK(ts_contains_ci(toonstore_last_error(), "version"));
    CHECK(!exists(vpath));

    /* create_if_missing = 0 on a missing directory: an error, nothing created. */
    CHECK_EQ(toonstore_open_options_init(&o, TOONSTORE_OPEN_OPTIONS_VERSION), TOONSTORE_OK);
    o.create_if_missing = 0;
    const char *missing = ts_path("no-create");
    db = (ToonStore *)&db;
    CHECK_EQ(toonstore_open_with(missing, &o, &db), TOONSTORE_ERR_IO);
    CHECK(db == NULL);
    CHECK(!exists(missing));

    /* Out-of-range fields: invalid arguments. */
    struct {
        const char *what;
        ToonStoreOpenOptions o;
    } bad[6];
    for (int i = 0; i < 6; i++) toonstore_open_options_init(&bad[i].o, TOONSTORE_OPEN_OPTIONS_VERSION);
    bad[0].what = "durability 3", bad[0].o.durability = 3;
    bad[1].what = "read_only 2", bad[1].o.read_only = 2;
    bad[2].what = "create_if_missing 7", bad[2].o.create_if_missing = 7;
    bad[3].what = "max_value_size 0", bad[3].o.max_value_size = 0;
    bad[4].what = "segment_size 1", bad[4].o.segment_size = 1;
    bad[5].what = "sync_interval_ms 0", bad[5].o.sync_interval_ms = 0;
    for (int i = 0; i < 6; i++) {
        db = (ToonStore *)&db;
        int rc = toonstore_open_with(ts_path("bad-opt"), &bad[i].o, &db);
        CHECK_MSG(rc == TOONSTORE_ERR_INVALID_ARG, "%s: rc %d", bad[i].what, rc);
        CHECK_MSG(db == NULL, "%s", bad[i].what);
    }

    /* max_value_size is enforced by put. */
    CHECK_EQ(toonstore_open_options_init(&o, TOONSTORE_OPEN_OPTIONS_VERSION), TOONSTORE_OK);
    o.max_value_size = 16;
    o.durability = TOONSTORE_DURABILITY_FULL;
    CHECK_EQ(toonstore_open_with(ts_path("small-values"), &o, &db), TOONSTORE_OK);
    REQUIRE(db != NULL);
    uint8_t buf[17] = {0};
    CHECK(toonstore_put(db, buf, 16) >= 0);
    CHECK_EQ(toonstore_put(db, buf, 17), TOONSTORE_ERR_TOO_LARGE);
    CHECK_EQ(toonstore_last_error_code(), TOONSTORE_ERR_TOO_LARGE);
    ToonStoreStats st = stats_of(db);
    CHECK_EQ(st.live_rows, 1);
    CHECK_EQ(st.next_row_id, 1);
    toonstore_close(db);
}

static void ro(ToonStoreOpenOptions *o) { o->read_only = 1; }

void test_ext_read_only_open(void) {
    const char *path = ts_path("read-only");
    /* Read-only does not create a missing database. */
    CHECK(ts_open_opts(path, ro) == NULL);
    CHECK(!exists(path));

    ToonStore *w = toonstore_open(path);
    REQUIRE(w != NULL);
    int64_t a = ts_put_str(w, "alpha");
    int64_t b = ts_put_str(w, "beta");
    /* In this process a reader shares the writer's database, read-only
     * (another process is refused: test_process.c). */
    ToonStore *shared = ts_open_opts(path, ro);
    REQUIRE(shared != NULL);
    CHECK_ROW(shared, a, "alpha");
    CHECK_EQ(ts_put_str(shared, "nope"), TOONSTORE_ERR_READ_ONLY);
    CHECK_ROW(shared, b, "beta");
    toonstore_close(shared);
    toonstore_close(w);

    ToonStore *r1 = ts_open_opts(path, ro);
    REQUIRE(r1 != NULL);
    ToonStore *r2 = ts_open_opts(path, ro); /* readers share */
    CHECK(r2 != NULL);
    CHECK(toonstore_open(path) == NULL); /* and keep writers out */
    CHECK_EQ(toonstore_last_error_code(), TOONSTORE_ERR_LOCKED);

    CHECK_ROW(r1, a, "alpha");
    CHECK_ROW(r1, b, "beta");
    CHECK_EQ(toonstore_contains(r1, b), 1);
    CHECK_EQ(ts_put_str(r1, "nope"), TOONSTORE_ERR_READ_ONLY);
    CHECK_EQ(toonstore_last_error_code(), TOONSTORE_ERR_READ_ONLY);
    int64_t id = 77;
    CHECK_EQ(toonstore_put_with(r1, (const uint8_t *)"x", 1, TOONSTORE_DURABILITY_DEFAULT, &id),
             TOONSTORE_ERR_READ_ONLY);
    CHECK_EQ(toonstore_delete(r1, a), TOONSTORE_ERR_READ_ONLY);
    ToonStoreBatch *batch = toonstore_batch_new();
    CHECK_EQ(toonstore_batch_put(batch, (const uint8_t *)"x", 1), TOONSTORE_OK);
    CHECK_EQ(toonstore_batch_commit(r1, batch, NULL), TOONSTORE_ERR_READ_ONLY);
    CHECK_EQ(toonstore_batch_count(batch), 1); /* left unchanged on failure */
    toonstore_batch_free(batch);
    CHECK_EQ(toonstore_compact(r1), TOONSTORE_ERR_READ_ONLY);
    ToonStoreIter *it = toonstore_scan(r1);
    CHECK(it != NULL);
    int64_t rid;
    uint8_t *data;
    size_t len;
    int n = 0;
    while (it && toonstore_iter_next(it, &rid, &data, &len) == 1) n++;
    CHECK_EQ(n, 2);
    toonstore_iter_free(it);
    ToonStoreStats st = stats_of(r1);
    CHECK_EQ(st.live_rows, 2);
    toonstore_close(r2);
    toonstore_close(r1);

    /* Nothing changed. */
    w = toonstore_open(path);
    REQUIRE(w != NULL);
    CHECK_EQ(stats_of(w).live_rows, 2);
    CHECK_EQ(stats_of(w).next_row_id, (uint64_t)b + 1);
    toonstore_close(w);
}

void test_ext_put_with_durabilities(void) {
    const char *path = ts_path("put-with");
    ToonStore *db = toonstore_open(path);
    REQUIRE(db != NULL);
    const uint32_t levels[] = {TOONSTORE_DURABILITY_OFF, TOONSTORE_DURABILITY_NORMAL,
                               TOONSTORE_DURABILITY_FULL, TOONSTORE_DURABILITY_DEFAULT};
    int64_t prev = -1;
    for (size_t i = 0; i < 4; i++) {
        int64_t id = -99;
        char buf[16];
        snprintf(buf, sizeof buf, "level %zu", i);
        CHECK_EQ(toonstore_put_with(db, (const uint8_t *)buf, strlen(buf), levels[i], &id),
                 TOONSTORE_OK);
        CHECK(id > prev);
        prev = id;
        CHECK_ROW(db, id, buf);
    }
    /* The id pointer may be NULL. */
    CHECK_EQ(toonstore_put_with(db, (const uint8_t *)"n", 1, TOONSTORE_DURABILITY_FULL, NULL),
             TOONSTORE_OK);
    CHECK_ROW(db, prev + 1, "n");
    /* An unknown durability writes nothing. */
    uint64_t next = stats_of(db).next_row_id;
    int64_t id = -99;
    CHECK_EQ(toonstore_put_with(db, (const uint8_t *)"x", 1, 3, &id), TOONSTORE_ERR_INVALID_ARG);
    CHECK_EQ(id, -1); /* cleared: never a row id */
    CHECK_EQ(stats_of(db).next_row_id, next);
    toonstore_close(db);
    /* Everything acknowledged survived close + reopen. */
    db = toonstore_open(path);
    REQUIRE(db != NULL);
    CHECK_EQ(stats_of(db).live_rows, 5);
    CHECK_ROW(db, prev + 1, "n");
    toonstore_close(db);
}

void test_ext_get_into(void) {
    OPEN_FRESH(db, "get-into");
    const char *text = "0123456789";
    int64_t id = ts_put_str(db, text);
    int64_t empty = toonstore_put(db, NULL, 0);
    REQUIRE(id >= 0 && empty > id);
    uint8_t buf[32];
    size_t n = 0;

    /* Exact fit and a roomier buffer (bytes past the row untouched). */
    memset(buf, '#', sizeof buf);
    CHECK_EQ(toonstore_get_into(db, id, buf, 10, &n), TOONSTORE_OK);
    CHECK_EQ(n, 10);
    CHECK(memcmp(buf, text, 10) == 0);
    memset(buf, '#', sizeof buf);
    CHECK_EQ(toonstore_get_into(db, id, buf, sizeof buf, &n), TOONSTORE_OK);
    CHECK_EQ(n, 10);
    CHECK(memcmp(buf, text, 10) == 0 && buf[10] == '#');

    /* Too small: nothing copied, the size needed reported. */
    memset(buf, '#', sizeof buf);
    n = 0;
    CHECK_EQ(toonstore_get_into(db, id, buf, 9, &n), TOONSTORE_ERR_BUFFER_TOO_SMALL);
    CHECK_EQ(n, 10);
    CHECK(buf[0] == '#' && buf[8] == '#');
    CHECK_EQ(toonstore_last_error_code(), TOONSTORE_ERR_BUFFER_TOO_SMALL);
    n = 0;
    CHECK_EQ(toonstore_get_into(db, id, NULL, 0, &n), TOONSTORE_ERR_BUFFER_TOO_SMALL);
    CHECK_EQ(n, 10);

    /* Empty row: fits any buffer, even none. */
    n = 99;
    CHECK_EQ(toonstore_get_into(db, empty, NULL, 0, &n), TOONSTORE_OK);
    CHECK_EQ(n, 0);

    /* Absent rows. */
    CHECK_EQ(toonstore_get_into(db, empty + 1, buf, sizeof buf, &n), TOONSTORE_ERR_NOT_FOUND);
    CHECK_EQ(toonstore_delete(db, id), TOONSTORE_OK);
    CHECK_EQ(toonstore_get_into(db, id, buf, sizeof buf, &n), TOONSTORE_ERR_NOT_FOUND);
    toonstore_close(db);
}

void test_ext_contains(void) {
    OPEN_FRESH(db, "contains");
    int64_t a = ts_put_str(db, "a");
    CHECK_EQ(toonstore_contains(db, a), 1);
    CHECK_EQ(toonstore_contains(db, a + 1), 0);
    CHECK_EQ(toonstore_contains(db, INT64_MAX), 0);
    CHECK_EQ(toonstore_delete(db, a), TOONSTORE_OK);
    CHECK_EQ(toonstore_contains(db, a), 0);
    CHECK_EQ(toonstore_contains(db, -1), TOONSTORE_ERR_INVALID_ARG);
    toonstore_close(db);
}

static int scan_ids(ToonStoreIter *it, int64_t *out, int max) {
    int n = 0;
    int64_t id;
    uint8_t *data;
    size_t len;
    while (n < max && toonstore_iter_next(it, &id, &data, &len) == 1) out[n++] = id;
    return n;
}

void test_ext_scan_from(void) {
    OPEN_FRESH(db, "scan-from");
    int64_t ids[8];
    for (int i = 0; i < 8; i++) ids[i] = ts_put_str(db, "r");
    CHECK_EQ(toonstore_delete(db, ids[3]), TOONSTORE_OK);
    int64_t got[8];
    ToonStoreIter *it = toonstore_scan_from(db, ids[5]);
    REQUIRE(it != NULL);
    int n = scan_ids(it, got, 8);
    toonstore_iter_free(it);
    CHECK_EQ(n, 3);
    CHECK(n == 3 && got[0] == ids[5] && got[2] == ids[7]);

    /* Starting at a deleted id: the next live row. */
    it = toonstore_scan_from(db, ids[3]);
    REQUIRE(it != NULL);
    n = scan_ids(it, got, 8);
    toonstore_iter_free(it);
    CHECK_EQ(n, 4);
    CHECK(n > 0 && got[0] == ids[4]);

    /* From 0 equals a full scan; past the end yields nothing. */
    it = toonstore_scan_from(db, 0);
    REQUIRE(it != NULL);
    CHECK_EQ(scan_ids(it, got, 8), 7);
    toonstore_iter_free(it);
    it = toonstore_scan_from(db, ids[7] + 1);
    REQUIRE(it != NULL);
    CHECK_EQ(scan_ids(it, got, 8), 0);
    toonstore_iter_free(it);
    it = toonstore_scan_from(db, INT64_MAX);
    REQUIRE(it != NULL);
    CHECK_EQ(scan_ids(it, got, 8), 0);
    toonstore_iter_free(it);

    CHECK(toonstore_scan_from(db, -1) == NULL);
    CHECK_EQ(toonstore_last_error_code(), TOONSTORE_ERR_INVALID_ARG);
    toonstore_close(db);
}

/* Runs scan_range(start, stop, flags) on db (or on snap when not NULL) and
 * returns the ids it yields (at most max), or -1 when the call failed. */
static int range_ids(ToonStore *db, const ToonStoreSnapshot *snap, int64_t start, int64_t stop,
                     uint32_t flags, int64_t *out, int max) {
    ToonStoreIter *it = (ToonStoreIter *)&it; /* garbage: must be overwritten */
    int rc = snap ? toonstore_snapshot_scan_range(snap, start, stop, flags, &it)
                  : toonstore_scan_range(db, start, stop, flags, &it);
    if (rc != TOONSTORE_OK) {
        CHECK(it == NULL);
        return -1;
    }
    CHECK(it != NULL);
    if (it == NULL) return -2;
    int n = scan_ids(it, out, max);
    toonstore_iter_free(it);
    return n;
}

void test_ext_scan_range(void) {
    OPEN_FRESH(db, "scan-range");
    /* 10 rows 0..9; 3 and 9 deleted. */
    int64_t ids[10];
    for (int i = 0; i < 10; i++) ids[i] = ts_put_str(db, "r");
    CHECK(ids[0] == 0 && ids[9] == 9);
    CHECK_EQ(toonstore_delete(db, 3), TOONSTORE_OK);
    CHECK_EQ(toonstore_delete(db, 9), TOONSTORE_OK);
    int64_t got[16];

    /* Forward [2, 6): 2 4 5. */
    int n = range_ids(db, NULL, 2, 6, 0, got, 16);
    CHECK_EQ(n, 3);
    CHECK(n == 3 && got[0] == 2 && got[1] == 4 && got[2] == 5);
    /* Reverse [2, 6): 5 4 2. */
    n = range_ids(db, NULL, 2, 6, TOONSTORE_SCAN_REVERSE, got, 16);
    CHECK_EQ(n, 3);
    CHECK(n == 3 && got[0] == 5 && got[1] == 4 && got[2] == 2);
    /* Reverse without a bound: newest first, starting below the deleted 9. */
    n = range_ids(db, NULL, 0, TOONSTORE_SCAN_END, TOONSTORE_SCAN_REVERSE, got, 16);
    CHECK_EQ(n, 8);
    CHECK(n == 8 && got[0] == 8 && got[1] == 7 && got[7] == 0);
    /* "The last 2 rows": stop reading after 2. */
    n = range_ids(db, NULL, 0, TOONSTORE_SCAN_END, TOONSTORE_SCAN_REVERSE, got, 2);
    CHECK(n == 2 && got[0] == 8 && got[1] == 7);
    /* Forward without a bound equals scan_from. */
    CHECK_EQ(range_ids(db, NULL, 6, TOONSTORE_SCAN_END, 0, got, 16), 3);
    /* Empty ranges, ranges past the end, a stop past the end. */
    CHECK_EQ(range_ids(db, NULL, 4, 4, 0, got, 16), 0);
    CHECK_EQ(range_ids(db, NULL, 4, 4, TOONSTORE_SCAN_REVERSE, got, 16), 0);
    CHECK_EQ(range_ids(db, NULL, 3, 4, 0, got, 16), 0); /* only a deleted row */
    CHECK_EQ(range_ids(db, NULL, 10, 1000, TOONSTORE_SCAN_REVERSE, got, 16), 0);
    CHECK_EQ(range_ids(db, NULL, INT64_MAX, TOONSTORE_SCAN_END, 0, got, 16), 0);
    n = range_ids(db, NULL, 7, 1000, TOONSTORE_SCAN_REVERSE, got, 16);
    CHECK(n == 2 && got[0] == 8 && got[1] == 7);

    /* The scan reads the moment of the call: later puts and deletes do not
     * change what an open reverse scan yields. */
    ToonStoreIter *it = NULL;
    CHECK_EQ(toonstore_scan_range(db, 0, TOONSTORE_SCAN_END, TOONSTORE_SCAN_REVERSE, &it),
             TOONSTORE_OK);
    REQUIRE(it != NULL);
    CHECK(ts_put_str(db, "late") == 10);
    CHECK_EQ(toonstore_delete(db, 8), TOONSTORE_OK);
    n = scan_ids(it, got, 16);
    toonstore_iter_free(it);
    CHECK(n == 8 && got[0] == 8);

    /* A snapshot's range scan: rows stay valid until the snapshot is freed,
     * after the iterator is freed. */
    ToonStoreSnapshot *snap = NULL;
    CHECK_EQ(toonstore_snapshot_open(db, &snap), TOONSTORE_OK);
    REQUIRE(snap != NULL);
    CHECK(ts_put_str(db, "later") == 11);
    it = NULL;
    CHECK_EQ(toonstore_snapshot_scan_range(snap, 5, TOONSTORE_SCAN_END, TOONSTORE_SCAN_REVERSE, &it),
             TOONSTORE_OK);
    REQUIRE(it != NULL);
    int64_t id = -1;
    uint8_t *data = NULL;
    size_t len = 0;
    CHECK_EQ(toonstore_iter_next(it, &id, &data, &len), 1);
    CHECK(id == 10 && len == 4 && memcmp(data, "late", 4) == 0);
    toonstore_iter_free(it);
    CHECK(memcmp(data, "late", 4) == 0); /* still mapped: the snapshot lives */
    n = range_ids(NULL, snap, 5, 11, 0, got, 16);
    /* 8 and 9 were deleted, 11 came after the snapshot. */
    CHECK(n == 4 && got[0] == 5 && got[1] == 6 && got[2] == 7 && got[3] == 10);
    toonstore_snapshot_free(snap);

    /* Bad arguments: INVALID_ARG, *out_iter cleared (checked in range_ids). */
    CHECK_EQ(range_ids(db, NULL, -1, 5, 0, got, 16), -1);
    CHECK_EQ(toonstore_last_error_code(), TOONSTORE_ERR_INVALID_ARG);
    CHECK(ts_contains_ci(toonstore_last_error(), "negative"));
    CHECK_EQ(range_ids(db, NULL, 5, 4, 0, got, 16), -1);
    CHECK_EQ(toonstore_last_error_code(), TOONSTORE_ERR_INVALID_ARG);
    CHECK(ts_contains_ci(toonstore_last_error(), "stop"));
    CHECK_EQ(range_ids(db, NULL, 0, 5, 2, got, 16), -1);
    CHECK_EQ(toonstore_last_error_code(), TOONSTORE_ERR_INVALID_ARG);
    CHECK(ts_contains_ci(toonstore_last_error(), "flag"));
    toonstore_close(db);
}

void test_ext_batch_commit(void) {
    OPEN_FRESH(db, "batch");
    int64_t old = ts_put_str(db, "old");
    ToonStoreBatch *b = toonstore_batch_new();
    REQUIRE(b != NULL);
    CHECK_EQ(toonstore_batch_count(b), 0);
    CHECK_EQ(toonstore_batch_put(b, (const uint8_t *)"one", 3), TOONSTORE_OK);
    CHECK_EQ(toonstore_batch_put(b, NULL, 0), TOONSTORE_OK);
    CHECK_EQ(toonstore_batch_put(b, (const uint8_t *)"three", 5), TOONSTORE_OK);
    CHECK_EQ(toonstore_batch_delete(b, old), TOONSTORE_OK);
    CHECK_EQ(toonstore_batch_count(b), 4);
    int64_t first = -99;
    CHECK_EQ(toonstore_batch_commit(db, b, &first), TOONSTORE_OK);
    CHECK_EQ(first, old + 1);
    CHECK_EQ(toonstore_batch_count(b), 0); /* cleared for reuse */
    CHECK_ROW(db, first, "one");
    CHECK_ROW(db, first + 1, "");
    CHECK_ROW(db, first + 2, "three");
    CHECK_EQ(toonstore_contains(db, old), 0);

    /* Reuse; an empty batch commits nothing and reports -1. */
    first = -99;
    CHECK_EQ(toonstore_batch_commit(db, b, &first), TOONSTORE_OK);
    CHECK_EQ(first, -1);
    CHECK_EQ(toonstore_batch_delete(b, old + 3), TOONSTORE_OK); /* deletes-only batch */
    first = -99;
    CHECK_EQ(toonstore_batch_commit(db, b, &first), TOONSTORE_OK);
    CHECK_EQ(first, -1);
    CHECK_EQ(toonstore_contains(db, old + 3), 0);

    /* batch_clear drops pending operations. */
    CHECK_EQ(toonstore_batch_put(b, (const uint8_t *)"dropped", 7), TOONSTORE_OK);
    toonstore_batch_clear(b);
    CHECK_EQ(toonstore_batch_count(b), 0);
    uint64_t next = stats_of(db).next_row_id;
    CHECK_EQ(toonstore_batch_commit(db, b, NULL), TOONSTORE_OK);
    CHECK_EQ(stats_of(db).next_row_id, next);

    /* A freed batch with pending operations writes nothing. */
    CHECK_EQ(toonstore_batch_put(b, (const uint8_t *)"never", 5), TOONSTORE_OK);
    toonstore_batch_free(b);
    CHECK_EQ(stats_of(db).next_row_id, next);
    toonstore_close(db);
}

void test_ext_batch_is_all_or_nothing(void) {
    const char *path = ts_path("batch-atomic");
    ToonStore *db = toonstore_open(path);
    REQUIRE(db != NULL);
    int64_t keep = ts_put_str(db, "keep");
    int64_t gone = ts_put_str(db, "gone");
    CHECK_EQ(toonstore_delete(db, gone), TOONSTORE_OK);
    ToonStoreStats before = stats_of(db);

    ToonStoreBatch *b = toonstore_batch_new();
    REQUIRE(b != NULL);
    CHECK_EQ(toonstore_batch_put(b, (const uint8_t *)"p1", 2), TOONSTORE_OK);
    CHECK_EQ(toonstore_batch_delete(b, keep), TOONSTORE_OK);
    CHECK_EQ(toonstore_batch_put(b, (const uint8_t *)"p2", 2), TOONSTORE_OK);
    CHECK_EQ(toonstore_batch_delete(b, gone), TOONSTORE_OK); /* fails: already deleted */
    int64_t first = -99;
    CHECK_EQ(toonstore_batch_commit(db, b, &first), TOONSTORE_ERR_NOT_FOUND);
    CHECK_EQ(first, -1); /* cleared: never a row id */
    CHECK_EQ(toonstore_batch_count(b), 4); /* left unchanged */

    /* Nothing was written: not the puts, not the delete of `keep`. */
    ToonStoreStats after = stats_of(db);
    CHECK_EQ(after.live_rows, before.live_rows);
    CHECK_EQ(after.next_row_id, before.next_row_id);
    CHECK_ROW(db, keep, "keep");
    CHECK_EQ(toonstore_contains(db, gone + 1), 0);

    /* A delete of a never-assigned id fails the same way. */
    toonstore_batch_clear(b);
    CHECK_EQ(toonstore_batch_put(b, (const uint8_t *)"p3", 2), TOONSTORE_OK);
    CHECK_EQ(toonstore_batch_delete(b, 1000), TOONSTORE_OK);
    CHECK_EQ(toonstore_batch_commit(db, b, NULL), TOONSTORE_ERR_NOT_FOUND);
    CHECK_EQ(stats_of(db).next_row_id, before.next_row_id);
    toonstore_batch_free(b);
    toonstore_close(db);

    /* Still true after a reopen (nothing half-written in the log). */
    db = toonstore_open(path);
    REQUIRE(db != NULL);
    CHECK_EQ(stats_of(db).live_rows, 1);
    CHECK_EQ(stats_of(db).next_row_id, before.next_row_id);
    CHECK_ROW(db, keep, "keep");
    int64_t next = ts_put_str(db, "next");
    CHECK_EQ(next, (int64_t)before.next_row_id);
    toonstore_close(db);
}

void test_ext_sync_compact_stats(void) {
    ToonStoreOpenOptions o;
    CHECK_EQ(toonstore_open_options_init(&o, TOONSTORE_OPEN_OPTIONS_VERSION), TOONSTORE_OK);
    o.segment_size = 8192;
    const char *path = ts_path("compact");
    ToonStore *db = NULL;
    CHECK_EQ(toonstore_open_with(path, &o, &db), TOONSTORE_OK);
    REQUIRE(db != NULL);
    char row[256];
    int64_t ids[200];
    for (int i = 0; i < 200; i++) {
        ts_pattern(row, 200, i);
        ids[i] = ts_put_str(db, row);
        REQUIRE(ids[i] >= 0);
    }
    CHECK_EQ(toonstore_sync(db), TOONSTORE_OK);
    for (int i = 0; i < 200; i++)
        if (i % 4 != 0) CHECK_EQ(toonstore_delete(db, ids[i]), TOONSTORE_OK);
    ToonStoreStats before = stats_of(db);
    CHECK_EQ(before.version, TOONSTORE_STATS_VERSION);
    CHECK_EQ(before.reserved, 0);
    CHECK_EQ(before.live_rows, 50);
    CHECK_EQ(before.deleted_rows, 150);
    CHECK_EQ(before.next_row_id, 200);
    CHECK(before.segment_count > 1);
    CHECK(before.garbage_fraction > 0.5 && before.garbage_fraction <= 1.0);
    CHECK(before.live_bytes >= 50 * 200);

    CHECK_EQ(toonstore_compact(db), TOONSTORE_OK);
    ToonStoreStats after = stats_of(db);
    CHECK_EQ(after.live_rows, 50);
    CHECK_EQ(after.next_row_id, 200);
    CHECK_MSG(after.garbage_fraction < before.garbage_fraction, "garbage %f -> %f",
              before.garbage_fraction, after.garbage_fraction);
    CHECK_MSG(after.disk_bytes < before.disk_bytes, "disk %llu -> %llu",
              (unsigned long long)before.disk_bytes, (unsigned long long)after.disk_bytes);
    /* Ids are unchanged; every live row reads back. */
    for (int i = 0; i < 200; i += 4) {
        ts_pattern(row, 200, i);
        CHECK_ROW(db, ids[i], row);
    }
    CHECK_EQ(ts_put_str(db, "after"), 200);
    CHECK_EQ(toonstore_sync(db), TOONSTORE_OK);
    toonstore_close(db);

    db = toonstore_open(path);
    REQUIRE(db != NULL);
    CHECK_EQ(stats_of(db).live_rows, 51);
    toonstore_close(db);
}

void test_ext_stats_version_check(void) {
    OPEN_FRESH(db, "stats-version");
    ToonStoreStats st;
    const uint32_t bad[] = {0, TOONSTORE_STATS_VERSION + 1, 1000};
    for (size_t i = 0; i < 3; i++) {
        memset(&st, 0x77, sizeof st);
        st.version = bad[i];
        CHECK_EQ(toonstore_stats(db, &st), TOONSTORE_ERR_VERSION);
        CHECK(ts_contains_ci(toonstore_last_error(), "version"));
        /* 0 is a caller that forgot the field, not a newer struct. */
        CHECK(ts_contains_ci(toonstore_last_error(), "not set") == (bad[i] == 0));
        CHECK(ts_contains_ci(toonstore_last_error(), "newer") == (bad[i] != 0));
        CHECK_EQ(st.version, bad[i]);
        CHECK(st.live_rows == 0x7777777777777777ull); /* not written */
    }
    CHECK_EQ(toonstore_stats(db, NULL), TOONSTORE_ERR_INVALID_ARG);
    memset(&st, 0x77, sizeof st);
    st.version = TOONSTORE_STATS_VERSION;
    CHECK_EQ(toonstore_stats(db, &st), TOONSTORE_OK);
    CHECK_EQ(st.live_rows, 0);
    CHECK_EQ(st.deleted_rows, 0);
    CHECK_EQ(st.next_row_id, 0);
    CHECK_EQ(st.reserved, 0);
    CHECK(st.garbage_fraction >= 0.0 && st.garbage_fraction <= 1.0);
    toonstore_close(db);
}

void test_ext_snapshot_zero_copy_lifetime(void) {
    ToonStoreOpenOptions o;
    CHECK_EQ(toonstore_open_options_init(&o, TOONSTORE_OPEN_OPTIONS_VERSION), TOONSTORE_OK);
    o.segment_size = 4096;
    ToonStore *db = NULL;
    CHECK_EQ(toonstore_open_with(ts_path("snapshot"), &o, &db), TOONSTORE_OK);
    REQUIRE(db != NULL);
    char row[300];
    int64_t ids[30];
    for (int i = 0; i < 30; i++) {
        snprintf(row, sizeof row, "snapshot row %02d %0250d", i, i);
        ids[i] = ts_put_str(db, row);
    }
    ToonStoreSnapshot *snap = (ToonStoreSnapshot *)&snap;
    CHECK_EQ(toonstore_snapshot_open(db, &snap), TOONSTORE_OK);
    REQUIRE(snap != NULL && snap != (ToonStoreSnapshot *)&snap);

    /* Borrow every row now. */
    const uint8_t *ptr[30];
    size_t len[30];
    for (int i = 0; i < 30; i++) {
        CHECK_EQ(toonstore_snapshot_get(snap, ids[i], &ptr[i], &len[i]), TOONSTORE_OK);
    }
    const uint8_t *p = (const uint8_t *)"x";
    size_t l = 5;
    CHECK_EQ(toonstore_snapshot_get(snap, ids[29] + 1, &p, &l), TOONSTORE_ERR_NOT_FOUND);
    CHECK(p == NULL && l == 0);

    /* Change everything: delete most rows, add more, compact. */
    for (int i = 0; i < 30; i++)
        if (i % 3 != 0) CHECK_EQ(toonstore_delete(db, ids[i]), TOONSTORE_OK);
    int64_t added = ts_put_str(db, "added after the snapshot");
    CHECK_EQ(toonstore_compact(db), TOONSTORE_OK);

    for (int i = 0; i < 30; i++) {
        snprintf(row, sizeof row, "snapshot row %02d %0250d", i, i);
        CHECK_MSG(len[i] == strlen(row) && memcmp(ptr[i], row, len[i]) == 0,
                  "borrowed row %d changed after compaction", i);
    }
    CHECK_EQ(toonstore_snapshot_get(snap, ids[1], &p, &l), TOONSTORE_OK); /* deleted since */
    CHECK_EQ(toonstore_snapshot_get(snap, added, &p, &l), TOONSTORE_ERR_NOT_FOUND);

    /* A scan of the snapshot sees its moment; its rows live as long as it. */
    ToonStoreIter *it = toonstore_snapshot_scan(snap, ids[10]);
    REQUIRE(it != NULL);
    int64_t id;
    uint8_t *data;
    size_t dlen;
    int n = 0;
    const uint8_t *first_ptr = NULL;
    while (toonstore_iter_next(it, &id, &data, &dlen) == 1) {
        CHECK_EQ(id, ids[10 + n]);
        if (n == 0) first_ptr = data;
        n++;
    }
    CHECK_EQ(n, 20);
    toonstore_iter_free(it);
    snprintf(row, sizeof row, "snapshot row %02d %0250d", 10, 10);
    CHECK(first_ptr != NULL && memcmp(first_ptr, row, strlen(row)) == 0);

    /* The snapshot outlives its database. */
    toonstore_close(db);
    for (int i = 0; i < 30; i++) {
        snprintf(row, sizeof row, "snapshot row %02d %0250d", i, i);
        CHECK_MSG(memcmp(ptr[i], row, len[i]) == 0, "row %d after close", i);
    }
    CHECK_EQ(toonstore_snapshot_get(snap, ids[2], &p, &l), TOONSTORE_OK);
    CHECK(l == len[2] && memcmp(p, ptr[2], l) == 0);
    it = toonstore_snapshot_scan(snap, 0);
    REQUIRE(it != NULL);
    n = 0;
    while (toonstore_iter_next(it, &id, &data, &dlen) == 1) n++;
    CHECK_EQ(n, 30);
    toonstore_iter_free(it);
    toonstore_snapshot_free(snap);
}

void test_ext_strerror_every_code(void) {
    const int codes[] = {TOONSTORE_OK,           TOONSTORE_ERR_INVALID_ARG, TOONSTORE_ERR_NOT_FOUND,
                         TOONSTORE_ERR_IO,       TOONSTORE_ERR_CORRUPT,     TOONSTORE_ERR_LOCKED,
                         TOONSTORE_ERR_TOO_LARGE, TOONSTORE_ERR_READ_ONLY,  TOONSTORE_ERR_VERSION,
                         TOONSTORE_ERR_NOMEM,    TOONSTORE_ERR_INTERNAL,    TOONSTORE_ERR_CLOSED,
                         TOONSTORE_ERR_BUFFER_TOO_SMALL, TOONSTORE_ERR_POISONED,
                         TOONSTORE_ERR_FORKED};
    const size_t n = sizeof codes / sizeof codes[0];
    const char *unknown = toonstore_strerror(-9999);
    REQUIRE(unknown != NULL);
    CHECK(strcmp(unknown, "unknown error code") == 0);
    for (size_t i = 0; i < n; i++) {
        const char *s = toonstore_strerror(codes[i]);
        CHECK_MSG(s != NULL && *s != '\0', "code %d", codes[i]);
        if (s == NULL) continue;
        CHECK_MSG(strcmp(s, unknown) != 0, "code %d has no name", codes[i]);
        CHECK(toonstore_strerror(codes[i]) == s); /* static */
        for (size_t j = 0; j < i; j++)
            CHECK_MSG(strcmp(s, toonstore_strerror(codes[j])) != 0, "codes %d and %d share \"%s\"",
                      codes[i], codes[j], s);
    }
    CHECK(ts_contains_ci(toonstore_strerror(TOONSTORE_ERR_LOCKED), "locked"));
    CHECK(ts_contains_ci(toonstore_strerror(TOONSTORE_ERR_NOT_FOUND), "not found"));
    /* The codes are distinct, negative and dense from -1. */
    for (size_t i = 1; i < n; i++) CHECK_EQ(codes[i], -(int)i);
    const int others[] = {1, 42, -15, -100, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        const char *s = toonstore_strerror(others[i]);
        CHECK(s != NULL && strcmp(s, "unknown error code") == 0);
    }
}

/* toonstore_error_name gives each code's constant name, as spelled in this
 * header: the table below is the header's, written out by hand. */
void test_ext_error_name_every_code(void) {
#define TS_NAMED(code) {code, #code}
    const struct {
        int code;
        const char *name;
    } named[] = {
        TS_NAMED(TOONSTORE_OK),          TS_NAMED(TOONSTORE_ERR_INVALID_ARG),
        TS_NAMED(TOONSTORE_ERR_NOT_FOUND), TS_NAMED(TOONSTORE_ERR_IO),
        TS_NAMED(TOONSTORE_ERR_CORRUPT), TS_NAMED(TOONSTORE_ERR_LOCKED),
        TS_NAMED(TOONSTORE_ERR_TOO_LARGE), TS_NAMED(TOONSTORE_ERR_READ_ONLY),
        TS_NAMED(TOONSTORE_ERR_VERSION), TS_NAMED(TOONSTORE_ERR_NOMEM),
        TS_NAMED(TOONSTORE_ERR_INTERNAL), TS_NAMED(TOONSTORE_ERR_CLOSED),
        TS_NAMED(TOONSTORE_ERR_BUFFER_TOO_SMALL), TS_NAMED(TOONSTORE_ERR_POISONED),
        TS_NAMED(TOONSTORE_ERR_FORKED),
    };
#undef TS_NAMED
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        const char *got = toonstore_error_name(named[i].code);
        REQUIRE(got != NULL);
        CHECK_MSG(strcmp(got, named[i].name) == 0, "code %d: %s, expected %s", named[i].code, got,
                  named[i].name);
        CHECK(toonstore_error_name(named[i].code) == got); /* static */
    }
    const int others[] = {1, 42, -15, -100, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        const char *got = toonstore_error_name(others[i]);
        CHECK(got != NULL && strcmp(got, "TOONSTORE_ERR_UNKNOWN") == 0);
    }
    /* The last error of a failed call names its code. */
    CHECK(toonstore_open(NULL) == NULL);
    CHECK(strcmp(toonstore_error_name(toonstore_last_error_code()), "TOONSTORE_ERR_INVALID_ARG") == 0);
}

void test_ext_version_functions_match_macros(void) {
    CHECK_EQ(toonstore_version_number(), TOONSTORE_VERSION_NUMBER);
    CHECK_EQ(TOONSTORE_VERSION_NUMBER, TOONSTORE_VERSION_MAJOR * 1000000 +
                                           TOONSTORE_VERSION_MINOR * 1000 + TOONSTORE_VERSION_PATCH);
    const char *v = toonstore_version();
    REQUIRE(v != NULL);
    CHECK_MSG(strcmp(v, TOONSTORE_VERSION_STRING) == 0, "library %s, header %s", v,
              TOONSTORE_VERSION_STRING);
    unsigned major = 0, minor = 0, patch = 0;
    char tail = 0;
    CHECK_EQ(sscanf(v, "%u.%u.%u%c", &major, &minor, &patch, &tail), 3);
    CHECK_EQ(major, TOONSTORE_VERSION_MAJOR);
    CHECK_EQ(minor, TOONSTORE_VERSION_MINOR);
    CHECK_EQ(patch, TOONSTORE_VERSION_PATCH);
    CHECK(toonstore_version() == v);
}

void test_ext_api_table(void) {
    /* Version 1 is served as 1.0 served it; version 2 appends error_name. */
    const ToonStoreApi *v1 = toonstore_api(1);
    REQUIRE(v1 != NULL);
    CHECK_EQ(v1->version, 1);
    CHECK_EQ(v1->size, offsetof(ToonStoreApi, error_name));
    CHECK(SAME_FN(v1->put, toonstore_put));
    CHECK(SAME_FN(v1->check, toonstore_check));
    /* Version 2 is served as 1.1 served it: it ends with error_name. */
    const ToonStoreApi *v2 = toonstore_api(2);
    REQUIRE(v2 != NULL);
    CHECK_EQ(v2->version, 2);
    CHECK_EQ(v2->size, offsetof(ToonStoreApi, scan_range));
    CHECK(SAME_FN(v2->error_name, toonstore_error_name));
    /* Version 3 (1.2) appends scan_range, snapshot_scan_range, backup and
     * refresh. */
    CHECK_EQ(TOONSTORE_API_VERSION, 3);
    const ToonStoreApi *api = toonstore_api(TOONSTORE_API_VERSION);
    REQUIRE(api != NULL);
    CHECK_EQ(api->version, 3);
    CHECK_EQ(api->size, sizeof(ToonStoreApi));
    CHECK(offsetof(ToonStoreApi, error_name) < api->size);
    CHECK(offsetof(ToonStoreApi, snapshot_scan_range) < api->size);
    CHECK(SAME_FN(api->error_name, toonstore_error_name));
    CHECK(SAME_FN(api->scan_range, toonstore_scan_range));
    CHECK(SAME_FN(api->snapshot_scan_range, toonstore_snapshot_scan_range));
    CHECK(strcmp(api->error_name(TOONSTORE_ERR_LOCKED), "TOONSTORE_ERR_LOCKED") == 0);
    CHECK(offsetof(ToonStoreApi, refresh) < api->size);
    CHECK(SAME_FN(api->backup, toonstore_backup));
    CHECK(SAME_FN(api->refresh, toonstore_refresh));
    CHECK(toonstore_api(4) == NULL);
    /* The table points to the same entry points as the exported symbols. */
    CHECK(SAME_FN(api->put, toonstore_put));
    CHECK(SAME_FN(api->get, toonstore_get));
    CHECK(SAME_FN(api->iter_next, toonstore_iter_next));
    CHECK(SAME_FN(api->snapshot_free, toonstore_snapshot_free));

    CHECK_EQ(api->version_number(), TOONSTORE_VERSION_NUMBER);
    CHECK(strcmp(api->version_string(), TOONSTORE_VERSION_STRING) == 0);
    CHECK(api->strerror(TOONSTORE_ERR_LOCKED) == toonstore_strerror(TOONSTORE_ERR_LOCKED));

    ToonStoreOpenOptions o;
    CHECK_EQ(api->open_options_init(&o, TOONSTORE_OPEN_OPTIONS_VERSION), TOONSTORE_OK);
    ToonStore *db = NULL;
    CHECK_EQ(api->open_with(ts_path("api"), &o, &db), TOONSTORE_OK);
    REQUIRE(db != NULL);
    int64_t a = api->put(db, (const uint8_t *)"through", 7);
    int64_t b = -1;
    CHECK_EQ(api->put_with(db, (const uint8_t *)"table", 5, TOONSTORE_DURABILITY_DEFAULT, &b),
             TOONSTORE_OK);
    CHECK(a >= 0 && b == a + 1);
    uint8_t *data = NULL;
    size_t len = 0;
    CHECK_EQ(api->get(db, a, &data, &len), TOONSTORE_OK);
    CHECK(len == 7 && data && memcmp(data, "through", 7) == 0);
    api->free_buffer(data);
    uint8_t buf[8];
    CHECK_EQ(api->get_into(db, b, buf, sizeof buf, &len), TOONSTORE_OK);
    CHECK(len == 5 && memcmp(buf, "table", 5) == 0);
    CHECK_EQ(api->contains(db, b), 1);

    ToonStoreBatch *batch = api->batch_new();
    CHECK_EQ(api->batch_put(batch, (const uint8_t *)"batched", 7), TOONSTORE_OK);
    CHECK_EQ(api->batch_delete(batch, a), TOONSTORE_OK);
    CHECK_EQ(api->batch_count(batch), 2);
    int64_t first = -1;
    CHECK_EQ(api->batch_commit(db, batch, &first), TOONSTORE_OK);
    CHECK_EQ(first, b + 1);
    api->batch_clear(batch);
    api->batch_free(batch);
    CHECK_EQ(api->delete_(db, b), TOONSTORE_OK);
    CHECK_EQ(api->delete_(db, b), TOONSTORE_ERR_NOT_FOUND);
    CHECK_EQ(api->last_error_code(), TOONSTORE_ERR_NOT_FOUND);
    CHECK(api->last_error() == toonstore_last_error());

    ToonStoreIter *it = api->scan(db);
    int64_t id;
    uint8_t *row;
    int n = 0;
    while (it && api->iter_next(it, &id, &row, &len) == 1) n++;
    CHECK_EQ(n, 1);
    api->iter_free(it);
    it = api->scan_from(db, first + 1);
    CHECK(it != NULL && api->iter_next(it, &id, &row, &len) == 0);
    api->iter_free(it);
    it = NULL;
    CHECK_EQ(api->scan_range(db, 0, TOONSTORE_SCAN_END, TOONSTORE_SCAN_REVERSE, &it), TOONSTORE_OK);
    CHECK(it != NULL && api->iter_next(it, &id, &row, &len) == 1 && id == first);
    api->iter_free(it);

    CHECK_EQ(api->sync(db), TOONSTORE_OK);
    CHECK_EQ(api->compact(db), TOONSTORE_OK);
    ToonStoreStats st;
    st.version = TOONSTORE_STATS_VERSION;
    CHECK_EQ(api->stats(db, &st), TOONSTORE_OK);
    CHECK_EQ(st.live_rows, 1);

    ToonStoreSnapshot *snap = NULL;
    CHECK_EQ(api->snapshot_open(db, &snap), TOONSTORE_OK);
    const uint8_t *p = NULL;
    CHECK_EQ(api->snapshot_get(snap, first, &p, &len), TOONSTORE_OK);
    CHECK(len == 7 && memcmp(p, "batched", 7) == 0);
    it = api->snapshot_scan(snap, 0);
    CHECK(it != NULL && api->iter_next(it, &id, &row, &len) == 1 && id == first);
    api->iter_free(it);
    it = NULL;
    CHECK_EQ(api->snapshot_scan_range(snap, first, first + 1, 0, &it), TOONSTORE_OK);
    CHECK(it != NULL && api->iter_next(it, &id, &row, &len) == 1 && id == first);
    CHECK(api->iter_next(it, &id, &row, &len) == 0);
    api->iter_free(it);
    api->snapshot_free(snap);

    char *copy = api->last_error_copy();
    CHECK(copy != NULL && strcmp(copy, toonstore_last_error()) == 0);
    api->free_string(copy);
    CHECK_EQ(api->close_checked(db), TOONSTORE_OK);
    ToonStore *plain = api->open(ts_path("api-plain"));
    CHECK(plain != NULL);
    api->close(plain);

    /* Unknown interface versions: NULL and TOONSTORE_ERR_VERSION. */
    const uint32_t bad[] = {0, TOONSTORE_API_VERSION + 1, 99, UINT32_MAX};
    for (size_t i = 0; i < 4; i++) {
        CHECK(toonstore_api(bad[i]) == NULL);
        CHECK_EQ(toonstore_last_error_code(), TOONSTORE_ERR_VERSION);
        CHECK(ts_contains_ci(toonstore_last_error(), "version"));
    }
}

/* Flips one byte of `needle` inside the segment files of `dir`; 1 on success. */
/* Flips one byte inside the first occurrence of `needle` in the database's
 * segment files (plain C: runs on Windows too). 1 when a byte was changed. */
static int corrupt_row_bytes(const char *dir, const char *needle) {
    DIR *d = opendir(dir);
    if (d == NULL) return 0;
    size_t nlen = strlen(needle);
    int done = 0;
    struct dirent *e;
    while (!done && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 4, ".seg") != 0) continue;
        char file[4096];
        snprintf(file, sizeof file, "%s/%s", dir, e->d_name);
        FILE *f = fopen(file, "r+b");
        if (f == NULL) continue;
        char buf[1 << 16];
        size_t n = fread(buf, 1, sizeof buf, f);
        for (size_t i = 0; i + nlen <= n; i++) {
            if (memcmp(buf + i, needle, nlen) == 0) {
                done = fseek(f, (long)(i + 3), SEEK_SET) == 0 && fputc('X', f) != EOF;
                break;
            }
        }
        if (fclose(f) != 0) done = 0;
    }
    closedir(d);
    return done;
}

void test_ext_check(void) {
    const char *path = ts_path("check");
    ToonStore *db = toonstore_open(path);
    REQUIRE(db != NULL);
    int64_t a = ts_put_str(db, "a healthy row");
    int64_t b = ts_put_str(db, "CORRUPT-ME-PLEASE");
    int64_t c = ts_put_str(db, "another row");
    CHECK(a >= 0 && b > a && c > b);
    CHECK_EQ(toonstore_delete(db, a), TOONSTORE_OK);

    ToonStoreCheckReport r;
    memset(&r, 0x33, sizeof r);
    r.version = TOONSTORE_CHECK_REPORT_VERSION;
    /* Open for writing: the check refuses to run. */
    CHECK_EQ(toonstore_check(path, &r), TOONSTORE_ERR_LOCKED);
    toonstore_close(db);

    memset(&r, 0x33, sizeof r);
    r.version = TOONSTORE_CHECK_REPORT_VERSION;
    CHECK_EQ(toonstore_check(path, &r), TOONSTORE_OK);
    CHECK_EQ(r.version, TOONSTORE_CHECK_REPORT_VERSION);
    CHECK_EQ(r.live_rows, 2);
    CHECK(r.records >= 3);
    CHECK(r.segments >= 1);
    CHECK(r.has_checkpoint == 0 || r.has_checkpoint == 1);
    CHECK_EQ(r.first_problem[0], '\0');

    /* Through the table too. */
    const ToonStoreApi *api = toonstore_api(1);
    REQUIRE(api != NULL);
    CHECK_EQ(api->check(path, &r), TOONSTORE_OK);

    /* A version it does not know; a NULL report. */
    memset(&r, 0x33, sizeof r);
    r.version = TOONSTORE_CHECK_REPORT_VERSION + 1;
    CHECK_EQ(toonstore_check(path, &r), TOONSTORE_ERR_VERSION);
    CHECK(r.segments == 0x3333333333333333ull); /* not written */
    CHECK_EQ(toonstore_check(path, NULL), TOONSTORE_ERR_INVALID_ARG);
    r.version = TOONSTORE_CHECK_REPORT_VERSION;
    CHECK_EQ(toonstore_check(NULL, &r), TOONSTORE_ERR_INVALID_ARG);

    /* One flipped byte in a record: TOONSTORE_ERR_CORRUPT, and where. */
    REQUIRE(corrupt_row_bytes(path, "CORRUPT-ME-PLEASE"));
    memset(&r, 0, sizeof r);
    r.version = TOONSTORE_CHECK_REPORT_VERSION;
    CHECK_EQ(toonstore_check(path, &r), TOONSTORE_ERR_CORRUPT);
    CHECK_EQ(toonstore_last_error_code(), TOONSTORE_ERR_CORRUPT);
    CHECK_MSG(r.first_problem[0] != '\0' && strlen(r.first_problem) < sizeof r.first_problem,
              "first_problem: %s", r.first_problem);
    CHECK_MSG(ts_contains_ci(r.first_problem, ".seg"), "first_problem: %s", r.first_problem);

    /* Reading the damaged row reports corruption, never the wrong bytes. */
    db = toonstore_open(path);
    if (db == NULL) {
        CHECK_EQ(toonstore_last_error_code(), TOONSTORE_ERR_CORRUPT);
        CHECK(ts_contains_ci(toonstore_last_error(), "corrupt"));
    } else {
        uint8_t *data = NULL;
        size_t len = 0;
        CHECK_EQ(toonstore_get(db, b, &data, &len), TOONSTORE_ERR_CORRUPT);
        CHECK(data == NULL);
        CHECK_ROW(db, c, "another row");
        toonstore_close(db);
    }
}
