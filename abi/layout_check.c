/*
 * The ABI baseline of libtoonstore 1.x: the size, alignment and field
 * offsets of every public struct, the type of every field and of every
 * exported function, and the value of every constant, as released in 1.0.
 *
 * tests/abi/check_abi.sh compiles this file against the *current*
 * include/toonstore.h (C11, -Wall -Wextra -Wpedantic -Werror); any change
 * that would break a program built against 1.0 stops the compile with the
 * name of what moved. See abi/README.md for the rules and for how to append
 * entries when the ABI grows on purpose (never edit or delete one).
 *
 * Struct sizes are checked with `>=`: a struct may grow at its end (with a
 * new version number in its first field), never shrink or move a field.
 * Layout numbers are for LP64 (x86_64, aarch64); the function table holds
 * pointers, so its offsets are only checked there.
 */
#include <stddef.h>
#include <stdint.h>

#include "toonstore.h"

#if !defined(__STDC_VERSION__) || __STDC_VERSION__ < 201112L
#error "layout_check.c needs C11 (_Static_assert, _Generic, _Alignof)"
#endif

/* The type of `expr` (unevaluated) is exactly `type`. */
#define TS_TYPE_IS(expr, type) \
    _Static_assert(_Generic((expr), type: 1, default: 0), #expr " is no longer " #type)

/* The opaque handle types still exist under their names. */
typedef ToonStore ts_check_db;
typedef ToonStoreIter ts_check_iter;
typedef ToonStoreBatch ts_check_batch;
typedef ToonStoreSnapshot ts_check_snapshot;

/* ToonStoreOpenOptions */
_Static_assert(sizeof(ToonStoreOpenOptions) >= 40, "ToonStoreOpenOptions shrank");
_Static_assert(_Alignof(ToonStoreOpenOptions) == 8, "alignment of ToonStoreOpenOptions changed");
_Static_assert(offsetof(ToonStoreOpenOptions, version) == 0 && sizeof(((ToonStoreOpenOptions *)0)->version) == 4, "ToonStoreOpenOptions.version moved");
_Static_assert(offsetof(ToonStoreOpenOptions, durability) == 4 && sizeof(((ToonStoreOpenOptions *)0)->durability) == 4, "ToonStoreOpenOptions.durability moved");
_Static_assert(offsetof(ToonStoreOpenOptions, read_only) == 8 && sizeof(((ToonStoreOpenOptions *)0)->read_only) == 4, "ToonStoreOpenOptions.read_only moved");
_Static_assert(offsetof(ToonStoreOpenOptions, create_if_missing) == 12 && sizeof(((ToonStoreOpenOptions *)0)->create_if_missing) == 4, "ToonStoreOpenOptions.create_if_missing moved");
_Static_assert(offsetof(ToonStoreOpenOptions, verify_checksums) == 16 && sizeof(((ToonStoreOpenOptions *)0)->verify_checksums) == 4, "ToonStoreOpenOptions.verify_checksums moved");
_Static_assert(offsetof(ToonStoreOpenOptions, sync_interval_ms) == 20 && sizeof(((ToonStoreOpenOptions *)0)->sync_interval_ms) == 4, "ToonStoreOpenOptions.sync_interval_ms moved");
_Static_assert(offsetof(ToonStoreOpenOptions, max_value_size) == 24 && sizeof(((ToonStoreOpenOptions *)0)->max_value_size) == 8, "ToonStoreOpenOptions.max_value_size moved");
_Static_assert(offsetof(ToonStoreOpenOptions, segment_size) == 32 && sizeof(((ToonStoreOpenOptions *)0)->segment_size) == 8, "ToonStoreOpenOptions.segment_size moved");

/* ToonStoreStats */
_Static_assert(sizeof(ToonStoreStats) >= 64, "ToonStoreStats shrank");
_Static_assert(_Alignof(ToonStoreStats) == 8, "alignment of ToonStoreStats changed");
_Static_assert(offsetof(ToonStoreStats, version) == 0 && sizeof(((ToonStoreStats *)0)->version) == 4, "ToonStoreStats.version moved");
_Static_assert(offsetof(ToonStoreStats, reserved) == 4 && sizeof(((ToonStoreStats *)0)->reserved) == 4, "ToonStoreStats.reserved moved");
_Static_assert(offsetof(ToonStoreStats, live_rows) == 8 && sizeof(((ToonStoreStats *)0)->live_rows) == 8, "ToonStoreStats.live_rows moved");
_Static_assert(offsetof(ToonStoreStats, deleted_rows) == 16 && sizeof(((ToonStoreStats *)0)->deleted_rows) == 8, "ToonStoreStats.deleted_rows moved");
_Static_assert(offsetof(ToonStoreStats, next_row_id) == 24 && sizeof(((ToonStoreStats *)0)->next_row_id) == 8, "ToonStoreStats.next_row_id moved");
_Static_assert(offsetof(ToonStoreStats, live_bytes) == 32 && sizeof(((ToonStoreStats *)0)->live_bytes) == 8, "ToonStoreStats.live_bytes moved");
_Static_assert(offsetof(ToonStoreStats, disk_bytes) == 40 && sizeof(((ToonStoreStats *)0)->disk_bytes) == 8, "ToonStoreStats.disk_bytes moved");
_Static_assert(offsetof(ToonStoreStats, segment_count) == 48 && sizeof(((ToonStoreStats *)0)->segment_count) == 8, "ToonStoreStats.segment_count moved");
_Static_assert(offsetof(ToonStoreStats, garbage_fraction) == 56 && sizeof(((ToonStoreStats *)0)->garbage_fraction) == 8, "ToonStoreStats.garbage_fraction moved");

/* ToonStoreCheckReport */
_Static_assert(sizeof(ToonStoreCheckReport) >= 544, "ToonStoreCheckReport shrank");
_Static_assert(_Alignof(ToonStoreCheckReport) == 8, "alignment of ToonStoreCheckReport changed");
_Static_assert(offsetof(ToonStoreCheckReport, version) == 0 && sizeof(((ToonStoreCheckReport *)0)->version) == 4, "ToonStoreCheckReport.version moved");
_Static_assert(offsetof(ToonStoreCheckReport, has_checkpoint) == 4 && sizeof(((ToonStoreCheckReport *)0)->has_checkpoint) == 4, "ToonStoreCheckReport.has_checkpoint moved");
_Static_assert(offsetof(ToonStoreCheckReport, segments) == 8 && sizeof(((ToonStoreCheckReport *)0)->segments) == 8, "ToonStoreCheckReport.segments moved");
_Static_assert(offsetof(ToonStoreCheckReport, records) == 16 && sizeof(((ToonStoreCheckReport *)0)->records) == 8, "ToonStoreCheckReport.records moved");
_Static_assert(offsetof(ToonStoreCheckReport, live_rows) == 24 && sizeof(((ToonStoreCheckReport *)0)->live_rows) == 8, "ToonStoreCheckReport.live_rows moved");
_Static_assert(offsetof(ToonStoreCheckReport, first_problem) == 32 && sizeof(((ToonStoreCheckReport *)0)->first_problem) == 512, "ToonStoreCheckReport.first_problem moved");

/* ToonStoreApi */
#if UINTPTR_MAX == UINT64_MAX /* function pointers: 8 bytes on LP64 */
_Static_assert(sizeof(ToonStoreApi) >= 312, "ToonStoreApi shrank");
_Static_assert(_Alignof(ToonStoreApi) == 8, "alignment of ToonStoreApi changed");
_Static_assert(offsetof(ToonStoreApi, version) == 0 && sizeof(((ToonStoreApi *)0)->version) == 4, "ToonStoreApi.version moved");
_Static_assert(offsetof(ToonStoreApi, size) == 4 && sizeof(((ToonStoreApi *)0)->size) == 4, "ToonStoreApi.size moved");
_Static_assert(offsetof(ToonStoreApi, version_number) == 8 && sizeof(((ToonStoreApi *)0)->version_number) == 8, "ToonStoreApi.version_number moved");
_Static_assert(offsetof(ToonStoreApi, version_string) == 16 && sizeof(((ToonStoreApi *)0)->version_string) == 8, "ToonStoreApi.version_string moved");
_Static_assert(offsetof(ToonStoreApi, strerror) == 24 && sizeof(((ToonStoreApi *)0)->strerror) == 8, "ToonStoreApi.strerror moved");
_Static_assert(offsetof(ToonStoreApi, last_error) == 32 && sizeof(((ToonStoreApi *)0)->last_error) == 8, "ToonStoreApi.last_error moved");
_Static_assert(offsetof(ToonStoreApi, last_error_code) == 40 && sizeof(((ToonStoreApi *)0)->last_error_code) == 8, "ToonStoreApi.last_error_code moved");
_Static_assert(offsetof(ToonStoreApi, open) == 48 && sizeof(((ToonStoreApi *)0)->open) == 8, "ToonStoreApi.open moved");
_Static_assert(offsetof(ToonStoreApi, open_options_init) == 56 && sizeof(((ToonStoreApi *)0)->open_options_init) == 8, "ToonStoreApi.open_options_init moved");
_Static_assert(offsetof(ToonStoreApi, open_with) == 64 && sizeof(((ToonStoreApi *)0)->open_with) == 8, "ToonStoreApi.open_with moved");
_Static_assert(offsetof(ToonStoreApi, close) == 72 && sizeof(((ToonStoreApi *)0)->close) == 8, "ToonStoreApi.close moved");
_Static_assert(offsetof(ToonStoreApi, close_checked) == 80 && sizeof(((ToonStoreApi *)0)->close_checked) == 8, "ToonStoreApi.close_checked moved");
_Static_assert(offsetof(ToonStoreApi, put) == 88 && sizeof(((ToonStoreApi *)0)->put) == 8, "ToonStoreApi.put moved");
_Static_assert(offsetof(ToonStoreApi, put_with) == 96 && sizeof(((ToonStoreApi *)0)->put_with) == 8, "ToonStoreApi.put_with moved");
_Static_assert(offsetof(ToonStoreApi, get) == 104 && sizeof(((ToonStoreApi *)0)->get) == 8, "ToonStoreApi.get moved");
_Static_assert(offsetof(ToonStoreApi, get_into) == 112 && sizeof(((ToonStoreApi *)0)->get_into) == 8, "ToonStoreApi.get_into moved");
_Static_assert(offsetof(ToonStoreApi, contains) == 120 && sizeof(((ToonStoreApi *)0)->contains) == 8, "ToonStoreApi.contains moved");
_Static_assert(offsetof(ToonStoreApi, delete_) == 128 && sizeof(((ToonStoreApi *)0)->delete_) == 8, "ToonStoreApi.delete_ moved");
_Static_assert(offsetof(ToonStoreApi, free_buffer) == 136 && sizeof(((ToonStoreApi *)0)->free_buffer) == 8, "ToonStoreApi.free_buffer moved");
_Static_assert(offsetof(ToonStoreApi, free_string) == 144 && sizeof(((ToonStoreApi *)0)->free_string) == 8, "ToonStoreApi.free_string moved");
_Static_assert(offsetof(ToonStoreApi, scan) == 152 && sizeof(((ToonStoreApi *)0)->scan) == 8, "ToonStoreApi.scan moved");
_Static_assert(offsetof(ToonStoreApi, scan_from) == 160 && sizeof(((ToonStoreApi *)0)->scan_from) == 8, "ToonStoreApi.scan_from moved");
_Static_assert(offsetof(ToonStoreApi, iter_next) == 168 && sizeof(((ToonStoreApi *)0)->iter_next) == 8, "ToonStoreApi.iter_next moved");
_Static_assert(offsetof(ToonStoreApi, iter_free) == 176 && sizeof(((ToonStoreApi *)0)->iter_free) == 8, "ToonStoreApi.iter_free moved");
_Static_assert(offsetof(ToonStoreApi, batch_new) == 184 && sizeof(((ToonStoreApi *)0)->batch_new) == 8, "ToonStoreApi.batch_new moved");
_Static_assert(offsetof(ToonStoreApi, batch_put) == 192 && sizeof(((ToonStoreApi *)0)->batch_put) == 8, "ToonStoreApi.batch_put moved");
_Static_assert(offsetof(ToonStoreApi, batch_delete) == 200 && sizeof(((ToonStoreApi *)0)->batch_delete) == 8, "ToonStoreApi.batch_delete moved");
_Static_assert(offsetof(ToonStoreApi, batch_count) == 208 && sizeof(((ToonStoreApi *)0)->batch_count) == 8, "ToonStoreApi.batch_count moved");
_Static_assert(offsetof(ToonStoreApi, batch_clear) == 216 && sizeof(((ToonStoreApi *)0)->batch_clear) == 8, "ToonStoreApi.batch_clear moved");
_Static_assert(offsetof(ToonStoreApi, batch_commit) == 224 && sizeof(((ToonStoreApi *)0)->batch_commit) == 8, "ToonStoreApi.batch_commit moved");
_Static_assert(offsetof(ToonStoreApi, batch_free) == 232 && sizeof(((ToonStoreApi *)0)->batch_free) == 8, "ToonStoreApi.batch_free moved");
_Static_assert(offsetof(ToonStoreApi, sync) == 240 && sizeof(((ToonStoreApi *)0)->sync) == 8, "ToonStoreApi.sync moved");
_Static_assert(offsetof(ToonStoreApi, compact) == 248 && sizeof(((ToonStoreApi *)0)->compact) == 8, "ToonStoreApi.compact moved");
_Static_assert(offsetof(ToonStoreApi, stats) == 256 && sizeof(((ToonStoreApi *)0)->stats) == 8, "ToonStoreApi.stats moved");
_Static_assert(offsetof(ToonStoreApi, snapshot_open) == 264 && sizeof(((ToonStoreApi *)0)->snapshot_open) == 8, "ToonStoreApi.snapshot_open moved");
_Static_assert(offsetof(ToonStoreApi, snapshot_get) == 272 && sizeof(((ToonStoreApi *)0)->snapshot_get) == 8, "ToonStoreApi.snapshot_get moved");
_Static_assert(offsetof(ToonStoreApi, snapshot_scan) == 280 && sizeof(((ToonStoreApi *)0)->snapshot_scan) == 8, "ToonStoreApi.snapshot_scan moved");
_Static_assert(offsetof(ToonStoreApi, snapshot_free) == 288 && sizeof(((ToonStoreApi *)0)->snapshot_free) == 8, "ToonStoreApi.snapshot_free moved");
_Static_assert(offsetof(ToonStoreApi, last_error_copy) == 296 && sizeof(((ToonStoreApi *)0)->last_error_copy) == 8, "ToonStoreApi.last_error_copy moved");
_Static_assert(offsetof(ToonStoreApi, check) == 304 && sizeof(((ToonStoreApi *)0)->check) == 8, "ToonStoreApi.check moved");
#endif

/* macros: values never change once released */
_Static_assert(TOONSTORE_OK == 0, "TOONSTORE_OK changed");
_Static_assert(TOONSTORE_ERR_INVALID_ARG == -1, "TOONSTORE_ERR_INVALID_ARG changed");
_Static_assert(TOONSTORE_ERR_NOT_FOUND == -2, "TOONSTORE_ERR_NOT_FOUND changed");
_Static_assert(TOONSTORE_ERR_IO == -3, "TOONSTORE_ERR_IO changed");
_Static_assert(TOONSTORE_ERR_CORRUPT == -4, "TOONSTORE_ERR_CORRUPT changed");
_Static_assert(TOONSTORE_ERR_LOCKED == -5, "TOONSTORE_ERR_LOCKED changed");
_Static_assert(TOONSTORE_ERR_TOO_LARGE == -6, "TOONSTORE_ERR_TOO_LARGE changed");
_Static_assert(TOONSTORE_ERR_READ_ONLY == -7, "TOONSTORE_ERR_READ_ONLY changed");
_Static_assert(TOONSTORE_ERR_VERSION == -8, "TOONSTORE_ERR_VERSION changed");
_Static_assert(TOONSTORE_ERR_NOMEM == -9, "TOONSTORE_ERR_NOMEM changed");
_Static_assert(TOONSTORE_ERR_INTERNAL == -10, "TOONSTORE_ERR_INTERNAL changed");
_Static_assert(TOONSTORE_ERR_CLOSED == -11, "TOONSTORE_ERR_CLOSED changed");
_Static_assert(TOONSTORE_ERR_BUFFER_TOO_SMALL == -12, "TOONSTORE_ERR_BUFFER_TOO_SMALL changed");
_Static_assert(TOONSTORE_ERR_POISONED == -13, "TOONSTORE_ERR_POISONED changed");
_Static_assert(TOONSTORE_DURABILITY_OFF == 0, "TOONSTORE_DURABILITY_OFF changed");
_Static_assert(TOONSTORE_DURABILITY_NORMAL == 1, "TOONSTORE_DURABILITY_NORMAL changed");
_Static_assert(TOONSTORE_DURABILITY_FULL == 2, "TOONSTORE_DURABILITY_FULL changed");
_Static_assert(TOONSTORE_DURABILITY_DEFAULT == 4294967295u, "TOONSTORE_DURABILITY_DEFAULT changed");
/* Struct and interface versions only grow. */
_Static_assert(TOONSTORE_OPEN_OPTIONS_VERSION >= 1, "TOONSTORE_OPEN_OPTIONS_VERSION went backwards");
_Static_assert(TOONSTORE_STATS_VERSION >= 1, "TOONSTORE_STATS_VERSION went backwards");
_Static_assert(TOONSTORE_CHECK_REPORT_VERSION >= 1, "TOONSTORE_CHECK_REPORT_VERSION went backwards");
_Static_assert(TOONSTORE_API_VERSION >= 1, "TOONSTORE_API_VERSION went backwards");

/* Version macros: 1.x forever in this SONAME; the number follows SQLite's scheme. */
_Static_assert(TOONSTORE_VERSION_MAJOR == 1, "TOONSTORE_VERSION_MAJOR must stay 1 for libtoonstore.so.1");
_Static_assert(TOONSTORE_VERSION_NUMBER == TOONSTORE_VERSION_MAJOR * 1000000 + TOONSTORE_VERSION_MINOR * 1000 + TOONSTORE_VERSION_PATCH, "TOONSTORE_VERSION_NUMBER disagrees with MAJOR/MINOR/PATCH");
_Static_assert(TOONSTORE_VERSION_NUMBER >= 1000000, "version went backwards");
_Static_assert(sizeof(TOONSTORE_VERSION_STRING) >= sizeof("1.0.0"), "TOONSTORE_VERSION_STRING is not MAJOR.MINOR.PATCH");

/* ToonStoreOpenOptions field types */
TS_TYPE_IS(((ToonStoreOpenOptions *)0)->version, uint32_t);
TS_TYPE_IS(((ToonStoreOpenOptions *)0)->durability, uint32_t);
TS_TYPE_IS(((ToonStoreOpenOptions *)0)->read_only, uint32_t);
TS_TYPE_IS(((ToonStoreOpenOptions *)0)->create_if_missing, uint32_t);
TS_TYPE_IS(((ToonStoreOpenOptions *)0)->verify_checksums, uint32_t);
TS_TYPE_IS(((ToonStoreOpenOptions *)0)->sync_interval_ms, uint32_t);
TS_TYPE_IS(((ToonStoreOpenOptions *)0)->max_value_size, uint64_t);
TS_TYPE_IS(((ToonStoreOpenOptions *)0)->segment_size, uint64_t);

/* ToonStoreStats field types */
TS_TYPE_IS(((ToonStoreStats *)0)->version, uint32_t);
TS_TYPE_IS(((ToonStoreStats *)0)->reserved, uint32_t);
TS_TYPE_IS(((ToonStoreStats *)0)->live_rows, uint64_t);
TS_TYPE_IS(((ToonStoreStats *)0)->deleted_rows, uint64_t);
TS_TYPE_IS(((ToonStoreStats *)0)->next_row_id, uint64_t);
TS_TYPE_IS(((ToonStoreStats *)0)->live_bytes, uint64_t);
TS_TYPE_IS(((ToonStoreStats *)0)->disk_bytes, uint64_t);
TS_TYPE_IS(((ToonStoreStats *)0)->segment_count, uint64_t);
TS_TYPE_IS(((ToonStoreStats *)0)->garbage_fraction, double);

/* ToonStoreCheckReport field types */
TS_TYPE_IS(((ToonStoreCheckReport *)0)->version, uint32_t);
TS_TYPE_IS(((ToonStoreCheckReport *)0)->has_checkpoint, uint32_t);
TS_TYPE_IS(((ToonStoreCheckReport *)0)->segments, uint64_t);
TS_TYPE_IS(((ToonStoreCheckReport *)0)->records, uint64_t);
TS_TYPE_IS(((ToonStoreCheckReport *)0)->live_rows, uint64_t);
TS_TYPE_IS(((ToonStoreCheckReport *)0)->first_problem, char *);

/* ToonStoreApi field types */
TS_TYPE_IS(((ToonStoreApi *)0)->version, uint32_t);
TS_TYPE_IS(((ToonStoreApi *)0)->size, uint32_t);
TS_TYPE_IS(((ToonStoreApi *)0)->version_number, uint32_t (*)(void));
TS_TYPE_IS(((ToonStoreApi *)0)->version_string, const char *(*)(void));
TS_TYPE_IS(((ToonStoreApi *)0)->strerror, const char *(*)(int));
TS_TYPE_IS(((ToonStoreApi *)0)->last_error, const char *(*)(void));
TS_TYPE_IS(((ToonStoreApi *)0)->last_error_code, int (*)(void));
TS_TYPE_IS(((ToonStoreApi *)0)->open, struct ToonStore *(*)(const char*));
TS_TYPE_IS(((ToonStoreApi *)0)->open_options_init, int (*)(struct ToonStoreOpenOptions*, uint32_t));
TS_TYPE_IS(((ToonStoreApi *)0)->open_with, int (*)(const char*, const struct ToonStoreOpenOptions*, struct ToonStore**));
TS_TYPE_IS(((ToonStoreApi *)0)->close, void (*)(struct ToonStore*));
TS_TYPE_IS(((ToonStoreApi *)0)->close_checked, int (*)(struct ToonStore*));
TS_TYPE_IS(((ToonStoreApi *)0)->put, int64_t (*)(struct ToonStore*, const uint8_t*, size_t));
TS_TYPE_IS(((ToonStoreApi *)0)->put_with, int (*)(struct ToonStore*, const uint8_t*, size_t, uint32_t, int64_t*));
TS_TYPE_IS(((ToonStoreApi *)0)->get, int (*)(struct ToonStore*, int64_t, uint8_t**, size_t*));
TS_TYPE_IS(((ToonStoreApi *)0)->get_into, int (*)(struct ToonStore*, int64_t, uint8_t*, size_t, size_t*));
TS_TYPE_IS(((ToonStoreApi *)0)->contains, int (*)(struct ToonStore*, int64_t));
TS_TYPE_IS(((ToonStoreApi *)0)->delete_, int (*)(struct ToonStore*, int64_t));
TS_TYPE_IS(((ToonStoreApi *)0)->free_buffer, void (*)(uint8_t*));
TS_TYPE_IS(((ToonStoreApi *)0)->free_string, void (*)(char*));
TS_TYPE_IS(((ToonStoreApi *)0)->scan, struct ToonStoreIter *(*)(struct ToonStore*));
TS_TYPE_IS(((ToonStoreApi *)0)->scan_from, struct ToonStoreIter *(*)(struct ToonStore*, int64_t));
TS_TYPE_IS(((ToonStoreApi *)0)->iter_next, int (*)(struct ToonStoreIter*, int64_t*, uint8_t**, size_t*));
TS_TYPE_IS(((ToonStoreApi *)0)->iter_free, void (*)(struct ToonStoreIter*));
TS_TYPE_IS(((ToonStoreApi *)0)->batch_new, struct ToonStoreBatch *(*)(void));
TS_TYPE_IS(((ToonStoreApi *)0)->batch_put, int (*)(struct ToonStoreBatch*, const uint8_t*, size_t));
TS_TYPE_IS(((ToonStoreApi *)0)->batch_delete, int (*)(struct ToonStoreBatch*, int64_t));
TS_TYPE_IS(((ToonStoreApi *)0)->batch_count, size_t (*)(const struct ToonStoreBatch*));
TS_TYPE_IS(((ToonStoreApi *)0)->batch_clear, void (*)(struct ToonStoreBatch*));
TS_TYPE_IS(((ToonStoreApi *)0)->batch_commit, int (*)(struct ToonStore*, struct ToonStoreBatch*, int64_t*));
TS_TYPE_IS(((ToonStoreApi *)0)->batch_free, void (*)(struct ToonStoreBatch*));
TS_TYPE_IS(((ToonStoreApi *)0)->sync, int (*)(struct ToonStore*));
TS_TYPE_IS(((ToonStoreApi *)0)->compact, int (*)(struct ToonStore*));
TS_TYPE_IS(((ToonStoreApi *)0)->stats, int (*)(struct ToonStore*, struct ToonStoreStats*));
TS_TYPE_IS(((ToonStoreApi *)0)->snapshot_open, int (*)(struct ToonStore*, struct ToonStoreSnapshot**));
TS_TYPE_IS(((ToonStoreApi *)0)->snapshot_get, int (*)(const struct ToonStoreSnapshot*, int64_t, const uint8_t**, size_t*));
TS_TYPE_IS(((ToonStoreApi *)0)->snapshot_scan, struct ToonStoreIter *(*)(const struct ToonStoreSnapshot*, int64_t));
TS_TYPE_IS(((ToonStoreApi *)0)->snapshot_free, void (*)(struct ToonStoreSnapshot*));
TS_TYPE_IS(((ToonStoreApi *)0)->last_error_copy, char *(*)(void));
TS_TYPE_IS(((ToonStoreApi *)0)->check, int (*)(const char*, struct ToonStoreCheckReport*));

/* every exported function: its exact type */
TS_TYPE_IS(&toonstore_api, const struct ToonStoreApi *(*)(uint32_t version));
TS_TYPE_IS(&toonstore_batch_new, struct ToonStoreBatch *(*)(void));
TS_TYPE_IS(&toonstore_batch_put, int (*)(struct ToonStoreBatch *batch, const uint8_t *data, size_t len));
TS_TYPE_IS(&toonstore_batch_delete, int (*)(struct ToonStoreBatch *batch, int64_t row_id));
TS_TYPE_IS(&toonstore_batch_count, size_t (*)(const struct ToonStoreBatch *batch));
TS_TYPE_IS(&toonstore_batch_clear, void (*)(struct ToonStoreBatch *batch));
TS_TYPE_IS(&toonstore_batch_commit, int (*)(struct ToonStore *db, struct ToonStoreBatch *batch, int64_t *out_first_row_id));
TS_TYPE_IS(&toonstore_batch_free, void (*)(struct ToonStoreBatch *batch));
TS_TYPE_IS(&toonstore_check, int (*)(const char *path, struct ToonStoreCheckReport *out));
TS_TYPE_IS(&toonstore_open, struct ToonStore *(*)(const char *path));
TS_TYPE_IS(&toonstore_open_with, int (*)(const char *path, const struct ToonStoreOpenOptions *opts, struct ToonStore **out_db));
TS_TYPE_IS(&toonstore_close, void (*)(struct ToonStore *db));
TS_TYPE_IS(&toonstore_close_checked, int (*)(struct ToonStore *db));
TS_TYPE_IS(&toonstore_put, int64_t (*)(struct ToonStore *db, const uint8_t *data, size_t len));
TS_TYPE_IS(&toonstore_put_with, int (*)(struct ToonStore *db, const uint8_t *data, size_t len, uint32_t durability, int64_t *out_row_id));
TS_TYPE_IS(&toonstore_get, int (*)(struct ToonStore *db, int64_t row_id, uint8_t **data, size_t *len));
TS_TYPE_IS(&toonstore_get_into, int (*)(struct ToonStore *db, int64_t row_id, uint8_t *buf, size_t cap, size_t *out_len));
TS_TYPE_IS(&toonstore_contains, int (*)(struct ToonStore *db, int64_t row_id));
TS_TYPE_IS(&toonstore_delete, int (*)(struct ToonStore *db, int64_t row_id));
TS_TYPE_IS(&toonstore_sync, int (*)(struct ToonStore *db));
TS_TYPE_IS(&toonstore_compact, int (*)(struct ToonStore *db));
TS_TYPE_IS(&toonstore_stats, int (*)(struct ToonStore *db, struct ToonStoreStats *out));
TS_TYPE_IS(&toonstore_last_error, const char *(*)(void));
TS_TYPE_IS(&toonstore_last_error_code, int (*)(void));
TS_TYPE_IS(&toonstore_last_error_copy, char *(*)(void));
TS_TYPE_IS(&toonstore_free_string, void (*)(char *s));
TS_TYPE_IS(&toonstore_free_buffer, void (*)(uint8_t *data));
TS_TYPE_IS(&toonstore_strerror, const char *(*)(int code));
TS_TYPE_IS(&toonstore_version, const char *(*)(void));
TS_TYPE_IS(&toonstore_version_number, uint32_t (*)(void));
TS_TYPE_IS(&toonstore_open_options_init, int (*)(struct ToonStoreOpenOptions *opts, uint32_t version));
TS_TYPE_IS(&toonstore_scan, struct ToonStoreIter *(*)(struct ToonStore *db));
TS_TYPE_IS(&toonstore_scan_from, struct ToonStoreIter *(*)(struct ToonStore *db, int64_t start_row_id));
TS_TYPE_IS(&toonstore_iter_next, int (*)(struct ToonStoreIter *iter, int64_t *row_id, uint8_t **data, size_t *len));
TS_TYPE_IS(&toonstore_iter_free, void (*)(struct ToonStoreIter *iter));
TS_TYPE_IS(&toonstore_snapshot_open, int (*)(struct ToonStore *db, struct ToonStoreSnapshot **out_snapshot));
TS_TYPE_IS(&toonstore_snapshot_get, int (*)(const struct ToonStoreSnapshot *snapshot, int64_t row_id, const uint8_t **data, size_t *len));
TS_TYPE_IS(&toonstore_snapshot_scan, struct ToonStoreIter *(*)(const struct ToonStoreSnapshot *snapshot, int64_t start_row_id));
TS_TYPE_IS(&toonstore_snapshot_free, void (*)(struct ToonStoreSnapshot *snapshot));

/* ---- Added in 1.1 (checked when the header is 1.1 or later; the frozen 1.0
 * header, which this file must also accept, has none of it). ---- */
#if TOONSTORE_VERSION_NUMBER >= 1001000
_Static_assert(TOONSTORE_ERR_FORKED == -14, "TOONSTORE_ERR_FORKED changed");
_Static_assert(TOONSTORE_API_VERSION >= 2, "TOONSTORE_API_VERSION went backwards");
_Static_assert(sizeof(ToonStoreApi) >= 320, "ToonStoreApi shrank");
_Static_assert(offsetof(ToonStoreApi, error_name) == 312 && sizeof(((ToonStoreApi *)0)->error_name) == 8, "ToonStoreApi.error_name moved");
TS_TYPE_IS(((ToonStoreApi *)0)->error_name, const char *(*)(int));
TS_TYPE_IS(&toonstore_error_name, const char *(*)(int code));
#endif

/* ---- Added in 1.2 (function table version 3). ---- */
#if TOONSTORE_VERSION_NUMBER >= 1002000
_Static_assert(TOONSTORE_API_VERSION >= 3, "TOONSTORE_API_VERSION went backwards");
_Static_assert(TOONSTORE_SCAN_END == INT64_MAX, "TOONSTORE_SCAN_END changed");
_Static_assert(TOONSTORE_SCAN_REVERSE == 1, "TOONSTORE_SCAN_REVERSE changed");
_Static_assert(offsetof(ToonStoreApi, scan_range) == 320, "ToonStoreApi.scan_range moved");
_Static_assert(offsetof(ToonStoreApi, snapshot_scan_range) == 328, "ToonStoreApi.snapshot_scan_range moved");
TS_TYPE_IS(((ToonStoreApi *)0)->scan_range, int (*)(struct ToonStore *, int64_t, int64_t, uint32_t, struct ToonStoreIter **));
TS_TYPE_IS(((ToonStoreApi *)0)->snapshot_scan_range, int (*)(const struct ToonStoreSnapshot *, int64_t, int64_t, uint32_t, struct ToonStoreIter **));
TS_TYPE_IS(&toonstore_scan_range, int (*)(struct ToonStore *db, int64_t start, int64_t stop, uint32_t flags, struct ToonStoreIter **out_iter));
TS_TYPE_IS(&toonstore_snapshot_scan_range, int (*)(const struct ToonStoreSnapshot *snapshot, int64_t start, int64_t stop, uint32_t flags, struct ToonStoreIter **out_iter));
_Static_assert(sizeof(ToonStoreApi) >= 352, "ToonStoreApi shrank");
_Static_assert(offsetof(ToonStoreApi, backup) == 336 && sizeof(((ToonStoreApi *)0)->backup) == 8, "ToonStoreApi.backup moved");
_Static_assert(offsetof(ToonStoreApi, refresh) == 344 && sizeof(((ToonStoreApi *)0)->refresh) == 8, "ToonStoreApi.refresh moved");
TS_TYPE_IS(((ToonStoreApi *)0)->backup, int (*)(struct ToonStore *, const char *));
TS_TYPE_IS(((ToonStoreApi *)0)->refresh, int (*)(struct ToonStore *));
TS_TYPE_IS(&toonstore_backup, int (*)(struct ToonStore *db, const char *dest_path));
TS_TYPE_IS(&toonstore_refresh, int (*)(struct ToonStore *db));
#endif
