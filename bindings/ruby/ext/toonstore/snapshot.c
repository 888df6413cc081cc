/*
 * ToonStore::Snapshot: a consistent, read-only view of one moment (a
 * ToonStoreSnapshot* of the C ABI). It stays readable after its database
 * is closed; #close (or the garbage collector) releases it.
 */
#include "toonstore_ext.h"

typedef struct {
    ToonStoreSnapshot *s; /* NULL once closed */
    unsigned long generation; /* ts_fork_generation when taken */
} ts_snapshot;

static void snapshot_release(ts_snapshot *t)
{
    if (t->s && t->generation != ts_fork_generation) {
        t->s = NULL; /* inherited across fork: the parent's */
    }
    if (t->s) {
        ts_api->snapshot_free(t->s);
        t->s = NULL;
    }
}

static void snapshot_free(void *p)
{
    snapshot_release(p);
    xfree(p);
}

static size_t snapshot_memsize(const void *p)
{
    (void)p;
    return sizeof(ts_snapshot);
}

static const rb_data_type_t snapshot_type = {
    "ToonStore::Snapshot",
    {NULL, snapshot_free, snapshot_memsize, NULL, {NULL}},
    NULL,
    NULL,
    RUBY_TYPED_FREE_IMMEDIATELY,
};

static ts_snapshot *live_snapshot(VALUE self)
{
    ts_snapshot *t = rb_check_typeddata(self, &snapshot_type);
    if (!t->s) {
        ts_raise_code(TOONSTORE_ERR_CLOSED, "the snapshot is closed");
    }
    if (t->generation != ts_fork_generation) {
        ts_raise_forked();
    }
    return t;
}

/* ToonStore#_snapshot -> a new Snapshot of this database */
static VALUE db_snapshot(VALUE db)
{
    ToonStore *h = ts_db_raw(db, NULL);
    ts_snapshot *t;
    VALUE obj = TypedData_Make_Struct(ts_cSnapshot, ts_snapshot, &snapshot_type, t);
    t->s = NULL;
    t->generation = ts_fork_generation;
    int rc = ts_api->snapshot_open(h, &t->s);
    if (rc != TOONSTORE_OK) {
        ts_raise_last(rc);
    }
    return obj;
}

/* get(row_id) -> binary String or nil, as of the snapshot's moment */
static VALUE snapshot_get(VALUE self, VALUE row)
{
    int64_t id;
    ts_snapshot *t = live_snapshot(self);
    if (ts_row_id(row, &id) != 0) {
        return Qnil;
    }
    const uint8_t *data = NULL;
    size_t len = 0;
    int rc = ts_api->snapshot_get(t->s, id, &data, &len);
    if (rc == TOONSTORE_OK) {
        return ts_bytes(data, len); /* copied: the bytes are only lent */
    }
    if (rc == TOONSTORE_ERR_NOT_FOUND) {
        return Qnil;
    }
    ts_raise_last(rc);
}

static VALUE snapshot_include_p(VALUE self, VALUE row)
{
    return NIL_P(snapshot_get(self, row)) ? Qfalse : Qtrue;
}

static ToonStoreIter *snapshot_iter(VALUE self, VALUE start)
{
    int64_t from = 0;
    ts_snapshot *t = live_snapshot(self);
    if (ts_row_id(start, &from) != 0) {
        from = RTEST(rb_funcall(start, '<', 1, INT2FIX(0))) ? 0 : INT64_MAX;
    }
    ToonStoreIter *it = ts_api->snapshot_scan(t->s, from);
    if (!it) {
        ts_raise_last(ts_api->last_error_code());
    }
    return it;
}

/* _scan(start) { |row_id, data| } -> self */
static VALUE snapshot_scan_block(VALUE self, VALUE start)
{
    rb_need_block();
    ts_cursor_each_and_release(ts_cursor_new(snapshot_iter(self, start), self));
    return self;
}

/* _scan_range(start, stop, reverse) { |row_id, data| } -> self
 * (toonstore_snapshot_scan_range) */
static VALUE snapshot_scan_range_block(VALUE self, VALUE start, VALUE stop, VALUE reverse)
{
    int64_t lo = 0, hi = 0;
    rb_need_block();
    ts_require_api3();
    ts_scan_bounds(start, stop, &lo, &hi);
    ts_snapshot *t = live_snapshot(self);
    ToonStoreIter *it = NULL;
    int rc = ts_api3->snapshot_scan_range(t->s, lo, hi, RTEST(reverse) ? TOONSTORE_SCAN_REVERSE : 0, &it);
    if (rc != TOONSTORE_OK) {
        ts_raise_last(rc);
    }
    ts_cursor_each_and_release(ts_cursor_new(it, self));
    return self;
}

/* cursor(start = 0) -> ToonStore::Cursor */
static VALUE snapshot_cursor(int argc, VALUE *argv, VALUE self)
{
    VALUE start;
    rb_scan_args(argc, argv, "01", &start);
    if (argc == 0) {
        start = INT2FIX(0); /* an explicit nil is a TypeError */
    }
    return ts_cursor_new(snapshot_iter(self, start), self);
}

static VALUE snapshot_close(VALUE self)
{
    snapshot_release(rb_check_typeddata(self, &snapshot_type));
    return Qnil;
}

static VALUE snapshot_closed_p(VALUE self)
{
    ts_snapshot *t = rb_check_typeddata(self, &snapshot_type);
    return t->s ? Qfalse : Qtrue;
}

void ts_init_snapshot(void)
{
    ts_cSnapshot = rb_define_class_under(ts_cToonStore, "Snapshot", rb_cObject);
    rb_undef_alloc_func(ts_cSnapshot);
    rb_define_private_method(ts_cToonStore, "_snapshot", db_snapshot, 0);
    rb_define_method(ts_cSnapshot, "get", snapshot_get, 1);
    rb_define_method(ts_cSnapshot, "[]", snapshot_get, 1);
    rb_define_method(ts_cSnapshot, "include?", snapshot_include_p, 1);
    rb_define_private_method(ts_cSnapshot, "_scan", snapshot_scan_block, 1);
    rb_define_private_method(ts_cSnapshot, "_scan_range", snapshot_scan_range_block, 3);
    rb_define_method(ts_cSnapshot, "cursor", snapshot_cursor, -1);
    rb_define_method(ts_cSnapshot, "close", snapshot_close, 0);
    rb_define_method(ts_cSnapshot, "closed?", snapshot_closed_p, 0);
}
