/*
 * Every function of the header with NULL and otherwise bad arguments, as a
 * table: each row makes one call and says which code it must return and
 * which code the thread's last error must then hold. Before each row a
 * marker error is set, so a row only passes if *its* call set the error
 * (or, for the no-op rows, left the marker alone).
 *
 * Closed, freed and wrong-type handles come from the same fixture: the
 * library keeps released handle shells in a quarantine and must answer
 * TOONSTORE_ERR_CLOSED for them instead of touching freed memory (ASan and
 * valgrind runs of this file check that no freed memory is read).
 */
#define _XOPEN_SOURCE 700
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runner.h"
#include "tests.h"

struct fixture {
    ToonStore *db;       /* live, default options */
    ToonStore *small;    /* live, max_value_size 8 */
    ToonStore *closed;   /* closed with toonstore_close */
    ToonStoreIter *it;   /* live iterator on db */
    ToonStoreIter *freed_it;
    ToonStoreBatch *batch; /* live, one put */
    ToonStoreBatch *freed_batch;
    ToonStoreSnapshot *snap; /* live snapshot of db */
    ToonStoreSnapshot *freed_snap;
    int64_t id; /* a live row of db */
    const char *fresh; /* a path nobody opened */
};

/* A pointer result as a code: NULL -> the last error code; else 1 (and freed). */
static int iter_result(ToonStoreIter *it) {
    if (it == NULL) return toonstore_last_error_code();
    toonstore_iter_free(it);
    return 1;
}

#define NO_ERROR 1000 /* expected last error: the marker, untouched */

/* Each row: a name, the call, the return value it must give, the last error after. */
struct bad_case {
    const char *name;
    int (*call)(struct fixture *);
    int rc;
    int err;
};

#define CASE(id, body)                                                                           \
    static int id(struct fixture *f) {                                                           \
        (void)f;                                                                                 \
        body                                                                                     \
    }

/* Out-pointers the rows write to. */
static ToonStore *out_db;
static ToonStoreSnapshot *out_snap;
static uint8_t *out_data;
static const uint8_t *out_cdata;
static size_t out_len;
static int64_t out_id;
static ToonStoreOpenOptions opts;
static ToonStoreStats st;
static uint8_t buf[16];
static ToonStoreIter *out_iter;

/* Out-pointer rule: on every failure, every non-NULL out-pointer is cleared
 * (NULL, length 0, row id -1), whatever argument was bad. Rows load the out
 * variables with garbage first (`garbage()`), and return 1 (a mismatch with
 * any expected code) when one was left as it was. */
#define GARBAGE_ID ((int64_t)4242)
#define GARBAGE_LEN ((size_t)4242)
static void garbage(void) {
    out_data = (uint8_t *)&out_data;
    out_cdata = (const uint8_t *)&out_cdata;
    out_len = GARBAGE_LEN;
    out_id = GARBAGE_ID;
}
#define CLEARED(rc, cond) ((cond) ? (rc) : 1)

/* open / open_with / options */
CASE(c_open_null, { return toonstore_open(NULL) == NULL ? toonstore_last_error_code() : 1; })
CASE(c_open_empty, { return toonstore_open("") == NULL ? toonstore_last_error_code() : 1; })
CASE(c_open_non_utf8, { return toonstore_open("/tmp/\xff\xfe-toonstore") == NULL ? toonstore_last_error_code() : 1; })
CASE(c_open_with_null_path, {
    out_db = (ToonStore *)&out_db;
    int rc = toonstore_open_with(NULL, NULL, &out_db);
    return out_db == NULL ? rc : 1;
})
CASE(c_open_with_null_out, { return toonstore_open_with(f->fresh, NULL, NULL); })
CASE(c_open_with_non_utf8, {
    out_db = (ToonStore *)&out_db;
    int rc = toonstore_open_with("/tmp/\xc3\x28-toonstore", NULL, &out_db);
    return out_db == NULL ? rc : 1;
})
CASE(c_open_with_bad_durability, {
    toonstore_open_options_init(&opts, TOONSTORE_OPEN_OPTIONS_VERSION);
    opts.durability = 99;
    out_db = (ToonStore *)&out_db;
    int rc = toonstore_open_with(f->fresh, &opts, &out_db);
    return out_db == NULL ? rc : 1;
})
CASE(c_open_with_version_0, {
    toonstore_open_options_init(&opts, TOONSTORE_OPEN_OPTIONS_VERSION);
    opts.version = 0;
    out_db = (ToonStore *)&out_db;
    int rc = toonstore_open_with(f->fresh, &opts, &out_db);
    return out_db == NULL ? rc : 1;
})
CASE(c_options_init_null, { return toonstore_open_options_init(NULL, TOONSTORE_OPEN_OPTIONS_VERSION); })
CASE(c_options_init_v0, { return toonstore_open_options_init(&opts, 0); })
/* close */
CASE(c_close_checked_closed, { return toonstore_close_checked(f->closed); })
CASE(c_close_closed, {
    toonstore_close(f->closed);
    return 0;
})
CASE(c_close_checked_iter_as_db, { return toonstore_close_checked((ToonStore *)f->it); })
/* put / put_with */
CASE(c_put_null_db, { return (int)toonstore_put(NULL, buf, 1); })
CASE(c_put_null_data, { return (int)toonstore_put(f->db, NULL, 1); })
CASE(c_put_huge_len, { return (int)toonstore_put(f->db, buf, SIZE_MAX); })
/* A length beyond any value the format allows, with a 16-byte buffer: must be
 * refused before a byte is read (a batch used to copy it, and abort). */
#define BEYOND_ANY_VALUE ((size_t)1 << 40)
CASE(c_put_beyond_format, { return (int)toonstore_put(f->db, buf, BEYOND_ANY_VALUE); })
CASE(c_put_with_beyond_format, {
    garbage();
    int rc = toonstore_put_with(f->db, buf, BEYOND_ANY_VALUE, TOONSTORE_DURABILITY_DEFAULT, &out_id);
    return CLEARED(rc, out_id == -1);
})
CASE(c_batch_put_beyond_format, { return toonstore_batch_put(f->batch, buf, BEYOND_ANY_VALUE); })
CASE(c_batch_put_just_beyond_format, { return toonstore_batch_put(f->batch, buf, (size_t)1 << 29); })
CASE(c_put_over_limit, { return (int)toonstore_put(f->small, buf, 9); })
CASE(c_put_closed, { return (int)toonstore_put(f->closed, buf, 1); })
CASE(c_put_iter_as_db, { return (int)toonstore_put((ToonStore *)f->it, buf, 1); })
CASE(c_put_snapshot_as_db, { return (int)toonstore_put((ToonStore *)f->snap, buf, 1); })
CASE(c_put_batch_as_db, { return (int)toonstore_put((ToonStore *)f->batch, buf, 1); })
CASE(c_put_with_null_db, {
    garbage();
    int rc = toonstore_put_with(NULL, buf, 1, TOONSTORE_DURABILITY_DEFAULT, &out_id);
    return CLEARED(rc, out_id == -1);
})
CASE(c_put_with_null_data, {
    garbage();
    int rc = toonstore_put_with(f->db, NULL, 2, TOONSTORE_DURABILITY_DEFAULT, &out_id);
    return CLEARED(rc, out_id == -1);
})
CASE(c_put_with_bad_durability, {
    garbage();
    int rc = toonstore_put_with(f->db, buf, 1, 3, &out_id);
    return CLEARED(rc, out_id == -1);
})
CASE(c_put_with_bad_durability_big, {
    garbage();
    int rc = toonstore_put_with(f->db, buf, 1, 0x7FFFFFFF, &out_id);
    return CLEARED(rc, out_id == -1);
})
CASE(c_put_with_over_limit, { return toonstore_put_with(f->small, buf, 9, TOONSTORE_DURABILITY_FULL, NULL); })
CASE(c_put_with_closed, {
    garbage();
    int rc = toonstore_put_with(f->closed, buf, 1, TOONSTORE_DURABILITY_DEFAULT, &out_id);
    return CLEARED(rc, out_id == -1);
})
/* get / get_into / contains / delete */
CASE(c_get_null_db, {
    garbage();
    int rc = toonstore_get(NULL, 0, &out_data, &out_len);
    return CLEARED(rc, out_data == NULL && out_len == 0);
})
CASE(c_get_negative, {
    garbage();
    int rc = toonstore_get(f->db, -1, &out_data, &out_len);
    return CLEARED(rc, out_data == NULL && out_len == 0);
})
CASE(c_get_int64_min, {
    garbage();
    int rc = toonstore_get(f->db, INT64_MIN, &out_data, &out_len);
    return CLEARED(rc, out_data == NULL && out_len == 0);
})
CASE(c_get_null_data, {
    garbage();
    int rc = toonstore_get(f->db, f->id, NULL, &out_len);
    return CLEARED(rc, out_len == 0);
})
CASE(c_get_not_found, {
    garbage();
    int rc = toonstore_get(f->db, INT64_C(1) << 40, &out_data, &out_len);
    return CLEARED(rc, out_data == NULL && out_len == 0);
})
CASE(c_get_null_len, {
    garbage();
    int rc = toonstore_get(f->db, f->id, &out_data, NULL);
    return CLEARED(rc, out_data == NULL); /* cleared, and nothing leaked */
})
CASE(c_get_closed, {
    out_data = (uint8_t *)&out_data;
    int rc = toonstore_get(f->closed, f->id, &out_data, &out_len);
    return out_data == NULL && out_len == 0 ? rc : 1;
})
CASE(c_get_into_null_len, { return toonstore_get_into(f->db, f->id, buf, sizeof buf, NULL); })
CASE(c_get_into_null_buf, {
    garbage();
    int rc = toonstore_get_into(f->db, f->id, NULL, 4, &out_len);
    return CLEARED(rc, out_len == 0);
})
CASE(c_get_into_negative, {
    garbage();
    int rc = toonstore_get_into(f->db, -5, buf, sizeof buf, &out_len);
    return CLEARED(rc, out_len == 0);
})
CASE(c_get_into_null_db, {
    garbage();
    int rc = toonstore_get_into(NULL, 0, buf, sizeof buf, &out_len);
    return CLEARED(rc, out_len == 0);
})
CASE(c_get_into_closed, {
    garbage();
    int rc = toonstore_get_into(f->closed, f->id, buf, sizeof buf, &out_len);
    return CLEARED(rc, out_len == 0);
})
CASE(c_contains_null_db, { return toonstore_contains(NULL, 0); })
CASE(c_contains_negative, { return toonstore_contains(f->db, -1); })
CASE(c_contains_closed, { return toonstore_contains(f->closed, 0); })
CASE(c_delete_null_db, { return toonstore_delete(NULL, 0); })
CASE(c_delete_negative, { return toonstore_delete(f->db, -1); })
CASE(c_delete_int64_min, { return toonstore_delete(f->db, INT64_MIN); })
CASE(c_delete_closed, { return toonstore_delete(f->closed, f->id); })
/* scans and iterators */
CASE(c_scan_null_db, { return iter_result(toonstore_scan(NULL)); })
CASE(c_scan_closed, { return iter_result(toonstore_scan(f->closed)); })
CASE(c_scan_from_negative, { return iter_result(toonstore_scan_from(f->db, -1)); })
CASE(c_scan_from_null_db, { return iter_result(toonstore_scan_from(NULL, 0)); })
CASE(c_scan_from_closed, { return iter_result(toonstore_scan_from(f->closed, 0)); })
CASE(c_iter_next_null_iter, {
    garbage();
    int rc = toonstore_iter_next(NULL, &out_id, &out_data, &out_len);
    return CLEARED(rc, out_id == -1 && out_data == NULL && out_len == 0);
})
CASE(c_iter_next_null_id, {
    garbage();
    int rc = toonstore_iter_next(f->it, NULL, &out_data, &out_len);
    return CLEARED(rc, out_data == NULL && out_len == 0);
})
CASE(c_iter_next_null_data, {
    garbage();
    int rc = toonstore_iter_next(f->it, &out_id, NULL, &out_len);
    return CLEARED(rc, out_id == -1 && out_len == 0);
})
CASE(c_iter_next_null_len, {
    garbage();
    int rc = toonstore_iter_next(f->it, &out_id, &out_data, NULL);
    return CLEARED(rc, out_id == -1 && out_data == NULL);
})
CASE(c_iter_next_freed, {
    garbage();
    int rc = toonstore_iter_next(f->freed_it, &out_id, &out_data, &out_len);
    return CLEARED(rc, out_id == -1 && out_data == NULL && out_len == 0);
})
CASE(c_iter_next_db_as_iter, {
    garbage();
    int rc = toonstore_iter_next((ToonStoreIter *)f->db, &out_id, &out_data, &out_len);
    return CLEARED(rc, out_id == -1 && out_data == NULL && out_len == 0);
})
CASE(c_iter_free_freed, {
    toonstore_iter_free(f->freed_it);
    return 0;
})
CASE(c_iter_free_null, {
    toonstore_iter_free(NULL);
    return 0;
})
/* batches */
CASE(c_batch_put_null_batch, { return toonstore_batch_put(NULL, buf, 1); })
CASE(c_batch_put_null_data, { return toonstore_batch_put(f->batch, NULL, 3); })
CASE(c_batch_put_huge_len, { return toonstore_batch_put(f->batch, buf, SIZE_MAX); })
CASE(c_batch_put_freed, { return toonstore_batch_put(f->freed_batch, buf, 1); })
CASE(c_batch_put_db_as_batch, { return toonstore_batch_put((ToonStoreBatch *)f->db, buf, 1); })
CASE(c_batch_delete_null_batch, { return toonstore_batch_delete(NULL, 0); })
CASE(c_batch_delete_negative, { return toonstore_batch_delete(f->batch, -1); })
CASE(c_batch_delete_freed, { return toonstore_batch_delete(f->freed_batch, 0); })
CASE(c_batch_count_null, { return (int)toonstore_batch_count(NULL); })
CASE(c_batch_count_freed, { return (int)toonstore_batch_count(f->freed_batch); })
CASE(c_batch_clear_null, {
    toonstore_batch_clear(NULL);
    return 0;
})
CASE(c_batch_clear_freed, {
    toonstore_batch_clear(f->freed_batch);
    return 0;
})
CASE(c_batch_commit_null_db, {
    garbage();
    int rc = toonstore_batch_commit(NULL, f->batch, &out_id);
    return CLEARED(rc, out_id == -1);
})
CASE(c_batch_commit_null_batch, {
    garbage();
    int rc = toonstore_batch_commit(f->db, NULL, &out_id);
    return CLEARED(rc, out_id == -1);
})
CASE(c_batch_commit_closed_db, {
    garbage();
    int rc = toonstore_batch_commit(f->closed, f->batch, &out_id);
    return CLEARED(rc, out_id == -1);
})
CASE(c_batch_commit_freed_batch, {
    garbage();
    int rc = toonstore_batch_commit(f->db, f->freed_batch, &out_id);
    return CLEARED(rc, out_id == -1);
})
CASE(c_batch_free_freed, {
    toonstore_batch_free(f->freed_batch);
    return 0;
})
/* sync, compact, stats */
CASE(c_sync_null, { return toonstore_sync(NULL); })
CASE(c_sync_closed, { return toonstore_sync(f->closed); })
CASE(c_compact_null, { return toonstore_compact(NULL); })
CASE(c_compact_closed, { return toonstore_compact(f->closed); })
CASE(c_stats_null_db, {
    st.version = TOONSTORE_STATS_VERSION;
    st.live_rows = st.next_row_id = 4242;
    int rc = toonstore_stats(NULL, &st);
    return CLEARED(rc, st.version == TOONSTORE_STATS_VERSION && st.live_rows == 0 && st.next_row_id == 0);
})
CASE(c_stats_null_out, { return toonstore_stats(f->db, NULL); })
CASE(c_stats_closed, {
    st.version = TOONSTORE_STATS_VERSION;
    st.live_rows = st.disk_bytes = 4242;
    int rc = toonstore_stats(f->closed, &st);
    return CLEARED(rc, st.version == TOONSTORE_STATS_VERSION && st.live_rows == 0 && st.disk_bytes == 0);
})
CASE(c_stats_version_0, {
    st.version = 0;
    return toonstore_stats(f->db, &st);
})
/* backup, refresh */
CASE(c_backup_null_db, { return toonstore_backup(NULL, f->fresh); })
CASE(c_backup_null_dest, { return toonstore_backup(f->db, NULL); })
CASE(c_backup_empty_dest, { return toonstore_backup(f->db, ""); })
CASE(c_backup_closed, { return toonstore_backup(f->closed, f->fresh); })
CASE(c_refresh_null, { return toonstore_refresh(NULL); })
CASE(c_refresh_closed, { return toonstore_refresh(f->closed); })
/* snapshots */
CASE(c_snapshot_open_null_db, {
    out_snap = (ToonStoreSnapshot *)&out_snap;
    int rc = toonstore_snapshot_open(NULL, &out_snap);
    return out_snap == NULL ? rc : 1;
})
CASE(c_snapshot_open_null_out, { return toonstore_snapshot_open(f->db, NULL); })
CASE(c_snapshot_open_closed, {
    out_snap = (ToonStoreSnapshot *)&out_snap;
    int rc = toonstore_snapshot_open(f->closed, &out_snap);
    return out_snap == NULL ? rc : 1;
})
CASE(c_snapshot_get_null_snap, {
    garbage();
    int rc = toonstore_snapshot_get(NULL, 0, &out_cdata, &out_len);
    return CLEARED(rc, out_cdata == NULL && out_len == 0);
})
CASE(c_snapshot_get_negative, {
    garbage();
    int rc = toonstore_snapshot_get(f->snap, -1, &out_cdata, &out_len);
    return CLEARED(rc, out_cdata == NULL && out_len == 0);
})
CASE(c_snapshot_get_null_data, {
    garbage();
    int rc = toonstore_snapshot_get(f->snap, f->id, NULL, &out_len);
    return CLEARED(rc, out_len == 0);
})
CASE(c_snapshot_get_null_len, {
    garbage();
    int rc = toonstore_snapshot_get(f->snap, f->id, &out_cdata, NULL);
    return CLEARED(rc, out_cdata == NULL);
})
CASE(c_snapshot_get_freed, {
    garbage();
    int rc = toonstore_snapshot_get(f->freed_snap, f->id, &out_cdata, &out_len);
    return CLEARED(rc, out_cdata == NULL && out_len == 0);
})
CASE(c_snapshot_get_db_as_snap, {
    garbage();
    int rc = toonstore_snapshot_get((ToonStoreSnapshot *)f->db, f->id, &out_cdata, &out_len);
    return CLEARED(rc, out_cdata == NULL && out_len == 0);
})
CASE(c_snapshot_scan_null, { return iter_result(toonstore_snapshot_scan(NULL, 0)); })
CASE(c_snapshot_scan_negative, { return iter_result(toonstore_snapshot_scan(f->snap, -1)); })
CASE(c_snapshot_scan_freed, { return iter_result(toonstore_snapshot_scan(f->freed_snap, 0)); })
/* scan_range / snapshot_scan_range: the result is the code; *out_iter must be
 * cleared on every failure (it is loaded with garbage first). */
#define RANGE_CASE(id, call)                                                                     \
    CASE(id, {                                                                                   \
        out_iter = (ToonStoreIter *)&out_iter;                                                   \
        int rc = call;                                                                           \
        if (rc == TOONSTORE_OK) toonstore_iter_free(out_iter);                                   \
        return CLEARED(rc, rc == TOONSTORE_OK || out_iter == NULL);                              \
    })
RANGE_CASE(c_scan_range_null_db, toonstore_scan_range(NULL, 0, TOONSTORE_SCAN_END, 0, &out_iter))
RANGE_CASE(c_scan_range_closed, toonstore_scan_range(f->closed, 0, TOONSTORE_SCAN_END, 0, &out_iter))
RANGE_CASE(c_scan_range_snap_as_db,
           toonstore_scan_range((ToonStore *)f->snap, 0, TOONSTORE_SCAN_END, 0, &out_iter))
CASE(c_scan_range_null_out, { return toonstore_scan_range(f->db, 0, TOONSTORE_SCAN_END, 0, NULL); })
RANGE_CASE(c_scan_range_negative_start, toonstore_scan_range(f->db, -1, TOONSTORE_SCAN_END, 0, &out_iter))
RANGE_CASE(c_scan_range_min_start, toonstore_scan_range(f->db, INT64_MIN, 5, 0, &out_iter))
RANGE_CASE(c_scan_range_stop_below_start, toonstore_scan_range(f->db, 5, 4, 0, &out_iter))
RANGE_CASE(c_scan_range_negative_stop, toonstore_scan_range(f->db, 0, -1, TOONSTORE_SCAN_REVERSE, &out_iter))
RANGE_CASE(c_scan_range_unknown_flag, toonstore_scan_range(f->db, 0, TOONSTORE_SCAN_END, 2, &out_iter))
RANGE_CASE(c_scan_range_high_flag,
           toonstore_scan_range(f->db, 0, TOONSTORE_SCAN_END, 0x80000000u | TOONSTORE_SCAN_REVERSE, &out_iter))
RANGE_CASE(c_scan_range_empty_ok, toonstore_scan_range(f->db, 7, 7, TOONSTORE_SCAN_REVERSE, &out_iter))
RANGE_CASE(c_snapshot_scan_range_null,
           toonstore_snapshot_scan_range(NULL, 0, TOONSTORE_SCAN_END, 0, &out_iter))
RANGE_CASE(c_snapshot_scan_range_freed,
           toonstore_snapshot_scan_range(f->freed_snap, 0, TOONSTORE_SCAN_END, 0, &out_iter))
RANGE_CASE(c_snapshot_scan_range_db_as_snap,
           toonstore_snapshot_scan_range((ToonStoreSnapshot *)f->db, 0, TOONSTORE_SCAN_END, 0, &out_iter))
CASE(c_snapshot_scan_range_null_out,
     { return toonstore_snapshot_scan_range(f->snap, 0, TOONSTORE_SCAN_END, 0, NULL); })
RANGE_CASE(c_snapshot_scan_range_negative_start,
           toonstore_snapshot_scan_range(f->snap, -1, TOONSTORE_SCAN_END, 0, &out_iter))
RANGE_CASE(c_snapshot_scan_range_stop_below_start,
           toonstore_snapshot_scan_range(f->snap, 3, 2, TOONSTORE_SCAN_REVERSE, &out_iter))
RANGE_CASE(c_snapshot_scan_range_unknown_flag,
           toonstore_snapshot_scan_range(f->snap, 0, TOONSTORE_SCAN_END, 4, &out_iter))
CASE(c_snapshot_free_freed, {
    toonstore_snapshot_free(f->freed_snap);
    return 0;
})
/* check */
static ToonStoreCheckReport report;
CASE(c_check_null_path, {
    report.version = TOONSTORE_CHECK_REPORT_VERSION;
    report.records = report.segments = 4242;
    report.first_problem[0] = 'x';
    int rc = toonstore_check(NULL, &report);
    return CLEARED(rc, report.records == 0 && report.segments == 0 && report.first_problem[0] == 0);
})
CASE(c_check_empty_path, {
    report.version = TOONSTORE_CHECK_REPORT_VERSION;
    report.records = report.segments = 4242;
    report.first_problem[0] = 'x';
    int rc = toonstore_check("", &report);
    return CLEARED(rc, report.records == 0 && report.segments == 0 && report.first_problem[0] == 0);
})
CASE(c_check_null_out, { return toonstore_check(f->fresh, NULL); })
CASE(c_check_version_0, {
    report.version = 0;
    return toonstore_check(f->fresh, &report);
})
CASE(c_check_missing_db, {
    report.version = TOONSTORE_CHECK_REPORT_VERSION;
    report.records = report.segments = 4242;
    report.first_problem[0] = 'x';
    int rc = toonstore_check(f->fresh, &report);
    return CLEARED(rc, report.records == 0 && report.segments == 0 && report.first_problem[0] == 0);
})
/* the table, the free functions */
CASE(c_api_0, { return toonstore_api(0) == NULL ? toonstore_last_error_code() : 1; })
CASE(c_api_99, { return toonstore_api(99) == NULL ? toonstore_last_error_code() : 1; })
CASE(c_free_buffer_null, {
    toonstore_free_buffer(NULL);
    return 0;
})
CASE(c_free_string_null, {
    toonstore_free_string(NULL);
    return 0;
})

#define INV TOONSTORE_ERR_INVALID_ARG
#define CLO TOONSTORE_ERR_CLOSED

static const struct bad_case cases[] = {
    {"open(NULL)", c_open_null, INV, INV},
    {"open(\"\")", c_open_empty, INV, INV},
    {"open(non-UTF-8 path)", c_open_non_utf8, INV, INV},
    {"open_with(NULL path)", c_open_with_null_path, INV, INV},
    {"open_with(out_db NULL)", c_open_with_null_out, INV, INV},
    {"open_with(non-UTF-8 path)", c_open_with_non_utf8, INV, INV},
    {"open_with(durability 99)", c_open_with_bad_durability, INV, INV},
    {"open_with(options version 0)", c_open_with_version_0, TOONSTORE_ERR_VERSION, TOONSTORE_ERR_VERSION},
    {"open_options_init(NULL)", c_options_init_null, INV, INV},
    {"open_options_init(version 0)", c_options_init_v0, TOONSTORE_ERR_VERSION, TOONSTORE_ERR_VERSION},
    {"close_checked(closed)", c_close_checked_closed, CLO, CLO},
    {"close(closed)", c_close_closed, 0, CLO},
    {"close_checked(iterator as db)", c_close_checked_iter_as_db, CLO, CLO},
    {"put(NULL db)", c_put_null_db, INV, INV},
    {"put(NULL data, len 1)", c_put_null_data, INV, INV},
    {"put(len SIZE_MAX)", c_put_huge_len, TOONSTORE_ERR_TOO_LARGE, TOONSTORE_ERR_TOO_LARGE},
    {"put(len 2^40)", c_put_beyond_format, TOONSTORE_ERR_TOO_LARGE, TOONSTORE_ERR_TOO_LARGE},
    {"put_with(len 2^40)", c_put_with_beyond_format, TOONSTORE_ERR_TOO_LARGE, TOONSTORE_ERR_TOO_LARGE},
    {"batch_put(len 2^40)", c_batch_put_beyond_format, TOONSTORE_ERR_TOO_LARGE, TOONSTORE_ERR_TOO_LARGE},
    {"batch_put(len 2^29)", c_batch_put_just_beyond_format, TOONSTORE_ERR_TOO_LARGE, TOONSTORE_ERR_TOO_LARGE},
    {"put(len > max_value_size)", c_put_over_limit, TOONSTORE_ERR_TOO_LARGE, TOONSTORE_ERR_TOO_LARGE},
    {"put(closed)", c_put_closed, CLO, CLO},
    {"put(iterator as db)", c_put_iter_as_db, CLO, CLO},
    {"put(snapshot as db)", c_put_snapshot_as_db, CLO, CLO},
    {"put(batch as db)", c_put_batch_as_db, CLO, CLO},
    {"put_with(NULL db)", c_put_with_null_db, INV, INV},
    {"put_with(NULL data, len 2)", c_put_with_null_data, INV, INV},
    {"put_with(durability 3)", c_put_with_bad_durability, INV, INV},
    {"put_with(durability 0x7FFFFFFF)", c_put_with_bad_durability_big, INV, INV},
    {"put_with(len > max_value_size)", c_put_with_over_limit, TOONSTORE_ERR_TOO_LARGE, TOONSTORE_ERR_TOO_LARGE},
    {"put_with(closed)", c_put_with_closed, CLO, CLO},
    {"get(NULL db)", c_get_null_db, INV, INV},
    {"get(id -1)", c_get_negative, INV, INV},
    {"get(id INT64_MIN)", c_get_int64_min, INV, INV},
    {"get(data NULL)", c_get_null_data, INV, INV},
    {"get(len NULL)", c_get_null_len, INV, INV},
    {"get(id never assigned)", c_get_not_found, TOONSTORE_ERR_NOT_FOUND, TOONSTORE_ERR_NOT_FOUND},
    {"get(closed)", c_get_closed, CLO, CLO},
    {"get_into(out_len NULL)", c_get_into_null_len, INV, INV},
    {"get_into(buf NULL, cap 4)", c_get_into_null_buf, INV, INV},
    {"get_into(id -5)", c_get_into_negative, INV, INV},
    {"get_into(NULL db)", c_get_into_null_db, INV, INV},
    {"get_into(closed)", c_get_into_closed, CLO, CLO},
    {"contains(NULL db)", c_contains_null_db, INV, INV},
    {"contains(id -1)", c_contains_negative, INV, INV},
    {"contains(closed)", c_contains_closed, CLO, CLO},
    {"delete(NULL db)", c_delete_null_db, INV, INV},
    {"delete(id -1)", c_delete_negative, INV, INV},
    {"delete(id INT64_MIN)", c_delete_int64_min, INV, INV},
    {"delete(closed)", c_delete_closed, CLO, CLO},
    {"scan(NULL db)", c_scan_null_db, INV, INV},
    {"scan(closed)", c_scan_closed, CLO, CLO},
    {"scan_from(id -1)", c_scan_from_negative, INV, INV},
    {"scan_from(NULL db)", c_scan_from_null_db, INV, INV},
    {"scan_from(closed)", c_scan_from_closed, CLO, CLO},
    {"iter_next(NULL iter)", c_iter_next_null_iter, INV, INV},
    {"iter_next(row_id NULL)", c_iter_next_null_id, INV, INV},
    {"iter_next(data NULL)", c_iter_next_null_data, INV, INV},
    {"iter_next(len NULL)", c_iter_next_null_len, INV, INV},
    {"iter_next(freed iter)", c_iter_next_freed, CLO, CLO},
    {"iter_next(db as iter)", c_iter_next_db_as_iter, CLO, CLO},
    {"iter_free(freed iter)", c_iter_free_freed, 0, NO_ERROR},
    {"iter_free(NULL)", c_iter_free_null, 0, NO_ERROR},
    {"batch_put(NULL batch)", c_batch_put_null_batch, INV, INV},
    {"batch_put(NULL data, len 3)", c_batch_put_null_data, INV, INV},
    {"batch_put(len SIZE_MAX)", c_batch_put_huge_len, TOONSTORE_ERR_TOO_LARGE, TOONSTORE_ERR_TOO_LARGE},
    {"batch_put(freed batch)", c_batch_put_freed, CLO, CLO},
    {"batch_put(db as batch)", c_batch_put_db_as_batch, CLO, CLO},
    {"batch_delete(NULL batch)", c_batch_delete_null_batch, INV, INV},
    {"batch_delete(id -1)", c_batch_delete_negative, INV, INV},
    {"batch_delete(freed batch)", c_batch_delete_freed, CLO, CLO},
    {"batch_count(NULL)", c_batch_count_null, 0, NO_ERROR},
    {"batch_count(freed batch)", c_batch_count_freed, 0, NO_ERROR},
    {"batch_clear(NULL)", c_batch_clear_null, 0, INV},
    {"batch_clear(freed batch)", c_batch_clear_freed, 0, CLO},
    {"batch_commit(NULL db)", c_batch_commit_null_db, INV, INV},
    {"batch_commit(NULL batch)", c_batch_commit_null_batch, INV, INV},
    {"batch_commit(closed db)", c_batch_commit_closed_db, CLO, CLO},
    {"batch_commit(freed batch)", c_batch_commit_freed_batch, CLO, CLO},
    {"batch_free(freed batch)", c_batch_free_freed, 0, NO_ERROR},
    {"sync(NULL)", c_sync_null, INV, INV},
    {"sync(closed)", c_sync_closed, CLO, CLO},
    {"compact(NULL)", c_compact_null, INV, INV},
    {"compact(closed)", c_compact_closed, CLO, CLO},
    {"stats(NULL db)", c_stats_null_db, INV, INV},
    {"stats(out NULL)", c_stats_null_out, INV, INV},
    {"stats(closed)", c_stats_closed, CLO, CLO},
    {"stats(version 0)", c_stats_version_0, TOONSTORE_ERR_VERSION, TOONSTORE_ERR_VERSION},
    {"backup(NULL db)", c_backup_null_db, INV, INV},
    {"backup(dest NULL)", c_backup_null_dest, INV, INV},
    {"backup(dest empty)", c_backup_empty_dest, INV, INV},
    {"backup(closed)", c_backup_closed, CLO, CLO},
    {"refresh(NULL)", c_refresh_null, INV, INV},
    {"refresh(closed)", c_refresh_closed, CLO, CLO},
    {"snapshot_open(NULL db)", c_snapshot_open_null_db, INV, INV},
    {"snapshot_open(out NULL)", c_snapshot_open_null_out, INV, INV},
    {"snapshot_open(closed)", c_snapshot_open_closed, CLO, CLO},
    {"snapshot_get(NULL snapshot)", c_snapshot_get_null_snap, INV, INV},
    {"snapshot_get(id -1)", c_snapshot_get_negative, INV, INV},
    {"snapshot_get(data NULL)", c_snapshot_get_null_data, INV, INV},
    {"snapshot_get(len NULL)", c_snapshot_get_null_len, INV, INV},
    {"snapshot_get(freed snapshot)", c_snapshot_get_freed, CLO, CLO},
    {"snapshot_get(db as snapshot)", c_snapshot_get_db_as_snap, CLO, CLO},
    {"snapshot_scan(NULL)", c_snapshot_scan_null, INV, INV},
    {"snapshot_scan(id -1)", c_snapshot_scan_negative, INV, INV},
    {"snapshot_scan(freed snapshot)", c_snapshot_scan_freed, CLO, CLO},
    {"scan_range(NULL db)", c_scan_range_null_db, INV, INV},
    {"scan_range(closed)", c_scan_range_closed, CLO, CLO},
    {"scan_range(snapshot as db)", c_scan_range_snap_as_db, CLO, CLO},
    {"scan_range(out_iter NULL)", c_scan_range_null_out, INV, INV},
    {"scan_range(start -1)", c_scan_range_negative_start, INV, INV},
    {"scan_range(start INT64_MIN)", c_scan_range_min_start, INV, INV},
    {"scan_range(stop < start)", c_scan_range_stop_below_start, INV, INV},
    {"scan_range(stop -1)", c_scan_range_negative_stop, INV, INV},
    {"scan_range(flag 2)", c_scan_range_unknown_flag, INV, INV},
    {"scan_range(flag 0x80000001)", c_scan_range_high_flag, INV, INV},
    {"scan_range(stop == start, reverse)", c_scan_range_empty_ok, TOONSTORE_OK, NO_ERROR},
    {"snapshot_scan_range(NULL)", c_snapshot_scan_range_null, INV, INV},
    {"snapshot_scan_range(freed snapshot)", c_snapshot_scan_range_freed, CLO, CLO},
    {"snapshot_scan_range(db as snapshot)", c_snapshot_scan_range_db_as_snap, CLO, CLO},
    {"snapshot_scan_range(out_iter NULL)", c_snapshot_scan_range_null_out, INV, INV},
    {"snapshot_scan_range(start -1)", c_snapshot_scan_range_negative_start, INV, INV},
    {"snapshot_scan_range(stop < start)", c_snapshot_scan_range_stop_below_start, INV, INV},
    {"snapshot_scan_range(flag 4)", c_snapshot_scan_range_unknown_flag, INV, INV},
    {"snapshot_free(freed snapshot)", c_snapshot_free_freed, 0, NO_ERROR},
    {"check(NULL path)", c_check_null_path, INV, INV},
    {"check(\"\")", c_check_empty_path, INV, INV},
    {"check(out NULL)", c_check_null_out, INV, INV},
    {"check(report version 0)", c_check_version_0, TOONSTORE_ERR_VERSION, TOONSTORE_ERR_VERSION},
    {"check(missing database)", c_check_missing_db, TOONSTORE_ERR_IO, TOONSTORE_ERR_IO},
    {"api(0)", c_api_0, TOONSTORE_ERR_VERSION, TOONSTORE_ERR_VERSION},
    {"api(99)", c_api_99, TOONSTORE_ERR_VERSION, TOONSTORE_ERR_VERSION},
    {"free_buffer(NULL)", c_free_buffer_null, 0, NO_ERROR},
    {"free_string(NULL)", c_free_string_null, 0, NO_ERROR},
};

static void set_marker(void) {
    ToonStoreOpenOptions o;
    (void)toonstore_open_options_init(&o, 4242); /* "... version 4242 is not known ..." */
}

static void small_limit(ToonStoreOpenOptions *o) { o->max_value_size = 8; }

void test_bad_args_table(void) {
    struct fixture f;
    memset(&f, 0, sizeof f);
    f.db = toonstore_open(ts_path("bad-args"));
    f.small = ts_open_opts(ts_path("bad-args-small"), small_limit);
    f.closed = toonstore_open(ts_path("bad-args-closed"));
    REQUIRE(f.db != NULL && f.small != NULL && f.closed != NULL);
    toonstore_close(f.closed);
    f.id = ts_put_str(f.db, "a live row");
    REQUIRE(f.id >= 0);
    f.it = toonstore_scan(f.db);
    f.freed_it = toonstore_scan(f.db);
    f.batch = toonstore_batch_new();
    f.freed_batch = toonstore_batch_new();
    REQUIRE(f.it && f.freed_it && f.batch && f.freed_batch);
    toonstore_iter_free(f.freed_it);
    toonstore_batch_free(f.freed_batch);
    REQUIRE(toonstore_batch_put(f.batch, (const uint8_t *)"pending", 7) == TOONSTORE_OK);
    REQUIRE(toonstore_snapshot_open(f.db, &f.snap) == TOONSTORE_OK);
    REQUIRE(toonstore_snapshot_open(f.db, &f.freed_snap) == TOONSTORE_OK);
    toonstore_snapshot_free(f.freed_snap);
    f.fresh = ts_path("bad-args-never-created");

    set_marker();
    char marker[512];
    REQUIRE(toonstore_last_error() != NULL);
    snprintf(marker, sizeof marker, "%s", toonstore_last_error());
    REQUIRE(ts_contains_ci(marker, "4242"));

    size_t n = sizeof cases / sizeof cases[0];
    for (size_t i = 0; i < n; i++) {
        const struct bad_case *c = &cases[i];
        set_marker();
        int rc = c->call(&f);
        int err = toonstore_last_error_code();
        const char *msg = toonstore_last_error();
        CHECK_MSG(rc == c->rc, "%s: returned %d (%s), expected %d (%s); message: %s", c->name, rc,
                  toonstore_strerror(rc), c->rc, toonstore_strerror(c->rc), msg ? msg : "none");
        if (c->err == NO_ERROR) {
            CHECK_MSG(msg != NULL && strcmp(msg, marker) == 0, "%s: set an error: %s", c->name,
                      msg ? msg : "none");
        } else {
            CHECK_MSG(err == c->err, "%s: last error code %d, expected %d", c->name, err, c->err);
            CHECK_MSG(msg != NULL && *msg != '\0' && strcmp(msg, marker) != 0,
                      "%s: no message of its own (still: %s)", c->name, msg ? msg : "NULL");
        }
    }

    /* The fixture survived every bad call: the live handles still work. */
    CHECK_ROW(f.db, f.id, "a live row");
    CHECK_EQ(toonstore_batch_count(f.batch), 1);
    CHECK_EQ(toonstore_batch_commit(f.db, f.batch, &out_id), TOONSTORE_OK);
    CHECK_EQ(out_id, f.id + 1);
    CHECK_EQ(toonstore_snapshot_get(f.snap, f.id, &out_cdata, &out_len), TOONSTORE_OK);
    CHECK(out_len == 10 && memcmp(out_cdata, "a live row", 10) == 0);
    CHECK_EQ(toonstore_iter_next(f.it, &out_id, &out_data, &out_len), 1);
    CHECK_EQ(out_id, f.id);
    CHECK_EQ(toonstore_contains(f.small, 0), 0);
    /* None of the failed opens created anything. */
    struct stat sb;
    CHECK(stat(f.fresh, &sb) != 0);

    toonstore_iter_free(f.it);
    toonstore_batch_free(f.batch);
    toonstore_snapshot_free(f.snap);
    toonstore_close(f.small);
    toonstore_close(f.db);
}

void test_bad_args_double_close_via_close_checked(void) {
    ToonStore *db = toonstore_open(ts_path("double-close"));
    REQUIRE(db != NULL);
    CHECK(ts_put_str(db, "x") >= 0);
    CHECK_EQ(toonstore_close_checked(db), TOONSTORE_OK);
    CHECK_EQ(toonstore_close_checked(db), TOONSTORE_ERR_CLOSED);
    CHECK(ts_contains_ci(toonstore_last_error(), "closed"));
    CHECK_EQ(toonstore_close_checked(db), TOONSTORE_ERR_CLOSED);
    toonstore_close(db); /* and the void variant does not crash either */
    CHECK_EQ(toonstore_last_error_code(), TOONSTORE_ERR_CLOSED);
}
