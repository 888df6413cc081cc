/*
 * The C runner of the shared conformance vectors (the *.json files of tests/conformance,
 * format in tests/conformance/README.md), over the C ABI of toonstore.h.
 *
 *   conformance [vector dir]     default: $TOONSTORE_CONFORMANCE_DIR
 *   conformance --hold-lock DIR  the child process of the hold_lock op
 *
 * Prints one PASS/FAIL/SKIP line per case (also appended to
 * $TOONSTORE_CONFORMANCE_REPORT when set) and exits 1 when a case failed.
 * JSON is read with cJSON (Debian libcjson-dev). Built and run by
 * tests/c/conformance.sh.
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "toonstore.h"

/* ------------------------------------------------------------------------
 * The one place where this runner maps the vectors' language-neutral
 * outcomes and capabilities onto the C ABI (README: "how each runner maps
 * them"):
 *   - "absent" is TOONSTORE_ERR_NOT_FOUND from toonstore_get and
 *     toonstore_snapshot_get (see outcome_of_get);
 *   - "invalid_id" is TOONSTORE_ERR_INVALID_ARG (see expected_for);
 *   - every capability is supported: a closed ToonStore* stays a pointer that
 *     the library answers with TOONSTORE_ERR_CLOSED, ids are int64_t, and
 *     ToonStoreOpenOptions has its version field;
 *   - error names come from error_name().
 * ------------------------------------------------------------------------ */

static const char *const UNSUPPORTED[][2] = {{NULL, NULL}}; /* capability, reason */
/* Capabilities this runner supports; a case requiring any other is skipped. */
static const char *const SUPPORTED[] = {"use_after_close", "negative_ids", "options_version",
                                        "readers_outlive_close", NULL};
static const char *const UNSUPPORTED_OPS[][2] = {{NULL, NULL}}; /* op, reason */

/* The C name of an error code (until toonstore_error_name is in the header). */
static const char *error_name(int code) {
    static const char *const names[] = {
        "TOONSTORE_OK",
        "TOONSTORE_ERR_INVALID_ARG",
        "TOONSTORE_ERR_NOT_FOUND",
        "TOONSTORE_ERR_IO",
        "TOONSTORE_ERR_CORRUPT",
        "TOONSTORE_ERR_LOCKED",
        "TOONSTORE_ERR_TOO_LARGE",
        "TOONSTORE_ERR_READ_ONLY",
        "TOONSTORE_ERR_VERSION",
        "TOONSTORE_ERR_NOMEM",
        "TOONSTORE_ERR_INTERNAL",
        "TOONSTORE_ERR_CLOSED",
        "TOONSTORE_ERR_BUFFER_TOO_SMALL",
        "TOONSTORE_ERR_POISONED",
        "TOONSTORE_ERR_FORKED",
    };
    if (code <= 0 && -code < (int)(sizeof names / sizeof names[0])) return names[-code];
    return "TOONSTORE_ERR_UNKNOWN";
}

static int error_code(const char *name) {
    for (int c = 0; c >= -64; c--)
        if (strcmp(error_name(c), name) == 0 && strcmp(name, "TOONSTORE_ERR_UNKNOWN") != 0) return c;
    return 1; /* no such name: never equal to a real code */
}

/* ------------------------------------------------------------------------
 * Outcomes
 * ------------------------------------------------------------------------ */

enum kind { K_OK, K_ID, K_VALUE, K_ABSENT, K_BOOL, K_COUNT, K_ROWS, K_ROW, K_END, K_IDS, K_ERROR };

typedef struct {
    int64_t id;
    uint8_t *data;
    size_t len;
} row;

typedef struct {
    enum kind kind;
    int64_t n;     /* id, count, bool, error code */
    uint8_t *data; /* value, row */
    size_t len;
    row *rows; /* rows; ids use rows[i].id */
    size_t nrows;
} outcome;

static void outcome_free(outcome *o) {
    free(o->data);
    for (size_t i = 0; i < o->nrows; i++) free(o->rows[i].data);
    free(o->rows);
    memset(o, 0, sizeof *o);
}

static uint8_t *dup_bytes(const uint8_t *p, size_t len) {
    uint8_t *d = malloc(len ? len : 1);
    if (!d) abort();
    if (len) memcpy(d, p, len);
    return d;
}

static void push_row(outcome *o, int64_t id, const uint8_t *data, size_t len) {
    o->rows = realloc(o->rows, (o->nrows + 1) * sizeof *o->rows);
    if (!o->rows) abort();
    o->rows[o->nrows].id = id;
    o->rows[o->nrows].data = data ? dup_bytes(data, len) : NULL;
    o->rows[o->nrows].len = len;
    o->nrows++;
}

static outcome simple(enum kind k, int64_t n) {
    outcome o;
    memset(&o, 0, sizeof o);
    o.kind = k;
    o.n = n;
    return o;
}

static outcome err(int code) { return simple(K_ERROR, code); }
static outcome last_err(void) {
    int c = toonstore_last_error_code();
    return err(c < 0 ? c : TOONSTORE_ERR_INTERNAL);
}

static bool bytes_eq(const uint8_t *a, size_t al, const uint8_t *b, size_t bl) {
    return al == bl && (al == 0 || memcmp(a, b, al) == 0);
}

static bool outcome_eq(const outcome *a, const outcome *b) {
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case K_ID: case K_BOOL: case K_COUNT: case K_ERROR: return a->n == b->n;
    case K_VALUE: return bytes_eq(a->data, a->len, b->data, b->len);
    case K_ROW: return a->n == b->n && bytes_eq(a->data, a->len, b->data, b->len);
    case K_ROWS: case K_IDS:
        if (a->nrows != b->nrows) return false;
        for (size_t i = 0; i < a->nrows; i++) {
            if (a->rows[i].id != b->rows[i].id) return false;
            if (a->kind == K_ROWS &&
                !bytes_eq(a->rows[i].data, a->rows[i].len, b->rows[i].data, b->rows[i].len))
                return false;
        }
        return true;
    default: return true;
    }
}

/* A growing string for messages. */
typedef struct {
    char *s;
    size_t len, cap;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (b->len + (size_t)n + 1 > b->cap) {
        b->cap = (b->len + (size_t)n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        if (!b->s) abort();
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static void sb_hex(sbuf *b, const uint8_t *p, size_t len) {
    sb_printf(b, "hex:");
    for (size_t i = 0; i < len; i++) sb_printf(b, "%02x", p[i]);
}

static void outcome_show(sbuf *b, const outcome *o) {
    switch (o->kind) {
    case K_OK: sb_printf(b, "ok"); break;
    case K_ID: sb_printf(b, "id %lld", (long long)o->n); break;
    case K_VALUE: sb_printf(b, "value "); sb_hex(b, o->data, o->len); break;
    case K_ABSENT: sb_printf(b, "absent"); break;
    case K_BOOL: sb_printf(b, "bool %s", o->n ? "true" : "false"); break;
    case K_COUNT: sb_printf(b, "count %lld", (long long)o->n); break;
    case K_END: sb_printf(b, "end"); break;
    case K_ERROR: sb_printf(b, "error %s", error_name((int)o->n)); break;
    case K_ROW: sb_printf(b, "row %lld: ", (long long)o->n); sb_hex(b, o->data, o->len); break;
    case K_ROWS: case K_IDS:
        sb_printf(b, o->kind == K_ROWS ? "rows [" : "ids [");
        for (size_t i = 0; i < o->nrows; i++) {
            sb_printf(b, "%s%lld", i ? ", " : "", (long long)o->rows[i].id);
            if (o->kind == K_ROWS) { sb_printf(b, ": "); sb_hex(b, o->rows[i].data, o->rows[i].len); }
        }
        sb_printf(b, "]");
        break;
    }
}

/* ------------------------------------------------------------------------
 * Reading the vectors (a parse failure is a broken vector: the case fails)
 * ------------------------------------------------------------------------ */

static char vector_error[512];

static bool bad(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(vector_error, sizeof vector_error, fmt, ap);
    va_end(ap);
    return false;
}

static bool int_of(const cJSON *v, int64_t *out) {
    if (!cJSON_IsNumber(v)) return bad("an integer was expected");
    double d = v->valuedouble;
    if (d != floor(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0)
        return bad("not an integer: %g", d);
    *out = (int64_t)d;
    return true;
}

static bool bytes_of(const cJSON *v, uint8_t **data, size_t *len) {
    if (!cJSON_IsObject(v) || cJSON_GetArraySize(v) != 1) return bad("bytes must be {\"hex\"} or {\"utf8\"}");
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(v, "utf8");
    if (cJSON_IsString(s)) {
        *len = strlen(s->valuestring);
        *data = dup_bytes((const uint8_t *)s->valuestring, *len);
        return true;
    }
    s = cJSON_GetObjectItemCaseSensitive(v, "hex");
    if (!cJSON_IsString(s)) return bad("bytes must be {\"hex\"} or {\"utf8\"}");
    size_t n = strlen(s->valuestring);
    if (n % 2) return bad("odd number of hex digits");
    *len = n / 2;
    *data = malloc(*len ? *len : 1);
    if (!*data) abort();
    for (size_t i = 0; i < *len; i++) {
        unsigned x;
        if (sscanf(s->valuestring + 2 * i, "%2x", &x) != 1) {
            free(*data);
            return bad("bad hex digits");
        }
        (*data)[i] = (uint8_t)x;
    }
    return true;
}

static bool row_of(const cJSON *v, int64_t *id, uint8_t **data, size_t *len) {
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 2) return bad("a row must be [id, bytes]");
    return int_of(cJSON_GetArrayItem(v, 0), id) && bytes_of(cJSON_GetArrayItem(v, 1), data, len);
}

/* The expected outcome; "invalid_id" is mapped here. */
static bool expected_for(const cJSON *v, outcome *o) {
    memset(o, 0, sizeof *o);
    if (cJSON_IsString(v)) {
        const char *s = v->valuestring;
        if (!strcmp(s, "ok")) o->kind = K_OK;
        else if (!strcmp(s, "absent")) o->kind = K_ABSENT;
        else if (!strcmp(s, "end")) o->kind = K_END;
        else if (!strcmp(s, "invalid_id")) *o = err(TOONSTORE_ERR_INVALID_ARG);
        else return bad("unknown expect \"%s\"", s);
        return true;
    }
    if (!cJSON_IsObject(v) || cJSON_GetArraySize(v) != 1) return bad("expect must be a string or a one-key object");
    const cJSON *val = v->child;
    const char *key = val->string;
    if (!strcmp(key, "id") || !strcmp(key, "count")) {
        o->kind = !strcmp(key, "id") ? K_ID : K_COUNT;
        return int_of(val, &o->n);
    }
    if (!strcmp(key, "value")) {
        o->kind = K_VALUE;
        return bytes_of(val, &o->data, &o->len);
    }
    if (!strcmp(key, "bool")) {
        if (!cJSON_IsBool(val)) return bad("bool must be true or false");
        o->kind = K_BOOL;
        o->n = cJSON_IsTrue(val);
        return true;
    }
    if (!strcmp(key, "row")) {
        o->kind = K_ROW;
        return row_of(val, &o->n, &o->data, &o->len);
    }
    if (!strcmp(key, "rows") || !strcmp(key, "ids")) {
        if (!cJSON_IsArray(val)) return bad("%s must be a list", key);
        o->kind = !strcmp(key, "rows") ? K_ROWS : K_IDS;
        const cJSON *item;
        cJSON_ArrayForEach(item, val) {
            int64_t id;
            uint8_t *data = NULL;
            size_t len = 0;
            if (o->kind == K_ROWS ? !row_of(item, &id, &data, &len) : !int_of(item, &id)) return false;
            push_row(o, id, NULL, 0);
            o->rows[o->nrows - 1].data = data;
            o->rows[o->nrows - 1].len = len;
        }
        return true;
    }
    if (!strcmp(key, "error")) {
        if (!cJSON_IsString(val) || strncmp(val->valuestring, "TOONSTORE_ERR_", 14) != 0)
            return bad("error must be a C error name");
        *o = err(error_code(val->valuestring));
        return true;
    }
    return bad("unknown expect key \"%s\"", key);
}

/* ------------------------------------------------------------------------
 * Executing a case
 * ------------------------------------------------------------------------ */

#define MAX_NAMED 16

typedef struct {
    char *name;
    void *ptr;
} named;

typedef struct {
    char dir[512];  /* the temporary directory */
    char path[600]; /* the database directory: dir/db */
    ToonStore *db;  /* kept after close: later steps test the closed handle */
    bool open;
    named iters[MAX_NAMED];
    named snaps[MAX_NAMED];
    pid_t child;
    int child_in; /* write end of the child's stdin */
} run;

static named *find(named *t, const char *name) {
    for (int i = 0; i < MAX_NAMED; i++)
        if (t[i].name && !strcmp(t[i].name, name)) return &t[i];
    return NULL;
}

static named *slot(named *t, const char *name) {
    named *n = find(t, name);
    if (n) return n;
    for (int i = 0; i < MAX_NAMED; i++)
        if (!t[i].name) {
            t[i].name = strdup(name);
            return &t[i];
        }
    return NULL;
}

static const char *str_arg(const cJSON *step, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(step, key);
    if (!cJSON_IsString(v)) {
        bad("missing or non-string argument \"%s\"", key);
        return NULL;
    }
    return v->valuestring;
}

static bool id_arg(const cJSON *step, const char *key, int64_t *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(step, key);
    if (!v) return bad("missing argument \"%s\"", key);
    return int_of(v, out);
}

static bool start_arg(const cJSON *step, int64_t *out) {
    *out = 0;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(step, "start");
    return v ? int_of(v, out) : true;
}

/* get / snapshot_get: TOONSTORE_ERR_NOT_FOUND is "absent". */
static outcome outcome_of_get(int rc, const uint8_t *data, size_t len) {
    if (rc == TOONSTORE_ERR_NOT_FOUND) return simple(K_ABSENT, 0);
    if (rc != TOONSTORE_OK) return err(rc);
    outcome o = simple(K_VALUE, 0);
    o.data = dup_bytes(data, len);
    o.len = len;
    return o;
}

/* Reads the rows of `it` (at most `limit`; -1: all), then frees it. */
static outcome drain_at_most(ToonStoreIter *it, int64_t limit) {
    if (!it) return last_err();
    outcome o = simple(K_ROWS, 0);
    for (int64_t n = 0; limit < 0 || n < limit; n++) {
        int64_t id;
        uint8_t *data;
        size_t len;
        int rc = toonstore_iter_next(it, &id, &data, &len);
        if (rc == 0) break;
        if (rc < 0) {
            outcome_free(&o);
            o = err(rc);
            break;
        }
        push_row(&o, id, data, len);
    }
    toonstore_iter_free(it);
    return o;
}

static outcome drain(ToonStoreIter *it) { return drain_at_most(it, -1); }

/* The arguments of scan_range / snapshot_scan_range (README): start
 * (default 0), stop (default TOONSTORE_SCAN_END), reverse (default false)
 * as flags, limit (default -1: all). */
typedef struct {
    int64_t start, stop, limit;
    uint32_t flags;
} range_args;

static bool range_arg(const cJSON *step, range_args *a) {
    a->stop = TOONSTORE_SCAN_END;
    a->limit = -1;
    a->flags = 0;
    if (!start_arg(step, &a->start)) return false;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(step, "stop");
    if (v && !int_of(v, &a->stop)) return false;
    v = cJSON_GetObjectItemCaseSensitive(step, "limit");
    if (v && (!int_of(v, &a->limit) || a->limit < 0)) return bad("limit must be an integer >= 0");
    v = cJSON_GetObjectItemCaseSensitive(step, "reverse");
    if (v && !cJSON_IsBool(v)) return bad("reverse must be a bool");
    if (cJSON_IsTrue(v)) a->flags = TOONSTORE_SCAN_REVERSE;
    return true;
}

/* A scan_range call's outcome: its error, or the rows it yields. */
static outcome range_outcome(int rc, ToonStoreIter *it, int64_t limit) {
    if (rc != TOONSTORE_OK) {
        if (it != NULL) return err(TOONSTORE_ERR_INTERNAL); /* *out_iter must be cleared */
        return err(rc);
    }
    return drain_at_most(it, limit);
}

static void stop_child(run *r, int *status) {
    if (r->child <= 0) return;
    close(r->child_in);
    int st = -1;
    while (waitpid(r->child, &st, 0) < 0 && errno == EINTR) {
    }
    if (status) *status = st;
    r->child = 0;
}

static const char *self_exe;

/* Starts this program as `--hold-lock <path>` and waits for its "ready". */
static bool start_child(run *r) {
    int in[2], out[2];
    if (pipe(in) || pipe(out)) return bad("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0) return bad("fork: %s", strerror(errno));
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]); close(in[1]); close(out[0]); close(out[1]);
        execl(self_exe, self_exe, "--hold-lock", r->path, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    r->child = pid;
    r->child_in = in[1];
    char line[256] = {0};
    FILE *f = fdopen(out[0], "r");
    bool ok = f && fgets(line, sizeof line, f) && !strcmp(line, "ready\n");
    if (f) fclose(f);
    if (!ok) {
        stop_child(r, NULL);
        return bad("the lock-holding child said \"%s\"", line);
    }
    return true;
}

static int hold_lock_child(const char *path) {
    ToonStore *db = NULL;
    int rc = toonstore_open_with(path, NULL, &db);
    if (rc != TOONSTORE_OK) {
        printf("error %d: %s\n", rc, toonstore_last_error());
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    char buf[256];
    while (fread(buf, 1, sizeof buf, stdin) > 0) {
    }
    return toonstore_close_checked(db) == TOONSTORE_OK ? 0 : 1;
}

/* Runs one step into *o; false for a broken vector (vector_error says why). */
static bool step_run(run *r, const char *op, const cJSON *step, outcome *o) {
    int64_t id, start;
    int rc;
    if (!strcmp(op, "open")) {
        if (r->open) return bad("open while the handle is open");
        ToonStoreOpenOptions opts;
        toonstore_open_options_init(&opts, TOONSTORE_OPEN_OPTIONS_VERSION);
        const cJSON *given = cJSON_GetObjectItemCaseSensitive(step, "options"), *kv;
        cJSON_ArrayForEach(kv, given) {
            int64_t n = 0;
            if (!strcmp(kv->string, "read_only") && cJSON_IsBool(kv)) opts.read_only = cJSON_IsTrue(kv);
            else if (!strcmp(kv->string, "create_if_missing") && cJSON_IsBool(kv)) opts.create_if_missing = cJSON_IsTrue(kv);
            else if (!strcmp(kv->string, "max_value_size") && int_of(kv, &n)) opts.max_value_size = (uint64_t)n;
            else if (!strcmp(kv->string, "options_version") && int_of(kv, &n)) opts.version = (uint32_t)n;
            else return bad("bad option \"%s\"", kv->string);
        }
        ToonStore *db = NULL;
        rc = toonstore_open_with(r->path, &opts, &db);
        if (rc == TOONSTORE_OK) {
            r->db = db;
            r->open = true;
        }
        *o = rc ? err(rc) : simple(K_OK, 0);
        return true;
    }
    if (!strcmp(op, "close")) {
        r->open = false;
        rc = toonstore_close_checked(r->db);
        *o = rc ? err(rc) : simple(K_OK, 0);
        return true;
    }
    if (!strcmp(op, "put")) {
        uint8_t *data;
        size_t len;
        if (!bytes_of(cJSON_GetObjectItemCaseSensitive(step, "value"), &data, &len)) return false;
        int64_t got = toonstore_put(r->db, data, len);
        free(data);
        *o = got < 0 ? err((int)got) : simple(K_ID, got);
        return true;
    }
    if (!strcmp(op, "get")) {
        if (!id_arg(step, "id", &id)) return false;
        uint8_t *data = NULL;
        size_t len = 0;
        rc = toonstore_get(r->db, id, &data, &len);
        *o = outcome_of_get(rc, data, len);
        toonstore_free_buffer(data);
        return true;
    }
    if (!strcmp(op, "contains")) {
        if (!id_arg(step, "id", &id)) return false;
        rc = toonstore_contains(r->db, id);
        *o = rc < 0 ? err(rc) : simple(K_BOOL, rc == 1);
        return true;
    }
    if (!strcmp(op, "delete")) {
        if (!id_arg(step, "id", &id)) return false;
        rc = toonstore_delete(r->db, id);
        *o = rc ? err(rc) : simple(K_OK, 0);
        return true;
    }
    if (!strcmp(op, "count")) {
        ToonStoreStats st;
        memset(&st, 0, sizeof st);
        st.version = TOONSTORE_STATS_VERSION;
        rc = toonstore_stats(r->db, &st);
        *o = rc ? err(rc) : simple(K_COUNT, (int64_t)st.live_rows);
        return true;
    }
    if (!strcmp(op, "scan")) {
        if (!start_arg(step, &start)) return false;
        *o = drain(toonstore_scan_from(r->db, start));
        return true;
    }
    if (!strcmp(op, "scan_range")) {
        range_args a;
        if (!range_arg(step, &a)) return false;
        ToonStoreIter *it = NULL;
        rc = toonstore_scan_range(r->db, a.start, a.stop, a.flags, &it);
        *o = range_outcome(rc, it, a.limit);
        return true;
    }
    if (!strcmp(op, "iter_open")) {
        const char *name = str_arg(step, "iter");
        if (!name || !start_arg(step, &start)) return false;
        ToonStoreIter *it = toonstore_scan_from(r->db, start);
        if (!it) {
            *o = last_err();
            return true;
        }
        named *n = slot(r->iters, name);
        if (!n) return bad("too many iterators");
        toonstore_iter_free(n->ptr);
        n->ptr = it;
        *o = simple(K_OK, 0);
        return true;
    }
    if (!strcmp(op, "iter_next") || !strcmp(op, "iter_close")) {
        const char *name = str_arg(step, "iter");
        named *n = name ? find(r->iters, name) : NULL;
        if (!n) return bad("no iterator \"%s\"", name ? name : "");
        if (!strcmp(op, "iter_close")) {
            toonstore_iter_free(n->ptr);
            free(n->name);
            n->name = NULL;
            n->ptr = NULL;
            *o = simple(K_OK, 0);
            return true;
        }
        uint8_t *data;
        size_t len;
        rc = toonstore_iter_next(n->ptr, &id, &data, &len);
        if (rc < 0) *o = err(rc);
        else if (rc == 0) *o = simple(K_END, 0);
        else {
            *o = simple(K_ROW, id);
            o->data = dup_bytes(data, len);
            o->len = len;
        }
        return true;
    }
    if (!strcmp(op, "batch")) {
        const cJSON *ops = cJSON_GetObjectItemCaseSensitive(step, "ops"), *item;
        if (!cJSON_IsArray(ops)) return bad("ops must be a list");
        ToonStoreBatch *b = toonstore_batch_new();
        if (!b) abort();
        int64_t puts = 0;
        rc = TOONSTORE_OK;
        cJSON_ArrayForEach(item, ops) {
            const cJSON *p = cJSON_GetObjectItemCaseSensitive(item, "put");
            const cJSON *d = cJSON_GetObjectItemCaseSensitive(item, "delete");
            if (p) {
                uint8_t *data;
                size_t len;
                if (!bytes_of(p, &data, &len)) { toonstore_batch_free(b); return false; }
                rc = toonstore_batch_put(b, data, len);
                free(data);
                puts++;
            } else if (d) {
                if (!int_of(d, &id)) { toonstore_batch_free(b); return false; }
                rc = toonstore_batch_delete(b, id);
            } else {
                toonstore_batch_free(b);
                return bad("unknown batch op");
            }
            if (rc != TOONSTORE_OK) break;
        }
        int64_t first = -1;
        if (rc == TOONSTORE_OK) rc = toonstore_batch_commit(r->db, b, &first);
        toonstore_batch_free(b);
        if (rc != TOONSTORE_OK) {
            *o = err(rc);
            return true;
        }
        *o = simple(K_IDS, 0);
        for (int64_t i = 0; i < puts; i++) push_row(o, first + i, NULL, 0);
        return true;
    }
    if (!strcmp(op, "snapshot_open")) {
        const char *name = str_arg(step, "snapshot");
        if (!name) return false;
        ToonStoreSnapshot *s = NULL;
        rc = toonstore_snapshot_open(r->db, &s);
        if (rc != TOONSTORE_OK) {
            *o = err(rc);
            return true;
        }
        named *n = slot(r->snaps, name);
        if (!n) return bad("too many snapshots");
        toonstore_snapshot_free(n->ptr);
        n->ptr = s;
        *o = simple(K_OK, 0);
        return true;
    }
    if (!strncmp(op, "snapshot_", 9)) {
        const char *name = str_arg(step, "snapshot");
        named *n = name ? find(r->snaps, name) : NULL;
        if (!n) return bad("no snapshot \"%s\"", name ? name : "");
        if (!strcmp(op, "snapshot_get")) {
            if (!id_arg(step, "id", &id)) return false;
            const uint8_t *data = NULL;
            size_t len = 0;
            rc = toonstore_snapshot_get(n->ptr, id, &data, &len);
            *o = outcome_of_get(rc, data, len);
            return true;
        }
        if (!strcmp(op, "snapshot_scan")) {
            if (!start_arg(step, &start)) return false;
            *o = drain(toonstore_snapshot_scan(n->ptr, start));
            return true;
        }
        if (!strcmp(op, "snapshot_scan_range")) {
            range_args a;
            if (!range_arg(step, &a)) return false;
            ToonStoreIter *it = NULL;
            rc = toonstore_snapshot_scan_range(n->ptr, a.start, a.stop, a.flags, &it);
            *o = range_outcome(rc, it, a.limit);
            return true;
        }
        if (!strcmp(op, "snapshot_close")) {
            toonstore_snapshot_free(n->ptr);
            free(n->name);
            n->name = NULL;
            n->ptr = NULL;
            *o = simple(K_OK, 0);
            return true;
        }
        return bad("unknown op \"%s\"", op);
    }
    if (!strcmp(op, "compact") || !strcmp(op, "sync")) {
        rc = !strcmp(op, "compact") ? toonstore_compact(r->db) : toonstore_sync(r->db);
        *o = rc ? err(rc) : simple(K_OK, 0);
        return true;
    }
    if (!strcmp(op, "hold_lock")) {
        if (r->child > 0) return bad("hold_lock while a child holds it");
        if (!start_child(r)) return false;
        *o = simple(K_OK, 0);
        return true;
    }
    if (!strcmp(op, "release_lock")) {
        if (r->child <= 0) return bad("release_lock without hold_lock");
        int status = -1;
        stop_child(r, &status);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return bad("the lock-holding child failed (%d)", status);
        *o = simple(K_OK, 0);
        return true;
    }
    return bad("unknown op \"%s\"", op);
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb; (void)flag; (void)ftw;
    return remove(p);
}

static void run_finish(run *r) {
    for (int i = 0; i < MAX_NAMED; i++) {
        if (r->iters[i].name) { toonstore_iter_free(r->iters[i].ptr); free(r->iters[i].name); }
        if (r->snaps[i].name) { toonstore_snapshot_free(r->snaps[i].ptr); free(r->snaps[i].name); }
    }
    if (r->open) toonstore_close(r->db);
    stop_child(r, NULL);
    nftw(r->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Returns 'P', 'F' or 'S' and writes the reason into *why. */
static char run_case(const cJSON *c, sbuf *why) {
    const cJSON *req, *steps = cJSON_GetObjectItemCaseSensitive(c, "steps"), *step;
    cJSON_ArrayForEach(req, cJSON_GetObjectItemCaseSensitive(c, "requires")) {
        for (int i = 0; UNSUPPORTED[i][0]; i++)
            if (cJSON_IsString(req) && !strcmp(req->valuestring, UNSUPPORTED[i][0])) {
                sb_printf(why, "requires %s: %s", UNSUPPORTED[i][0], UNSUPPORTED[i][1]);
                return 'S';
            }
        bool known = false;
        for (int i = 0; SUPPORTED[i]; i++) known |= cJSON_IsString(req) && !strcmp(req->valuestring, SUPPORTED[i]);
        if (!known) {
            sb_printf(why, "requires %s, a capability this runner does not know",
                      cJSON_IsString(req) ? req->valuestring : "?");
            return 'S';
        }
    }
    cJSON_ArrayForEach(step, steps) {
        const char *op = str_arg(step, "op");
        for (int i = 0; op && UNSUPPORTED_OPS[i][0]; i++)
            if (!strcmp(op, UNSUPPORTED_OPS[i][0])) {
                sb_printf(why, "op %s: %s", op, UNSUPPORTED_OPS[i][1]);
                return 'S';
            }
    }
    run r;
    memset(&r, 0, sizeof r);
    const char *tmp = getenv("TMPDIR");
    snprintf(r.dir, sizeof r.dir, "%s/toonstore-conformance-c.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(r.dir)) {
        sb_printf(why, "mkdtemp: %s", strerror(errno));
        return 'F';
    }
    snprintf(r.path, sizeof r.path, "%s/db", r.dir);
    char verdict = 'P';
    int i = 0;
    cJSON_ArrayForEach(step, steps) {
        const char *op = str_arg(step, "op");
        outcome want, got;
        memset(&got, 0, sizeof got);
        if (!op || !expected_for(cJSON_GetObjectItemCaseSensitive(step, "expect"), &want)) {
            sb_printf(why, "step %d (%s): bad vector: %s", i, op ? op : "?", vector_error);
            verdict = 'F';
            break;
        }
        if (!step_run(&r, op, step, &got)) {
            sb_printf(why, "step %d (%s): bad vector or runner error: %s", i, op, vector_error);
            outcome_free(&want);
            verdict = 'F';
            break;
        }
        bool same = outcome_eq(&want, &got);
        if (!same) {
            sb_printf(why, "step %d (%s): expected ", i, op);
            outcome_show(why, &want);
            sb_printf(why, ", got ");
            outcome_show(why, &got);
        }
        outcome_free(&want);
        outcome_free(&got);
        if (!same) {
            verdict = 'F';
            break;
        }
        i++;
    }
    run_finish(&r);
    return verdict;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    sbuf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) sb_printf(&b, "%.*s", (int)n, chunk);
    fclose(f);
    return b.s ? b.s : strdup("");
}

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "--hold-lock")) return hold_lock_child(argv[2]);
    self_exe = "/proc/self/exe";
    const char *dir = argc > 1 ? argv[1] : getenv("TOONSTORE_CONFORMANCE_DIR");
    if (!dir || !*dir) {
        fprintf(stderr, "conformance: give the vector folder (argument or TOONSTORE_CONFORMANCE_DIR)\n");
        return 2;
    }
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "conformance: cannot read %s: %s\n", dir, strerror(errno));
        return 2;
    }
    char **files = NULL;
    size_t nfiles = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n > 5 && !strcmp(e->d_name + n - 5, ".json")) {
            files = realloc(files, (nfiles + 1) * sizeof *files);
            files[nfiles++] = strdup(e->d_name);
        }
    }
    closedir(d);
    if (!nfiles) {
        fprintf(stderr, "conformance: no *.json vector files in %s\n", dir);
        return 2;
    }
    qsort(files, nfiles, sizeof *files, cmp_str);
    const char *report_path = getenv("TOONSTORE_CONFORMANCE_REPORT");
    FILE *report = report_path && *report_path ? fopen(report_path, "a") : NULL;
    if (report_path && *report_path && !report) {
        fprintf(stderr, "conformance: cannot open %s\n", report_path);
        return 2;
    }
    int passed = 0, failed = 0, skipped = 0;
    for (size_t fi = 0; fi < nfiles; fi++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, files[fi]);
        char *text = read_file(path);
        cJSON *doc = text ? cJSON_Parse(text) : NULL;
        free(text);
        files[fi][strlen(files[fi]) - 5] = '\0'; /* the stem */
        const cJSON *cases = cJSON_GetObjectItemCaseSensitive(doc, "cases"), *c;
        if (!cJSON_IsArray(cases)) {
            fprintf(stderr, "conformance: %s is not a vector file\n", path);
            failed++;
        }
        cJSON_ArrayForEach(c, cases) {
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
            sbuf why = {0};
            sb_printf(&why, "%s", "");
            char v = run_case(c, &why);
            const char *tag = v == 'P' ? "PASS" : v == 'S' ? "SKIP" : "FAIL";
            passed += v == 'P';
            failed += v == 'F';
            skipped += v == 'S';
            char line[8192];
            snprintf(line, sizeof line, "%s %s/%s%s%s", tag, files[fi],
                     cJSON_IsString(name) ? name->valuestring : "?", why.len ? ": " : "", why.s);
            printf("%s\n", line);
            if (report) {
                fprintf(report, "%s\n", line);
                fflush(report);
            }
            free(why.s);
        }
        cJSON_Delete(doc);
        free(files[fi]);
    }
    free(files);
    if (report) fclose(report);
    printf("conformance (c, %s): %d passed, %d failed, %d skipped\n", dir, passed, failed, skipped);
    return failed ? 1 : 0;
}
