/*
 * ToonStore::Batch: puts and deletes committed together, all or nothing
 * (a ToonStoreBatch* of the C ABI). A batch is used once: after #commit
 * or #discard every call raises InvalidArgumentError. A commit that fails
 * leaves the batch as it was (nothing was written).
 */
#include "toonstore_ext.h"

#include <ruby/thread.h>

typedef struct {
    ToonStoreBatch *b; /* NULL once committed or discarded */
    VALUE db;          /* the ToonStore it commits to */
    long puts;         /* puts added, for the ids of a commit */
    int busy;          /* a commit runs without the GVL */
} ts_batch;

static void batch_mark(void *p)
{
    rb_gc_mark(((ts_batch *)p)->db);
}

static void batch_release(ts_batch *t)
{
    if (t->b) {
        ts_api->batch_free(t->b);
        t->b = NULL;
    }
}

static void batch_free(void *p)
{
    batch_release(p);
    xfree(p);
}

static size_t batch_memsize(const void *p)
{
    (void)p;
    return sizeof(ts_batch);
}

static const rb_data_type_t batch_type = {
    "ToonStore::Batch",
    {batch_mark, batch_free, batch_memsize, NULL, {NULL}},
    NULL,
    NULL,
    RUBY_TYPED_FREE_IMMEDIATELY,
};

static VALUE batch_alloc(VALUE klass)
{
    ts_batch *t;
    VALUE obj = TypedData_Make_Struct(klass, ts_batch, &batch_type, t);
    t->b = NULL;
    t->db = Qnil;
    t->puts = 0;
    t->busy = 0;
    return obj;
}

static ts_batch *live_batch(VALUE self)
{
    ts_batch *t = rb_check_typeddata(self, &batch_type);
    if (t->busy) {
        ts_raise_code(TOONSTORE_ERR_INVALID_ARG, "the batch is being committed by another thread");
    }
    if (!t->b) {
        ts_raise_code(TOONSTORE_ERR_INVALID_ARG, "the batch was already committed or discarded");
    }
    return t;
}

/* Batch.new(db): an empty batch for database `db` (see ToonStore#batch). */
static VALUE batch_initialize(VALUE self, VALUE db)
{
    ts_require_loaded();
    ts_batch *t = rb_check_typeddata(self, &batch_type);
    if (t->b) {
        rb_raise(rb_eRuntimeError, "the batch is already initialized");
    }
    if (!rb_obj_is_kind_of(db, ts_cToonStore)) {
        rb_raise(rb_eTypeError, "a batch belongs to a ToonStore, not %s", rb_obj_classname(db));
    }
    ts_db_open_handle(db);
    t->b = ts_api->batch_new();
    if (!t->b) {
        ts_raise_last(ts_api->last_error_code());
    }
    t->db = db;
    return self;
}

/* put(data) -> self */
static VALUE batch_put(VALUE self, VALUE data)
{
    StringValue(data);
    ts_batch *t = live_batch(self);
    int rc = ts_api->batch_put(t->b, (const uint8_t *)RSTRING_PTR(data), (size_t)RSTRING_LEN(data));
    if (rc != TOONSTORE_OK) {
        ts_raise_last(rc);
    }
    t->puts++;
    return self;
}

/* delete(row_id) -> self. The commit fails with NotFoundError when the
 * row is absent then; an id that can name no row raises at once. */
static VALUE batch_delete(VALUE self, VALUE row)
{
    int64_t id;
    ts_batch *t = live_batch(self);
    if (ts_row_id(row, &id) != 0) {
        ts_raise_code(TOONSTORE_ERR_NOT_FOUND, "no row with this id: an id is an Integer from 0 to 2**63-1");
    }
    int rc = ts_api->batch_delete(t->b, id);
    if (rc != TOONSTORE_OK) {
        ts_raise_last(rc);
    }
    return self;
}

/* size -> operations in the batch */
static VALUE batch_size(VALUE self)
{
    ts_batch *t = rb_check_typeddata(self, &batch_type);
    return t->b ? SIZET2NUM(ts_api->batch_count(t->b)) : INT2FIX(0);
}

/* clear -> self: removes every operation. */
static VALUE batch_clear(VALUE self)
{
    ts_batch *t = live_batch(self);
    ts_api->batch_clear(t->b);
    t->puts = 0;
    return self;
}

struct commit_args {
    ToonStore *db;
    ToonStoreBatch *b;
    int64_t first;
    int rc;
};

static void *commit_nogvl(void *p)
{
    struct commit_args *a = p;
    a->rc = ts_api->batch_commit(a->db, a->b, &a->first);
    return NULL;
}

static VALUE commit_body(VALUE p)
{
    void **pp = (void **)p;
    ts_without_gvl((ts_db *)pp[0], commit_nogvl, pp[1]);
    return Qnil;
}

static VALUE commit_done(VALUE self)
{
    ts_batch *t = rb_check_typeddata(self, &batch_type);
    t->busy = 0;
    return Qnil;
}

/* commit -> Array of the row ids of the puts, in the order they were
 * added. Afterwards the batch is used up. */
static VALUE batch_commit(VALUE self)
{
    ts_batch *t = live_batch(self);
    ts_db *d;
    struct commit_args a = {ts_db_raw(t->db, &d), t->b, -1, 0};
    if (d->durability == TOONSTORE_DURABILITY_FULL) {
        /* waits for fsync: release the GVL; `busy` keeps other threads
         * off the C batch meanwhile */
        void *pp[2] = {d, &a};
        t->busy = 1;
        rb_ensure(commit_body, (VALUE)pp, commit_done, self);
    } else {
        a.rc = ts_api->batch_commit(a.db, a.b, &a.first);
    }
    if (a.rc != TOONSTORE_OK) {
        ts_raise_last(a.rc);
    }
    VALUE ids = rb_ary_new_capa(t->puts);
    for (long i = 0; i < t->puts; i++) {
        rb_ary_push(ids, LL2NUM(a.first + i));
    }
    batch_release(t);
    return ids;
}

/* discard -> nil: drops every operation; the batch is used up. Idempotent. */
static VALUE batch_discard(VALUE self)
{
    ts_batch *t = rb_check_typeddata(self, &batch_type);
    if (!t->busy) {
        batch_release(t);
    }
    return Qnil;
}

/* done? -> true after commit or discard */
static VALUE batch_done_p(VALUE self)
{
    ts_batch *t = rb_check_typeddata(self, &batch_type);
    return t->b ? Qfalse : Qtrue;
}

void ts_init_batch(void)
{
    ts_cBatch = rb_define_class_under(ts_cToonStore, "Batch", rb_cObject);
    rb_define_alloc_func(ts_cBatch, batch_alloc);
    rb_define_method(ts_cBatch, "initialize", batch_initialize, 1);
    rb_define_method(ts_cBatch, "put", batch_put, 1);
    rb_define_method(ts_cBatch, "<<", batch_put, 1);
    rb_define_method(ts_cBatch, "delete", batch_delete, 1);
    rb_define_method(ts_cBatch, "size", batch_size, 0);
    rb_define_method(ts_cBatch, "length", batch_size, 0);
    rb_define_method(ts_cBatch, "clear", batch_clear, 0);
    rb_define_method(ts_cBatch, "commit", batch_commit, 0);
    rb_define_method(ts_cBatch, "discard", batch_discard, 0);
    rb_define_method(ts_cBatch, "done?", batch_done_p, 0);
}
