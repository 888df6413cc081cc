/*
 * shim.h: the C side of the Go binding (shim.c). Each Go operation is one
 * call to one of these functions, which calls libtoonstore and, when that
 * failed, copies the thread's last error message and looks up the error's
 * name in the same call: a goroutine may move to another OS thread between
 * two cgo calls, and toonstore_last_error() is per thread.
 *
 * Results come back by value (structs), so Go passes no variable of its own
 * as an out-parameter (that would make it escape to the heap). The only Go
 * memory these functions see is a byte or integer buffer passed for the
 * duration of one call (no Go pointers inside it); none of it is kept.
 */
#ifndef TOONSTORE_GO_SHIM_H
#define TOONSTORE_GO_SHIM_H

#include <stddef.h>
#include <stdint.h>
#include <toonstore.h>

/* Appended by the robustness work (shared convention); older headers lack it. */
#ifndef TOONSTORE_ERR_FORKED
#define TOONSTORE_ERR_FORKED -14
#endif

/* The outcome of one call. */
typedef struct {
	int64_t value;      /* row id, first row id of a batch, 0/1 for contains */
	size_t len;         /* a row's length */
	const uint8_t *ptr; /* a borrowed row (snapshot get) */
	void *handle;       /* a new handle (database, iterator, snapshot) */
	char *msg;          /* on failure: owned copy of the message (toonstore_free_string), may be NULL */
	const char *name;   /* on failure: static error name */
	int code;           /* TOONSTORE_OK or a negative code */
} ts_res;

/* Which open options the caller set; the others keep the library's defaults. */
enum {
	TS_SET_DURABILITY = 1,
	TS_SET_READ_ONLY = 2,
	TS_SET_CREATE = 4,
	TS_SET_VERIFY = 8,
	TS_SET_SYNC_INTERVAL = 16,
	TS_SET_MAX_VALUE = 32,
	TS_SET_SEGMENT = 64,
};

/* The outcome of filling a batch of rows from an iterator. */
typedef struct {
	size_t count;               /* rows copied into ids/lens/buf */
	size_t used;                /* bytes of buf used */
	int status;                 /* 1: more rows may follow; 0: the iterator ended; <0: error code */
	int has_pending;            /* a row that did not fit into buf, borrowed: */
	int64_t pending_id;         /*   valid until the next toonstore_iter_next/_free */
	const uint8_t *pending_ptr; /*   on this iterator */
	size_t pending_len;
	char *msg;                  /* on error: owned message copy */
	const char *name;           /* on error: static error name */
} ts_fill_res;

typedef struct {
	ts_res r;
	ToonStoreStats st;
} ts_stats_res;

typedef struct {
	ts_res r;
	ToonStoreCheckReport rep;
} ts_check_res;

/* One operation of a batch: a put of data[off:off+len] or a delete of id. */
typedef struct {
	int64_t id;    /* delete (kind 1): the row */
	uint64_t off;  /* put (kind 0): where its bytes start in data */
	uint64_t len;  /* put: how many */
	uint32_t kind; /* 0 put, 1 delete */
	uint32_t pad;
} ts_op;

const char *ts_error_name(int code);
/* Does nothing (returns 0): the Go allocation test's baseline of a cgo call with a pointer argument. */
int ts_noop(const ToonStore *db);
ts_res ts_open(const char *path, unsigned set, uint32_t durability, uint32_t read_only, uint32_t create,
               uint32_t verify, uint32_t sync_interval_ms, uint64_t max_value_size, uint64_t segment_size);
ts_res ts_close(ToonStore *db);
ts_res ts_put(ToonStore *db, const uint8_t *data, size_t len, uint32_t durability);
ts_res ts_get_into(ToonStore *db, int64_t id, uint8_t *buf, size_t cap);
ts_res ts_contains(ToonStore *db, int64_t id);
ts_res ts_delete(ToonStore *db, int64_t id);
ts_res ts_sync(ToonStore *db);
ts_res ts_compact(ToonStore *db);
ts_res ts_backup(ToonStore *db, const char *dest_path); /* 1.2 */
ts_res ts_refresh(ToonStore *db);                       /* 1.2 */
ts_stats_res ts_stats(ToonStore *db);
ts_check_res ts_check(const char *path);
ts_res ts_scan(ToonStore *db, int64_t start);
ts_res ts_snapshot_scan(const ToonStoreSnapshot *snap, int64_t start);
ts_res ts_scan_range(ToonStore *db, int64_t start, int64_t stop, uint32_t flags);
ts_res ts_snapshot_scan_range(const ToonStoreSnapshot *snap, int64_t start, int64_t stop, uint32_t flags);
ts_fill_res ts_iter_fill(ToonStoreIter *it, int64_t *ids, size_t *lens, size_t max, uint8_t *buf, size_t cap);
ts_res ts_snapshot_open(ToonStore *db);
ts_res ts_snapshot_get(const ToonStoreSnapshot *s, int64_t id);
ts_res ts_commit(ToonStore *db, const uint8_t *data, const ts_op *ops, size_t n);

#endif
