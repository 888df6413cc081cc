/*
 * ToonStore: one database handle (a ToonStore* of the C ABI).
 *
 * Thread safety: the C handle may be used from many threads at once. Calls
 * that run with the GVL held cannot overlap close (which also needs the
 * GVL to start); calls that release it (open, close, sync, compact, and
 * writes with Full durability: they wait for the disk) are counted in
 * `inflight`, and close waits until that count is zero before releasing
 * the C handle, so no thread ever uses a freed handle.
 */
#include "toonstore_ext.h"

#include <ruby/thread.h>
#include <stddef.h>
#include <string.h>

static void db_free(void *p)
{
    ts_db *d = p;
    /* Reached only when no Ruby code holds the object, so no call is in
     * flight. The final flush's error cannot be reported here. A handle
     * inherited across fork is the parent's: left alone. */
    if (d->db && ts_api && d->generation == ts_fork_generation) {
        ts_api->close(d->db);
    }
    xfree(d);
}

static size_t db_memsize(const void *p)
{
    (void)p;
    return sizeof(ts_db);
}

static const rb_data_type_t db_type = {
    "ToonStore",
    {NULL, db_free, db_memsize, NULL, {NULL}},
    NULL,
    NULL,
    RUBY_TYPED_FREE_IMMEDIATELY,
};

static VALUE db_alloc(VALUE klass)
{
    ts_db *d;
    VALUE obj = TypedData_Make_Struct(klass, ts_db, &db_type, d);
    d->db = NULL;
    d->durability = TOONSTORE_DURABILITY_NORMAL;
    d->inflight = 0;
    d->generation = ts_fork_generation;
    return obj;
}

ts_db *ts_db_open_handle(VALUE self)
{
    ts_db *d = rb_check_typeddata(self, &db_type);
    if (!d->db) {
        ts_raise_code(TOONSTORE_ERR_CLOSED, "the database is closed");
    }
    if (d->generation != ts_fork_generation) {
        ts_raise_forked();
    }
    return d;
}

/* ------------------------------------------------------------------ open */

struct open_args {
    const char *path;
    ToonStoreOpenOptions opts;
    ToonStore *out;
    int rc;
};

static void *open_nogvl(void *p)
{
    struct open_args *a = p;
    a->rc = ts_api->open_with(a->path, &a->opts, &a->out);
    return NULL;
}

/* _open(path, durability, read_only, create_if_missing, verify_checksums,
 *       sync_interval_ms, max_value_size, segment_size): the Ruby layer
 * (lib/toonstore/database.rb) has checked and converted the options; nil
 * keeps the library's default. */
static VALUE db_open(VALUE self, VALUE path, VALUE durability, VALUE read_only, VALUE create, VALUE verify,
                     VALUE sync_ms, VALUE max_value, VALUE segment)
{
    ts_require_loaded();
    ts_db *d = rb_check_typeddata(self, &db_type);
    if (d->db) {
        rb_raise(rb_eRuntimeError, "the database is already open");
    }
    struct open_args a;
    memset(&a, 0, sizeof a);
    int rc = ts_api->open_options_init(&a.opts, TOONSTORE_OPEN_OPTIONS_VERSION);
    if (rc != TOONSTORE_OK) {
        ts_raise_last(rc);
    }
    if (!NIL_P(durability)) a.opts.durability = ts_durability_from(durability);
    if (!NIL_P(read_only)) a.opts.read_only = RTEST(read_only) ? 1 : 0;
    if (!NIL_P(create)) a.opts.create_if_missing = RTEST(create) ? 1 : 0;
    if (!NIL_P(verify)) a.opts.verify_checksums = RTEST(verify) ? 1 : 0;
    if (!NIL_P(sync_ms)) a.opts.sync_interval_ms = NUM2UINT(sync_ms);
    if (!NIL_P(max_value)) a.opts.max_value_size = NUM2ULL(max_value);
    if (!NIL_P(segment)) a.opts.segment_size = NUM2ULL(segment);

    /* A private frozen copy: no other thread can change it while the GVL
     * is released. */
    VALUE p = rb_str_new_frozen(path);
    a.path = StringValueCStr(p);
    ts_without_gvl(d, open_nogvl, &a);
    RB_GC_GUARD(p);
    if (a.rc != TOONSTORE_OK) {
        ts_raise_last(a.rc);
    }
    d->db = a.out;
    d->generation = ts_fork_generation;
    d->durability = a.opts.durability;
    return self;
}

/* ----------------------------------------------------------------- close */

struct close_args {
    ToonStore *db;
    ts_db *d;
    int rc;
};

static void *close_nogvl(void *p)
{
    struct close_args *a = p;
    a->rc = ts_api->close_checked(a->db);
    return NULL;
}

static VALUE close_body(VALUE p)
{
    struct close_args *a = (struct close_args *)p;
    ts_without_gvl(a->d, close_nogvl, a);
    return Qnil;
}

static VALUE wait_inflight(VALUE p)
{
    ts_db *d = (ts_db *)p;
    while (d->inflight > 0) {
        struct timeval tv = {0, 1000};
        rb_thread_wait_for(tv);
    }
    return Qnil;
}

/* close -> nil. Idempotent. Raises the error of the final flush (the
 * handle is released either way). */
static VALUE db_close(VALUE self)
{
    ts_db *d = rb_check_typeddata(self, &db_type);
    if (!d->db) {
        return Qnil;
    }
    if (d->generation != ts_fork_generation) {
        d->db = NULL; /* the parent's: forgotten here, never closed */
        return Qnil;
    }
    struct close_args a = {d->db, d, 0};
    d->db = NULL; /* from here on every new call raises ClosedError */
    int state = 0;
    rb_protect(wait_inflight, (VALUE)d, &state);
    if (state) {
        /* Interrupted (Thread#raise, #kill) before the handle could be
         * released: leave it open, as it was. */
        d->db = a.db;
        rb_jump_tag(state);
    }
    rb_protect(close_body, (VALUE)&a, &state);
    if (state) {
        /* Interrupted before the close started: still open. */
        d->db = a.db;
        rb_jump_tag(state);
    }
    if (a.rc != TOONSTORE_OK) {
        ts_raise_last(a.rc);
    }
    return Qnil;
}

static VALUE db_closed_p(VALUE self)
{
    ts_db *d = rb_check_typeddata(self, &db_type);
    return d->db ? Qfalse : Qtrue;
}

/* ------------------------------------------------------------------- put */

struct put_args {
    ToonStore *db;
    const uint8_t *data;
    size_t len;
    uint32_t durability;
    int64_t id;
    int rc;
};

static void *put_nogvl(void *p)
{
    struct put_args *a = p;
    a->rc = ts_api->put_with(a->db, a->data, a->len, a->durability, &a->id);
    return NULL;
}

struct put_locked {
    ts_db *d;
    struct put_args *a;
    VALUE str;
};

static VALUE put_locked_body(VALUE p)
{
    struct put_locked *l = (struct put_locked *)p;
    ts_without_gvl(l->d, put_nogvl, l->a);
    return Qnil;
}

static VALUE put_unlock(VALUE str)
{
    rb_str_unlocktmp(str);
    return Qnil;
}

/* put(data, durability: nil) -> Integer row id */
static VALUE db_put(int argc, VALUE *argv, VALUE self)
{
    VALUE data, kw = Qnil;
    rb_scan_args(argc, argv, "1:", &data, &kw);
    uint32_t dur = TOONSTORE_DURABILITY_DEFAULT;
    if (!NIL_P(kw)) {
        static ID keys[1];
        VALUE vals[1];
        if (!keys[0]) keys[0] = rb_intern("durability");
        rb_get_kwargs(kw, keys, 0, 1, vals);
        dur = ts_durability_from(vals[0] == Qundef ? Qnil : vals[0]);
    }
    StringValue(data);
    ts_db *d = ts_db_open_handle(self);
    uint32_t effective = dur == TOONSTORE_DURABILITY_DEFAULT ? d->durability : dur;
    if (effective != TOONSTORE_DURABILITY_FULL) {
        /* Returns before any disk wait: cheaper with the GVL held. */
        int64_t id = ts_api->put(d->db, (const uint8_t *)RSTRING_PTR(data), (size_t)RSTRING_LEN(data));
        if (id < 0) {
            ts_raise_last((int)id);
        }
        return LL2NUM(id);
    }
    /* Full durability waits for fsync: release the GVL, with the string
     * locked so that no other thread can change or free its bytes. */
    struct put_args a = {d->db, NULL, 0, dur, -1, 0};
    rb_str_locktmp(data);
    a.data = (const uint8_t *)RSTRING_PTR(data);
    a.len = (size_t)RSTRING_LEN(data);
    struct put_locked l = {d, &a, data};
    rb_ensure(put_locked_body, (VALUE)&l, put_unlock, data);
    if (a.rc != TOONSTORE_OK) {
        ts_raise_last(a.rc);
    }
    return LL2NUM(a.id);
}

/* ------------------------------------------------------------------- get */

/* get(row_id) -> binary String, or nil when there is no such row. */
static VALUE db_get(VALUE self, VALUE row)
{
    int64_t id;
    if (ts_row_id(row, &id) != 0) {
        ts_db_open_handle(self); /* a closed handle still raises */
        return Qnil;
    }
    ts_db *d = ts_db_open_handle(self);
    /* Most rows fit the stack buffer: one copy into it, one into the new
     * String of the exact size. Larger rows are read straight into a
     * String of the size the library reported. */
    uint8_t buf[4096];
    size_t len = 0;
    int rc = ts_api->get_into(d->db, id, buf, sizeof buf, &len);
    if (rc == TOONSTORE_OK) {
        return ts_bytes(buf, len);
    }
    while (rc == TOONSTORE_ERR_BUFFER_TOO_SMALL) {
        VALUE str = rb_str_buf_new((long)len);
        size_t cap = len;
        rc = ts_api->get_into(d->db, id, (uint8_t *)RSTRING_PTR(str), cap, &len);
        if (rc == TOONSTORE_OK) {
            rb_str_set_len(str, (long)len);
            return str;
        }
    }
    if (rc == TOONSTORE_ERR_NOT_FOUND) {
        return Qnil;
    }
    ts_raise_last(rc);
}

/* include?(row_id) -> true or false */
static VALUE db_include_p(VALUE self, VALUE row)
{
    int64_t id;
    ts_db *d = ts_db_open_handle(self);
    if (ts_row_id(row, &id) != 0) {
        return Qfalse;
    }
    int rc = ts_api->contains(d->db, id);
    if (rc < 0) {
        ts_raise_last(rc);
    }
    return rc ? Qtrue : Qfalse;
}

struct delete_args {
    ToonStore *db;
    int64_t id;
    int rc;
};

static void *delete_nogvl(void *p)
{
    struct delete_args *a = p;
    a->rc = ts_api->delete_(a->db, a->id);
    return NULL;
}

/* delete(row_id) -> nil; NotFoundError when there is no such row. */
static VALUE db_delete(VALUE self, VALUE row)
{
    int64_t id;
    ts_db *d = ts_db_open_handle(self);
    if (ts_row_id(row, &id) != 0) {
        ts_raise_code(TOONSTORE_ERR_NOT_FOUND, "no row with this id: an id is an Integer from 0 to 2**63-1");
    }
    struct delete_args a = {d->db, id, 0};
    if (d->durability == TOONSTORE_DURABILITY_FULL) {
        ts_without_gvl(d, delete_nogvl, &a); /* waits for fsync */
    } else {
        delete_nogvl(&a);
    }
    if (a.rc != TOONSTORE_OK) {
        ts_raise_last(a.rc);
    }
    return Qnil;
}

/* ------------------------------------------------------------------ scan */

static ToonStoreIter *open_iter(VALUE self, VALUE start)
{
    int64_t from = 0;
    ts_db *d = ts_db_open_handle(self);
    if (ts_row_id(start, &from) != 0) {
        /* A negative start begins at the first row; one beyond the
         * largest id finds nothing. */
        from = RTEST(rb_funcall(start, '<', 1, INT2FIX(0))) ? 0 : INT64_MAX;
    }
    ToonStoreIter *it = ts_api->scan_from(d->db, from);
    if (!it) {
        ts_raise_last(ts_api->last_error_code());
    }
    return it;
}

/* _scan(start) { |row_id, data| } -> self: the loop runs in C; the
 * iterator is released when the loop ends, breaks or raises. */
static VALUE db_scan_block(VALUE self, VALUE start)
{
    rb_need_block();
    VALUE cursor = ts_cursor_new(open_iter(self, start), self);
    ts_cursor_each_and_release(cursor);
    return self;
}

/* _scan_range(start, stop, reverse) { |row_id, data| } -> self: the rows
 * with start <= id < stop (stop nil: no bound), from the highest id down
 * when reverse (toonstore_scan_range). */
static VALUE db_scan_range_block(VALUE self, VALUE start, VALUE stop, VALUE reverse)
{
    int64_t lo = 0, hi = 0;
    rb_need_block();
    ts_require_api3();
    ts_scan_bounds(start, stop, &lo, &hi);
    ts_db *d = ts_db_open_handle(self);
    ToonStoreIter *it = NULL;
    int rc = ts_api3->scan_range(d->db, lo, hi, RTEST(reverse) ? TOONSTORE_SCAN_REVERSE : 0, &it);
    if (rc != TOONSTORE_OK) {
        ts_raise_last(rc);
    }
    ts_cursor_each_and_release(ts_cursor_new(it, self));
    return self;
}

/* cursor(start = 0) -> ToonStore::Cursor, for stepping through a scan by hand. */
static VALUE db_cursor(int argc, VALUE *argv, VALUE self)
{
    VALUE start;
    rb_scan_args(argc, argv, "01", &start);
    if (argc == 0) {
        start = INT2FIX(0); /* an explicit nil is a TypeError */
    }
    return ts_cursor_new(open_iter(self, start), self);
}

/* ------------------------------------------------------ sync and compact */

struct maint_args {
    ToonStore *db;
    int compact; /* 0: sync, 1: compact */
    int rc;
};

static void *maint_nogvl(void *p)
{
    struct maint_args *a = p;
    a->rc = a->compact ? ts_api->compact(a->db) : ts_api->sync(a->db);
    return NULL;
}

static VALUE maint(VALUE self, int compact)
{
    ts_db *d = ts_db_open_handle(self);
    struct maint_args a = {d->db, compact, 0};
    ts_without_gvl(d, maint_nogvl, &a);
    if (a.rc != TOONSTORE_OK) {
        ts_raise_last(a.rc);
    }
    return Qnil;
}

static VALUE db_sync(VALUE self)
{
    return maint(self, 0);
}

static VALUE db_compact(VALUE self)
{
    return maint(self, 1);
}

/* ----------------------------------------------------- backup and refresh */

static void require_backup_api(void)
{
    if (!ts_api3 || ts_api3->size < offsetof(ToonStoreApi, refresh) + sizeof ts_api3->refresh) {
        ts_raise_code(-8 /* TOONSTORE_ERR_VERSION */,
                      "backup and refresh need libtoonstore 1.2 or later (function table version 3)");
    }
}

struct backup_args {
    ToonStore *db;
    const char *dest; /* NULL: refresh */
    int rc;
};

static void *backup_nogvl(void *p)
{
    struct backup_args *a = p;
    a->rc = a->dest ? ts_api3->backup(a->db, a->dest) : ts_api3->refresh(a->db);
    return NULL;
}

/* _backup(dest): dest a String without NUL bytes (checked by the Ruby
 * layer). The copy and the refresh read files: the GVL is released. */
static VALUE db_backup(VALUE self, VALUE dest)
{
    require_backup_api();
    ts_db *d = ts_db_open_handle(self);
    VALUE kept = rb_str_new_frozen(dest); /* alive and unchanged while the GVL is released */
    struct backup_args a = {d->db, StringValueCStr(kept), 0};
    ts_without_gvl(d, backup_nogvl, &a);
    RB_GC_GUARD(kept);
    if (a.rc != TOONSTORE_OK) {
        ts_raise_last(a.rc);
    }
    return Qnil;
}

/* refresh -> nil */
static VALUE db_refresh(VALUE self)
{
    require_backup_api();
    ts_db *d = ts_db_open_handle(self);
    struct backup_args a = {d->db, NULL, 0};
    ts_without_gvl(d, backup_nogvl, &a);
    if (a.rc != TOONSTORE_OK) {
        ts_raise_last(a.rc);
    }
    return Qnil;
}

/* stats -> Hash with Symbol keys */
static VALUE db_stats(VALUE self)
{
    ts_db *d = ts_db_open_handle(self);
    ToonStoreStats s;
    memset(&s, 0, sizeof s);
    s.version = TOONSTORE_STATS_VERSION;
    int rc = ts_api->stats(d->db, &s);
    if (rc != TOONSTORE_OK) {
        ts_raise_last(rc);
    }
    VALUE h = rb_hash_new();
    rb_hash_aset(h, ID2SYM(rb_intern("live_rows")), ULL2NUM(s.live_rows));
    rb_hash_aset(h, ID2SYM(rb_intern("deleted_rows")), ULL2NUM(s.deleted_rows));
    rb_hash_aset(h, ID2SYM(rb_intern("next_row_id")), ULL2NUM(s.next_row_id));
    rb_hash_aset(h, ID2SYM(rb_intern("live_bytes")), ULL2NUM(s.live_bytes));
    rb_hash_aset(h, ID2SYM(rb_intern("disk_bytes")), ULL2NUM(s.disk_bytes));
    rb_hash_aset(h, ID2SYM(rb_intern("segment_count")), ULL2NUM(s.segment_count));
    rb_hash_aset(h, ID2SYM(rb_intern("garbage_fraction")), DBL2NUM(s.garbage_fraction));
    return h;
}

/* _durability -> the handle's default durability as a Symbol */
static VALUE db_durability(VALUE self)
{
    ts_db *d = rb_check_typeddata(self, &db_type);
    switch (d->durability) {
    case TOONSTORE_DURABILITY_OFF: return ID2SYM(rb_intern("off"));
    case TOONSTORE_DURABILITY_FULL: return ID2SYM(rb_intern("full"));
    default: return ID2SYM(rb_intern("normal"));
    }
}

/* The C handle, for Batch#commit and #snapshot (same file layout). */
ToonStore *ts_db_raw(VALUE self, ts_db **out)
{
    ts_db *d = ts_db_open_handle(self);
    if (out) *out = d;
    return d->db;
}

void ts_init_database(void)
{
    VALUE c = ts_cToonStore;
    rb_define_alloc_func(c, db_alloc);
    rb_define_private_method(c, "_open", db_open, 8);
    rb_define_private_method(c, "_scan", db_scan_block, 1);
    rb_define_private_method(c, "_scan_range", db_scan_range_block, 3);
    rb_define_method(c, "close", db_close, 0);
    rb_define_method(c, "closed?", db_closed_p, 0);
    rb_define_method(c, "put", db_put, -1);
    rb_define_method(c, "get", db_get, 1);
    rb_define_method(c, "[]", db_get, 1);
    rb_define_method(c, "include?", db_include_p, 1);
    rb_define_method(c, "key?", db_include_p, 1);
    rb_define_method(c, "delete", db_delete, 1);
    rb_define_method(c, "cursor", db_cursor, -1);
    rb_define_method(c, "sync", db_sync, 0);
    rb_define_method(c, "compact", db_compact, 0);
    rb_define_method(c, "stats", db_stats, 0);
    rb_define_private_method(c, "_backup", db_backup, 1);
    rb_define_method(c, "refresh", db_refresh, 0);
    rb_define_method(c, "durability", db_durability, 0);
}
