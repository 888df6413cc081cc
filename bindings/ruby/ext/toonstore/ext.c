/*
 * Loading libtoonstore, turning C error codes into Ruby exceptions, and the
 * small helpers every class of the extension uses.
 */
#include "toonstore_ext.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>
#include <ruby/thread.h>

const ToonStoreApi *ts_api = NULL;
const ToonStoreApi *ts_api3 = NULL;
unsigned long ts_fork_generation = 0;
VALUE ts_cToonStore, ts_cCursor, ts_cBatch, ts_cSnapshot;

/* toonstore_error_name(int) (since 1.1) is newer than the version-1 table;
 * looked up on its own and NULL when the library predates it
 * (lib/toonstore/errors.rb then names codes from its own table). */
typedef const char *(*ts_error_name_fn)(int);
static ts_error_name_fn ts_error_name = NULL;
static void *ts_dl = NULL;
static VALUE ts_cError;
static ID id_from_code, id_off, id_normal, id_full;

/* ToonStore::Native.load(path) -> the library's version string.
 * Idempotent: a second call returns the loaded library's version. */
static VALUE native_load(VALUE mod, VALUE path)
{
    (void)mod;
    if (ts_api) {
        return rb_str_new_cstr(ts_api->version_string());
    }
    const char *p = StringValueCStr(path);
    void *dl = dlopen(p, RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        const char *why = dlerror();
        rb_raise(rb_eLoadError, "cannot load libtoonstore from %s: %s", p, why ? why : "unknown error");
    }
    const ToonStoreApi *(*api_fn)(uint32_t) = (const ToonStoreApi *(*)(uint32_t))dlsym(dl, "toonstore_api");
    if (!api_fn) {
        dlclose(dl);
        rb_raise(rb_eLoadError, "%s is not libtoonstore 1.x: no toonstore_api symbol", p);
    }
    const ToonStoreApi *api = api_fn(1);
    /* Tables only grow (fields are appended): every 1.x library fills at
     * least the version-1 part, which ends with `check`, and the extension
     * uses nothing after it. */
    if (!api || api->version < 1 || api->size < offsetof(ToonStoreApi, check) + sizeof api->check) {
        dlclose(dl);
        rb_raise(rb_eLoadError, "%s does not provide version 1 of the toonstore function table", p);
    }
    /* Version 3 (1.2) appends the range scans; an older library serves no
     * version 3 and range scans raise VersionError. */
    const ToonStoreApi *v3 = api_fn(3);
    if (v3 && v3->version >= 3 &&
        v3->size >= offsetof(ToonStoreApi, snapshot_scan_range) + sizeof v3->snapshot_scan_range) {
        ts_api3 = v3;
    }
    ts_error_name = (ts_error_name_fn)dlsym(dl, "toonstore_error_name");
    ts_dl = dl; /* kept loaded for the life of the process */
    ts_api = api;
    return rb_str_new_cstr(api->version_string());
}

/* ToonStore::Native.loaded? */
static VALUE native_loaded_p(VALUE mod)
{
    (void)mod;
    return ts_api ? Qtrue : Qfalse;
}

/* ToonStore::Native.error_name(code) -> "TOONSTORE_ERR_..." or nil when
 * the library has no toonstore_error_name. */
static VALUE native_error_name(VALUE mod, VALUE code)
{
    (void)mod;
    if (!ts_error_name) {
        return Qnil;
    }
    const char *name = ts_error_name(NUM2INT(code));
    return name ? rb_str_new_cstr(name) : Qnil;
}

/* ToonStore::Native.version -> the loaded library's version string */
static VALUE native_version(VALUE mod)
{
    (void)mod;
    ts_require_loaded();
    return rb_str_new_cstr(ts_api->version_string());
}

struct check_args {
    const char *path;
    ToonStoreCheckReport report;
    int rc;
};

static void *check_nogvl(void *p)
{
    struct check_args *a = p;
    a->rc = ts_api->check(a->path, &a->report);
    return NULL;
}

/* ToonStore::Native.check(path) -> [healthy, segments, records, live_rows,
 * has_checkpoint, first_problem]; raises when the check cannot run. */
static VALUE native_check(VALUE mod, VALUE path)
{
    (void)mod;
    ts_require_loaded();
    VALUE p = rb_str_new_frozen(path);
    struct check_args a;
    memset(&a, 0, sizeof a);
    a.path = StringValueCStr(p);
    a.report.version = TOONSTORE_CHECK_REPORT_VERSION;
    ts_without_gvl(NULL, check_nogvl, &a); /* reads every file */
    RB_GC_GUARD(p);
    if (a.rc != TOONSTORE_OK && a.rc != TOONSTORE_ERR_CORRUPT) {
        ts_raise_last(a.rc);
    }
    a.report.first_problem[sizeof a.report.first_problem - 1] = '\0';
    VALUE problem = a.report.first_problem[0] ? rb_str_new_cstr(a.report.first_problem) : Qnil;
    return rb_ary_new_from_args(6, a.rc == TOONSTORE_OK ? Qtrue : Qfalse, ULL2NUM(a.report.segments),
                                ULL2NUM(a.report.records), ULL2NUM(a.report.live_rows),
                                a.report.has_checkpoint ? Qtrue : Qfalse, problem);
}

/* ToonStore::Native.strerror(code) -> the library's static description. */
static VALUE native_strerror(VALUE mod, VALUE code)
{
    (void)mod;
    ts_require_loaded();
    return rb_str_new_cstr(ts_api->strerror(NUM2INT(code)));
}

void ts_require_loaded(void)
{
    if (!ts_api) {
        rb_raise(rb_eLoadError, "libtoonstore is not loaded (require 'toonstore' failed earlier)");
    }
}

static void on_fork_child(void)
{
    ts_fork_generation++;
}

void ts_raise_forked(void)
{
    ts_raise_code(-14 /* TOONSTORE_ERR_FORKED */,
                  "this handle was opened by the parent process before fork; open the database again in this process");
}

void ts_raise_code(int code, const char *message)
{
    VALUE msg = message ? rb_str_new_cstr(message) : Qnil;
    VALUE exc = rb_funcall(ts_cError, id_from_code, 2, INT2NUM(code), msg);
    rb_exc_raise(exc);
}

/* Raises the exception for `code` with the calling thread's last error
 * message (set by the failing call on this same native thread). */
void ts_raise_last(int code)
{
    const char *message = ts_api ? ts_api->last_error() : NULL;
    if (!message && ts_api) {
        message = ts_api->strerror(code);
    }
    ts_raise_code(code, message);
}

struct nogvl_call {
    ts_db *d;
    void *(*fn)(void *);
    void *arg;
    void *result;
    int done; /* fn ran */
};

static void *nogvl_trampoline(void *p)
{
    struct nogvl_call *c = p;
    c->result = c->fn(c->arg);
    c->done = 1;
    return NULL;
}

/* rb_thread_call_without_gvl2 never raises: an interrupt (Thread#raise,
 * #kill, a signal) that comes before fn starts makes it return without
 * calling fn, and it is handled here, when nothing has been done yet; one
 * that comes while fn runs is handled at the next check after we return,
 * so the result of a call that ran (an opened handle, an acknowledged
 * write) is never lost. */
static VALUE nogvl_body(VALUE p)
{
    struct nogvl_call *c = (struct nogvl_call *)p;
    while (!c->done) {
        rb_thread_call_without_gvl2(nogvl_trampoline, c, NULL, NULL);
        if (!c->done) {
            rb_thread_check_ints();
        }
    }
    return Qnil;
}

static VALUE nogvl_done(VALUE p)
{
    struct nogvl_call *c = (struct nogvl_call *)p;
    if (c->d) {
        c->d->inflight--;
    }
    return Qnil;
}

void *ts_without_gvl(ts_db *d, void *(*fn)(void *), void *arg)
{
    struct nogvl_call c = {d, fn, arg, NULL, 0};
    if (d) {
        d->inflight++;
    }
    rb_ensure(nogvl_body, (VALUE)&c, nogvl_done, (VALUE)&c);
    return c.result;
}

/* Raises VersionError unless the loaded library has range scans (1.2). */
void ts_require_api3(void)
{
    if (!ts_api3) {
        ts_raise_code(-8 /* TOONSTORE_ERR_VERSION */,
                      "range scans need libtoonstore 1.2 or later (function table version 3)");
    }
}

/* One bound of a range scan as an int64: a negative Integer is 0 (no row id
 * is negative), one beyond int64 is INT64_MAX (past every row). */
static int64_t scan_bound(VALUE v)
{
    int64_t out = 0;
    if (ts_row_id(v, &out) != 0) {
        out = RTEST(rb_funcall(v, '<', 1, INT2FIX(0))) ? 0 : INT64_MAX;
    }
    return out;
}

/* The ids start...stop of a range scan (stop nil: TOONSTORE_SCAN_END).
 * Both are Integers (checked by the Ruby layer). stop < start, compared as
 * Integers before clamping, raises InvalidArgumentError as the C API does. */
void ts_scan_bounds(VALUE start, VALUE stop, int64_t *lo, int64_t *hi)
{
    if (!NIL_P(stop) && RTEST(rb_funcall(stop, '<', 1, start))) {
        VALUE msg = rb_sprintf("scan stop %" PRIsVALUE " is below start %" PRIsVALUE, stop, start);
        ts_raise_code(-1 /* TOONSTORE_ERR_INVALID_ARG */, StringValueCStr(msg));
    }
    *lo = scan_bound(start);
    *hi = NIL_P(stop) ? TOONSTORE_SCAN_END : scan_bound(stop);
    if (*hi < *lo) {
        *hi = *lo; /* both clamped: e.g. -5...-1 is empty */
    }
}

int ts_row_id(VALUE id, int64_t *out)
{
    if (FIXNUM_P(id)) {
        long v = FIX2LONG(id);
        if (v < 0) {
            return -1;
        }
        *out = (int64_t)v;
        return 0;
    }
    if (RB_TYPE_P(id, T_BIGNUM)) {
        /* Fixnums cover 62 bits; a Bignum may still fit in int64. */
        if (rb_big_sign(id) == 0) {
            return -1; /* negative */
        }
        if (RTEST(rb_funcall(id, '>', 1, LL2NUM(INT64_MAX)))) {
            return -1; /* beyond the largest row id */
        }
        *out = (int64_t)NUM2LL(id);
        return 0;
    }
    rb_raise(rb_eTypeError, "row id must be an Integer, not %s", rb_obj_classname(id));
}

uint32_t ts_durability_from(VALUE v)
{
    if (NIL_P(v)) {
        return TOONSTORE_DURABILITY_DEFAULT;
    }
    if (RB_TYPE_P(v, T_STRING)) {
        v = rb_str_intern(v);
    }
    if (!SYMBOL_P(v)) {
        rb_raise(rb_eTypeError, "durability must be :off, :normal or :full, not %s", rb_obj_classname(v));
    }
    ID id = SYM2ID(v);
    if (id == id_off) return TOONSTORE_DURABILITY_OFF;
    if (id == id_normal) return TOONSTORE_DURABILITY_NORMAL;
    if (id == id_full) return TOONSTORE_DURABILITY_FULL;
    rb_raise(rb_eArgError, "durability must be :off, :normal or :full, not %" PRIsVALUE, rb_inspect(v));
}

VALUE ts_bytes(const uint8_t *data, size_t len)
{
    /* rb_str_new gives an ASCII-8BIT (binary) string. */
    return rb_str_new((const char *)data, (long)len);
}

void Init_toonstore_ext(void)
{
    id_from_code = rb_intern("from_code");
    id_off = rb_intern("off");
    id_normal = rb_intern("normal");
    id_full = rb_intern("full");

    ts_cToonStore = rb_define_class("ToonStore", rb_cObject);
    /* a constant of ToonStore: never collected */
    ts_cError = rb_define_class_under(ts_cToonStore, "Error", rb_eStandardError);

    VALUE mNative = rb_define_module_under(ts_cToonStore, "Native");
    rb_define_module_function(mNative, "load", native_load, 1);
    rb_define_module_function(mNative, "loaded?", native_loaded_p, 0);
    rb_define_module_function(mNative, "error_name", native_error_name, 1);
    rb_define_module_function(mNative, "strerror", native_strerror, 1);
    rb_define_module_function(mNative, "version", native_version, 0);
    rb_define_module_function(mNative, "check", native_check, 1);
    /* The gem's version is the version of the header it was built with
     * (toonstore.gemspec reads the same macro). */
    rb_define_const(ts_cToonStore, "VERSION", rb_obj_freeze(rb_str_new_cstr(TOONSTORE_VERSION_STRING)));

    pthread_atfork(NULL, NULL, on_fork_child);

    ts_init_database();
    ts_init_cursor();
    ts_init_batch();
    ts_init_snapshot();
}
