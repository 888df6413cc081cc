/* LMDB adapter: 8-byte big-endian keys (so byte order == id order). */
#include "bench.h"

#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LMDB_MAPSIZE (16ull << 30) /* sparse; far above what 1M rows need */

typedef struct lm_handle {
    MDB_env *env;
    MDB_dbi dbi;
    MDB_txn *rtxn; /* reset/renewed around every get */
    int owner;
    int rc;
} lm_handle;

static const char *lm_describe(int mode)
{
    return mode == MODE_DURABLE
               ? "mdb_env_open flags=MDB_NOTLS (otherwise default: fsync on every commit), one write txn per put, mapsize 16GiB"
               : "MDB_NOSYNC|MDB_WRITEMAP|MDB_NOMETASYNC|MDB_NOTLS, mapsize 16GiB, batched load with MDB_APPEND on 8-byte big-endian keys, one write txn per put/delete, get = renewed read txn + copy";
}

static void *lm_open(const char *dir, int mode)
{
    if (mkdir_p(dir) != 0) return NULL;
    lm_handle *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    h->owner = 1;
    unsigned flags = mode == MODE_DURABLE ? 0u : (MDB_NOSYNC | MDB_WRITEMAP | MDB_NOMETASYNC);
    flags |= MDB_NOTLS; /* read txns are reset/renewed per handle, not per thread */
    int rc = mdb_env_create(&h->env);
    if (!rc) rc = mdb_env_set_mapsize(h->env, LMDB_MAPSIZE);
    if (!rc) rc = mdb_env_set_maxreaders(h->env, 64);
    if (!rc) rc = mdb_env_open(h->env, dir, flags, 0644);
    MDB_txn *txn = NULL;
    if (!rc) rc = mdb_txn_begin(h->env, NULL, 0, &txn);
    if (!rc) rc = mdb_dbi_open(txn, NULL, 0, &h->dbi);
    if (!rc) rc = mdb_txn_commit(txn);
    else if (txn) mdb_txn_abort(txn);
    if (rc) {
        fprintf(stderr, "lmdb: open %s: %s\n", dir, mdb_strerror(rc));
        if (h->env) mdb_env_close(h->env);
        free(h);
        return NULL;
    }
    return h;
}

static int lm_close(void *p)
{
    lm_handle *h = p;
    if (h->rtxn) mdb_txn_abort(h->rtxn);
    if (h->owner) mdb_env_close(h->env);
    free(h);
    return 0;
}

static int lm_put_batch(void *p, const workload *w, size_t first, size_t n, uint64_t key0, int64_t *ids_out)
{
    lm_handle *h = p;
    MDB_txn *txn;
    if ((h->rc = mdb_txn_begin(h->env, NULL, 0, &txn))) return -1;
    uint8_t kb[8];
    for (size_t k = 0; k < n; k++) {
        be64(kb, key0 + k);
        MDB_val key = { 8, kb };
        MDB_val val = { wl_len(w, first + k), (void *)wl_row(w, first + k) };
        if ((h->rc = mdb_put(txn, h->dbi, &key, &val, MDB_APPEND))) {
            mdb_txn_abort(txn);
            return -1;
        }
        ids_out[k] = (int64_t)(key0 + k);
    }
    return (h->rc = mdb_txn_commit(txn)) ? -1 : 0;
}

static int lm_put(void *p, uint64_t key_id, const uint8_t *data, size_t len, int64_t *id_out)
{
    lm_handle *h = p;
    MDB_txn *txn;
    if ((h->rc = mdb_txn_begin(h->env, NULL, 0, &txn))) return -1;
    uint8_t kb[8];
    be64(kb, key_id);
    MDB_val key = { 8, kb };
    MDB_val val = { len, (void *)data };
    if ((h->rc = mdb_put(txn, h->dbi, &key, &val, 0))) {
        mdb_txn_abort(txn);
        return -1;
    }
    if ((h->rc = mdb_txn_commit(txn))) return -1;
    *id_out = (int64_t)key_id;
    return 0;
}

static int lm_get(void *p, int64_t id, uint8_t *buf, size_t cap, size_t *len)
{
    lm_handle *h = p;
    if (!h->rtxn) {
        if ((h->rc = mdb_txn_begin(h->env, NULL, MDB_RDONLY, &h->rtxn))) return GET_ERR;
    } else if ((h->rc = mdb_txn_renew(h->rtxn))) {
        return GET_ERR;
    }
    uint8_t kb[8];
    be64(kb, (uint64_t)id);
    MDB_val key = { 8, kb }, val;
    int rc = mdb_get(h->rtxn, h->dbi, &key, &val);
    int out;
    if (rc == 0) {
        *len = val.mv_size;
        if (val.mv_size <= cap) memcpy(buf, val.mv_data, val.mv_size);
        out = val.mv_size <= cap ? GET_OK : GET_ERR;
    } else {
        h->rc = rc;
        out = rc == MDB_NOTFOUND ? GET_NOT_FOUND : GET_ERR;
    }
    mdb_txn_reset(h->rtxn);
    return out;
}

static int lm_del(void *p, int64_t id)
{
    lm_handle *h = p;
    MDB_txn *txn;
    if ((h->rc = mdb_txn_begin(h->env, NULL, 0, &txn))) return -1;
    uint8_t kb[8];
    be64(kb, (uint64_t)id);
    MDB_val key = { 8, kb };
    if ((h->rc = mdb_del(txn, h->dbi, &key, NULL))) {
        mdb_txn_abort(txn);
        return -1;
    }
    return (h->rc = mdb_txn_commit(txn)) ? -1 : 0;
}

static int lm_scan(void *p, uint64_t *rows, uint64_t *bytes, uint64_t *sum)
{
    lm_handle *h = p;
    MDB_txn *txn;
    MDB_cursor *cur;
    if ((h->rc = mdb_txn_begin(h->env, NULL, MDB_RDONLY, &txn))) return -1;
    if ((h->rc = mdb_cursor_open(txn, h->dbi, &cur))) {
        mdb_txn_abort(txn);
        return -1;
    }
    uint64_t r = 0, b = 0, s = 0;
    MDB_val key, val;
    int rc = mdb_cursor_get(cur, &key, &val, MDB_FIRST);
    while (rc == 0) {
        r++;
        b += val.mv_size;
        const uint8_t *d = val.mv_data;
        if (val.mv_size) s += (uint64_t)d[0] + d[val.mv_size - 1];
        rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    if (rc != MDB_NOTFOUND) {
        h->rc = rc;
        return -1;
    }
    *rows = r;
    *bytes = b;
    *sum = s;
    return 0;
}

typedef struct lm_snap {
    MDB_txn *txn;
    MDB_dbi dbi;
} lm_snap;

static void *lm_snap_open(void *p)
{
    lm_handle *h = p;
    lm_snap *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->dbi = h->dbi;
    if ((h->rc = mdb_txn_begin(h->env, NULL, MDB_RDONLY, &s->txn))) {
        free(s);
        return NULL;
    }
    return s;
}

static int lm_snap_get(void *snap, int64_t id, const uint8_t **data, size_t *len)
{
    lm_snap *s = snap;
    uint8_t kb[8];
    be64(kb, (uint64_t)id);
    MDB_val key = { 8, kb }, val;
    int rc = mdb_get(s->txn, s->dbi, &key, &val);
    if (rc == 0) {
        *data = val.mv_data;
        *len = val.mv_size;
        return GET_OK;
    }
    return rc == MDB_NOTFOUND ? GET_NOT_FOUND : GET_ERR;
}

static void lm_snap_close(void *snap)
{
    lm_snap *s = snap;
    mdb_txn_abort(s->txn);
    free(s);
}

static void *lm_thread_open(void *p)
{
    lm_handle *h = p;
    lm_handle *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->env = h->env;
    t->dbi = h->dbi;
    return t;
}

static void lm_thread_close(void *t) { lm_close(t); }

static const char *lm_error(void *p)
{
    lm_handle *h = p;
    return h ? mdb_strerror(h->rc) : "";
}

const adapter lmdb_adapter = {
    .name = "lmdb",
    .describe = lm_describe,
    .open = lm_open,
    .close = lm_close,
    .put_batch = lm_put_batch,
    .put = lm_put,
    .get = lm_get,
    .del = lm_del,
    .scan = lm_scan,
    .snap_open = lm_snap_open,
    .snap_get = lm_snap_get,
    .snap_close = lm_snap_close,
    .thread_open = lm_thread_open,
    .thread_close = lm_thread_close,
    .error = lm_error,
};
