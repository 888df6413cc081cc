/* ToonStore adapter: public header + -ltoonstore only. */
#include "bench.h"
#include "toonstore.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct ts_handle {
    ToonStore *db;
    ToonStoreBatch *batch;
    int owner; /* 1 for the handle that opened the database */
} ts_handle;

static const char *ts_describe(int mode)
{
    return mode == MODE_DURABLE
               ? "toonstore_open_with durability=FULL (fsync before a commit is acknowledged; concurrent commits share one fsync)"
               : "toonstore_open_with durability=NORMAL (row reaches the OS before put returns; survives kill -9; no fsync per commit); batches via toonstore_batch_*; get via toonstore_get_into";
}

static void *ts_open(const char *dir, int mode)
{
    ToonStoreOpenOptions o;
    if (toonstore_open_options_init(&o, TOONSTORE_OPEN_OPTIONS_VERSION) != TOONSTORE_OK) return NULL;
    o.durability = mode == MODE_DURABLE ? TOONSTORE_DURABILITY_FULL : TOONSTORE_DURABILITY_NORMAL;
    o.create_if_missing = 1;
    ToonStore *db = NULL;
    if (toonstore_open_with(dir, &o, &db) != TOONSTORE_OK || !db) {
        const char *e = toonstore_last_error();
        fprintf(stderr, "toonstore: open %s: %s\n", dir, e ? e : "?");
        return NULL;
    }
    ts_handle *h = calloc(1, sizeof *h);
    if (!h) {
        toonstore_close(db);
        return NULL;
    }
    h->db = db;
    h->owner = 1;
    return h;
}

static int ts_close(void *p)
{
    ts_handle *h = p;
    int rc = 0;
    if (h->batch) toonstore_batch_free(h->batch);
    if (h->owner) rc = toonstore_close_checked(h->db);
    free(h);
    return rc == TOONSTORE_OK ? 0 : -1;
}

static int ts_put_batch(void *p, const workload *w, size_t first, size_t n, uint64_t key0, int64_t *ids_out)
{
    (void)key0;
    ts_handle *h = p;
    if (!h->batch && !(h->batch = toonstore_batch_new())) return -1;
    for (size_t k = 0; k < n; k++)
        if (toonstore_batch_put(h->batch, wl_row(w, first + k), wl_len(w, first + k)) != TOONSTORE_OK) return -1;
    int64_t first_id = -1;
    if (toonstore_batch_commit(h->db, h->batch, &first_id) != TOONSTORE_OK) return -1;
    for (size_t k = 0; k < n; k++) ids_out[k] = first_id + (int64_t)k;
    return 0;
}

static int ts_put(void *p, uint64_t key, const uint8_t *data, size_t len, int64_t *id_out)
{
    (void)key;
    ts_handle *h = p;
    int64_t id = toonstore_put(h->db, data, len);
    if (id < 0) return -1;
    *id_out = id;
    return 0;
}

static int ts_get(void *p, int64_t id, uint8_t *buf, size_t cap, size_t *len)
{
    ts_handle *h = p;
    int rc = toonstore_get_into(h->db, id, buf, cap, len);
    if (rc == TOONSTORE_OK) return GET_OK;
    if (rc == TOONSTORE_ERR_NOT_FOUND) return GET_NOT_FOUND;
    return GET_ERR;
}

static int ts_del(void *p, int64_t id)
{
    ts_handle *h = p;
    return toonstore_delete(h->db, id) == TOONSTORE_OK ? 0 : -1;
}

static int ts_scan(void *p, uint64_t *rows, uint64_t *bytes, uint64_t *sum)
{
    ts_handle *h = p;
    ToonStoreIter *it = toonstore_scan(h->db);
    if (!it) return -1;
    uint64_t r = 0, b = 0, s = 0;
    int64_t id;
    uint8_t *data;
    size_t len;
    int rc;
    while ((rc = toonstore_iter_next(it, &id, &data, &len)) == 1) {
        r++;
        b += len;
        if (len) s += (uint64_t)data[0] + data[len - 1];
    }
    toonstore_iter_free(it);
    if (rc < 0) return -1;
    *rows = r;
    *bytes = b;
    *sum = s;
    return 0;
}

static void *ts_snap_open(void *p)
{
    ts_handle *h = p;
    ToonStoreSnapshot *s = NULL;
    if (toonstore_snapshot_open(h->db, &s) != TOONSTORE_OK) return NULL;
    return s;
}

static int ts_snap_get(void *snap, int64_t id, const uint8_t **data, size_t *len)
{
    int rc = toonstore_snapshot_get((const ToonStoreSnapshot *)snap, id, data, len);
    if (rc == TOONSTORE_OK) return GET_OK;
    if (rc == TOONSTORE_ERR_NOT_FOUND) return GET_NOT_FOUND;
    return GET_ERR;
}

static void ts_snap_close(void *snap) { toonstore_snapshot_free((ToonStoreSnapshot *)snap); }

static void *ts_thread_open(void *p)
{
    ts_handle *h = p;
    ts_handle *t = calloc(1, sizeof *t);
    if (t) t->db = h->db; /* a ToonStore* is shared by threads */
    return t;
}

static void ts_thread_close(void *t) { ts_close(t); }

static const char *ts_error(void *p)
{
    (void)p;
    const char *e = toonstore_last_error();
    return e ? e : "";
}

const adapter toonstore_adapter = {
    .name = "toonstore",
    .describe = ts_describe,
    .open = ts_open,
    .close = ts_close,
    .put_batch = ts_put_batch,
    .put = ts_put,
    .get = ts_get,
    .del = ts_del,
    .scan = ts_scan,
    .snap_open = ts_snap_open,
    .snap_get = ts_snap_get,
    .snap_close = ts_snap_close,
    .thread_open = ts_thread_open,
    .thread_close = ts_thread_close,
    .error = ts_error,
};
