/*
 * ToonStore::Cursor: a scan in progress (a ToonStoreIter* of the C ABI).
 *
 * A scan reads a snapshot, so it stays valid when its database or snapshot
 * is closed meanwhile; its iterator is released at the end of the scan, by
 * #close, or by the garbage collector (an Enumerator abandoned half way).
 * Each row is copied into a new String before the next C call, since the
 * library lends the bytes only until then.
 */
#include "toonstore_ext.h"

typedef struct {
    ToonStoreIter *it; /* NULL once released */
    unsigned long generation; /* ts_fork_generation when made */
    VALUE owner;       /* the database or snapshot, kept reachable */
} ts_cursor;

static void cursor_mark(void *p)
{
    rb_gc_mark(((ts_cursor *)p)->owner);
}

static void cursor_release(ts_cursor *c)
{
    if (c->it && c->generation != ts_fork_generation) {
        c->it = NULL; /* inherited across fork: the parent's */
    }
    if (c->it) {
        ts_api->iter_free(c->it);
        c->it = NULL;
    }
}

static void cursor_free(void *p)
{
    cursor_release(p);
    xfree(p);
}

static size_t cursor_memsize(const void *p)
{
    (void)p;
    return sizeof(ts_cursor);
}

static const rb_data_type_t cursor_type = {
    "ToonStore::Cursor",
    {cursor_mark, cursor_free, cursor_memsize, NULL, {NULL}},
    NULL,
    NULL,
    RUBY_TYPED_FREE_IMMEDIATELY,
};

VALUE ts_cursor_new(ToonStoreIter *it, VALUE owner)
{
    ts_cursor *c;
    VALUE obj = TypedData_Make_Struct(ts_cCursor, ts_cursor, &cursor_type, c);
    c->it = it;
    c->generation = ts_fork_generation;
    c->owner = owner;
    return obj;
}

/* Next row: 1 and *id, *str filled, 0 at the end (the iterator is then
 * released); raises on an error. */
static int cursor_step(ts_cursor *c, VALUE *id, VALUE *str)
{
    if (!c->it) {
        return 0;
    }
    if (c->generation != ts_fork_generation) {
        ts_raise_forked();
    }
    int64_t row = 0;
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = ts_api->iter_next(c->it, &row, &data, &len);
    if (rc == 1) {
        *id = LL2NUM(row);
        *str = ts_bytes(data, len);
        return 1;
    }
    if (rc == 0) {
        cursor_release(c);
        return 0;
    }
    ts_raise_last(rc);
}

static VALUE cursor_loop(VALUE self)
{
    ts_cursor *c = rb_check_typeddata(self, &cursor_type);
    /* Blocks with two or more parameters get (row_id, data); others, and
     * Enumerable's internal blocks, get one [row_id, data] pair, as
     * Hash#each does. */
    int arity = rb_proc_arity(rb_block_proc());
    int pair = !(arity >= 2 || arity < -2);
    VALUE id, str;
    while (cursor_step(c, &id, &str)) {
        if (pair) {
            rb_yield(rb_assoc_new(id, str));
        } else {
            rb_yield_values(2, id, str);
        }
    }
    return Qnil;
}

static VALUE cursor_done(VALUE self)
{
    cursor_release(rb_check_typeddata(self, &cursor_type));
    return Qnil;
}

VALUE ts_cursor_each_and_release(VALUE cursor)
{
    return rb_ensure(cursor_loop, cursor, cursor_done, cursor);
}

/* next_row -> [row_id, data], or nil at the end (and on every later call). */
static VALUE cursor_next_row(VALUE self)
{
    ts_cursor *c = rb_check_typeddata(self, &cursor_type);
    VALUE id, str;
    if (!cursor_step(c, &id, &str)) {
        return Qnil;
    }
    return rb_assoc_new(id, str);
}

/* each { |row_id, data| } -> self: the remaining rows; releases the
 * iterator at the end. Without a block: an Enumerator. */
static VALUE cursor_each(VALUE self)
{
    RETURN_ENUMERATOR(self, 0, 0);
    ts_cursor_each_and_release(self);
    return self;
}

static VALUE cursor_close(VALUE self)
{
    cursor_release(rb_check_typeddata(self, &cursor_type));
    return Qnil;
}

static VALUE cursor_closed_p(VALUE self)
{
    ts_cursor *c = rb_check_typeddata(self, &cursor_type);
    return c->it ? Qfalse : Qtrue;
}

void ts_init_cursor(void)
{
    ts_cCursor = rb_define_class_under(ts_cToonStore, "Cursor", rb_cObject);
    rb_undef_alloc_func(ts_cCursor);
    rb_include_module(ts_cCursor, rb_mEnumerable);
    rb_define_method(ts_cCursor, "next_row", cursor_next_row, 0);
    rb_define_method(ts_cCursor, "each", cursor_each, 0);
    rb_define_method(ts_cCursor, "close", cursor_close, 0);
    rb_define_method(ts_cCursor, "closed?", cursor_closed_p, 0);
}
