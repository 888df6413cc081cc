/*
 * shim.c: the C side of the Go binding; see shim.h. cgo compiles this file
 * with the package's flags (pkg-config toonstore or toonstore-static).
 */
#include <string.h>

#include "shim.h"

/*
 * The name of an error code ("TOONSTORE_ERR_LOCKED"): the library's own
 * toonstore_error_name (since 1.1). Built against an older header, the
 * names are spelled from the header's macro names, so the two cannot drift
 * apart.
 */
const char *ts_error_name(int code) {
#if TOONSTORE_VERSION_NUMBER >= 1001000
	return toonstore_error_name(code);
#else
	switch (code) {
#define TS_NAME(c) \
	case c: \
		return #c;
	TS_NAME(TOONSTORE_OK)
	TS_NAME(TOONSTORE_ERR_INVALID_ARG)
	TS_NAME(TOONSTORE_ERR_NOT_FOUND)
	TS_NAME(TOONSTORE_ERR_IO)
	TS_NAME(TOONSTORE_ERR_CORRUPT)
	TS_NAME(TOONSTORE_ERR_LOCKED)
	TS_NAME(TOONSTORE_ERR_TOO_LARGE)
	TS_NAME(TOONSTORE_ERR_READ_ONLY)
	TS_NAME(TOONSTORE_ERR_VERSION)
	TS_NAME(TOONSTORE_ERR_NOMEM)
	TS_NAME(TOONSTORE_ERR_INTERNAL)
	TS_NAME(TOONSTORE_ERR_CLOSED)
	TS_NAME(TOONSTORE_ERR_BUFFER_TOO_SMALL)
	TS_NAME(TOONSTORE_ERR_POISONED)
	TS_NAME(TOONSTORE_ERR_FORKED)
#undef TS_NAME
	default:
		return "TOONSTORE_ERR_UNKNOWN";
	}
#endif
}

int ts_noop(const ToonStore *db) {
	(void)db;
	return 0;
}

static ts_res ts_fail(int code) {
	ts_res r;
	memset(&r, 0, sizeof r);
	r.code = code;
	r.msg = toonstore_last_error_copy();
	r.name = ts_error_name(code);
	return r;
}

static ts_res ts_ok(int64_t value) {
	ts_res r;
	memset(&r, 0, sizeof r);
	r.value = value;
	return r;
}

ts_res ts_open(const char *path, unsigned set, uint32_t durability, uint32_t read_only, uint32_t create,
               uint32_t verify, uint32_t sync_interval_ms, uint64_t max_value_size, uint64_t segment_size) {
	ToonStoreOpenOptions o;
	int rc = toonstore_open_options_init(&o, TOONSTORE_OPEN_OPTIONS_VERSION);
	if (rc != TOONSTORE_OK) return ts_fail(rc);
	if (set & TS_SET_DURABILITY) o.durability = durability;
	if (set & TS_SET_READ_ONLY) o.read_only = read_only;
	if (set & TS_SET_CREATE) o.create_if_missing = create;
	if (set & TS_SET_VERIFY) o.verify_checksums = verify;
	if (set & TS_SET_SYNC_INTERVAL) o.sync_interval_ms = sync_interval_ms;
	if (set & TS_SET_MAX_VALUE) o.max_value_size = max_value_size;
	if (set & TS_SET_SEGMENT) o.segment_size = segment_size;
	ToonStore *db = NULL;
	rc = toonstore_open_with(path, &o, &db);
	if (rc != TOONSTORE_OK) return ts_fail(rc);
	ts_res r = ts_ok(0);
	r.handle = db;
	return r;
}

ts_res ts_close(ToonStore *db) {
	int rc = toonstore_close_checked(db);
	return rc == TOONSTORE_OK ? ts_ok(0) : ts_fail(rc);
}

ts_res ts_put(ToonStore *db, const uint8_t *data, size_t len, uint32_t durability) {
	int64_t id;
	if (durability == TOONSTORE_DURABILITY_DEFAULT) {
		id = toonstore_put(db, data, len);
		if (id < 0) return ts_fail((int)id);
	} else {
		int rc = toonstore_put_with(db, data, len, durability, &id);
		if (rc != TOONSTORE_OK) return ts_fail(rc);
	}
	return ts_ok(id);
}

/*
 * Copies row id into buf (cap bytes). When the row is larger, r.code is
 * TOONSTORE_ERR_BUFFER_TOO_SMALL and r.len the size needed (no message).
 */
ts_res ts_get_into(ToonStore *db, int64_t id, uint8_t *buf, size_t cap) {
	size_t n = 0;
	int rc = toonstore_get_into(db, id, buf, cap, &n);
	if (rc == TOONSTORE_ERR_BUFFER_TOO_SMALL) {
		ts_res r = ts_ok(0);
		r.code = rc;
		r.len = n;
		return r;
	}
	if (rc != TOONSTORE_OK) return ts_fail(rc);
	ts_res r = ts_ok(0);
	r.len = n;
	return r;
}

ts_res ts_contains(ToonStore *db, int64_t id) {
	int rc = toonstore_contains(db, id);
	return rc < 0 ? ts_fail(rc) : ts_ok(rc);
}

ts_res ts_delete(ToonStore *db, int64_t id) {
	int rc = toonstore_delete(db, id);
	return rc == TOONSTORE_OK ? ts_ok(0) : ts_fail(rc);
}

ts_res ts_sync(ToonStore *db) {
	int rc = toonstore_sync(db);
	return rc == TOONSTORE_OK ? ts_ok(0) : ts_fail(rc);
}

ts_res ts_compact(ToonStore *db) {
	int rc = toonstore_compact(db);
	return rc == TOONSTORE_OK ? ts_ok(0) : ts_fail(rc);
}

ts_res ts_backup(ToonStore *db, const char *dest_path) {
	int rc = toonstore_backup(db, dest_path);
	return rc == TOONSTORE_OK ? ts_ok(0) : ts_fail(rc);
}

ts_res ts_refresh(ToonStore *db) {
	int rc = toonstore_refresh(db);
	return rc == TOONSTORE_OK ? ts_ok(0) : ts_fail(rc);
}

ts_stats_res ts_stats(ToonStore *db) {
	ts_stats_res s;
	memset(&s, 0, sizeof s);
	s.st.version = TOONSTORE_STATS_VERSION;
	int rc = toonstore_stats(db, &s.st);
	s.r = rc == TOONSTORE_OK ? ts_ok(0) : ts_fail(rc);
	return s;
}

ts_check_res ts_check(const char *path) {
	ts_check_res c;
	memset(&c, 0, sizeof c);
	c.rep.version = TOONSTORE_CHECK_REPORT_VERSION;
	int rc = toonstore_check(path, &c.rep);
	c.r = rc == TOONSTORE_OK ? ts_ok(0) : ts_fail(rc);
	return c;
}

ts_res ts_scan(ToonStore *db, int64_t start) {
	ToonStoreIter *it = toonstore_scan_from(db, start);
	if (it == NULL) return ts_fail(toonstore_last_error_code());
	ts_res r = ts_ok(0);
	r.handle = it;
	return r;
}

ts_res ts_snapshot_scan(const ToonStoreSnapshot *snap, int64_t start) {
	ToonStoreIter *it = toonstore_snapshot_scan(snap, start);
	if (it == NULL) return ts_fail(toonstore_last_error_code());
	ts_res r = ts_ok(0);
	r.handle = it;
	return r;
}

ts_res ts_scan_range(ToonStore *db, int64_t start, int64_t stop, uint32_t flags) {
	ToonStoreIter *it = NULL;
	int rc = toonstore_scan_range(db, start, stop, flags, &it);
	if (rc != TOONSTORE_OK) return ts_fail(rc);
	ts_res r = ts_ok(0);
	r.handle = it;
	return r;
}

ts_res ts_snapshot_scan_range(const ToonStoreSnapshot *snap, int64_t start, int64_t stop, uint32_t flags) {
	ToonStoreIter *it = NULL;
	int rc = toonstore_snapshot_scan_range(snap, start, stop, flags, &it);
	if (rc != TOONSTORE_OK) return ts_fail(rc);
	ts_res r = ts_ok(0);
	r.handle = it;
	return r;
}

/*
 * Copies up to max rows (and at most cap bytes) from it into ids, lens and
 * buf, in one call. A row that does not fit into what is left of buf ends
 * the fill and is handed back borrowed (pending_*); Go copies it before it
 * calls again. Rows before an error are delivered; the error comes after.
 */
ts_fill_res ts_iter_fill(ToonStoreIter *it, int64_t *ids, size_t *lens, size_t max, uint8_t *buf,
                         size_t cap) {
	ts_fill_res f;
	memset(&f, 0, sizeof f);
	f.status = 1;
	while (f.count < max) {
		int64_t id = 0;
		uint8_t *p = NULL;
		size_t len = 0;
		int rc = toonstore_iter_next(it, &id, &p, &len);
		if (rc == 0) {
			f.status = 0;
			return f;
		}
		if (rc < 0) {
			f.status = rc;
			f.msg = toonstore_last_error_copy();
			f.name = ts_error_name(rc);
			return f;
		}
		if (len > cap - f.used) {
			f.has_pending = 1;
			f.pending_id = id;
			f.pending_ptr = p;
			f.pending_len = len;
			return f;
		}
		if (len > 0) memcpy(buf + f.used, p, len);
		ids[f.count] = id;
		lens[f.count] = len;
		f.used += len;
		f.count++;
	}
	return f;
}

ts_res ts_snapshot_open(ToonStore *db) {
	ToonStoreSnapshot *s = NULL;
	int rc = toonstore_snapshot_open(db, &s);
	if (rc != TOONSTORE_OK) return ts_fail(rc);
	ts_res r = ts_ok(0);
	r.handle = s;
	return r;
}

/* A borrowed pointer to the row, valid until the snapshot is freed. */
ts_res ts_snapshot_get(const ToonStoreSnapshot *s, int64_t id) {
	const uint8_t *p = NULL;
	size_t n = 0;
	int rc = toonstore_snapshot_get(s, id, &p, &n);
	if (rc != TOONSTORE_OK) return ts_fail(rc);
	ts_res r = ts_ok(0);
	r.ptr = p;
	r.len = n;
	return r;
}

/* Builds a library batch from ops and commits it atomically, in one call. */
ts_res ts_commit(ToonStore *db, const uint8_t *data, const ts_op *ops, size_t n) {
	ToonStoreBatch *b = toonstore_batch_new();
	if (b == NULL) return ts_fail(toonstore_last_error_code());
	for (size_t i = 0; i < n; i++) {
		int rc = ops[i].kind == 1 ? toonstore_batch_delete(b, ops[i].id)
		                          : toonstore_batch_put(b, ops[i].len ? data + ops[i].off : NULL, ops[i].len);
		if (rc != TOONSTORE_OK) {
			ts_res r = ts_fail(rc);
			toonstore_batch_free(b);
			return r;
		}
	}
	int64_t first = -1;
	int rc = toonstore_batch_commit(db, b, &first);
	ts_res r = rc == TOONSTORE_OK ? ts_ok(first) : ts_fail(rc);
	toonstore_batch_free(b);
	return r;
}
