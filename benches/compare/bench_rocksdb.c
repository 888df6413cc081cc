/* RocksDB adapter through its C API (rocksdb/c.h); 8-byte big-endian keys. */
#include "bench.h"

#include <rocksdb/c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rk_handle {
    rocksdb_t *db;
    rocksdb_options_t *opts;
    rocksdb_block_based_table_options_t *bbto;
    rocksdb_cache_t *cache;
    rocksdb_filterpolicy_t *bloom; /* owned by bbto once set */
    rocksdb_readoptions_t *ro;
    rocksdb_writeoptions_t *wo;
    rocksdb_writebatch_t *wb;
    int owner;
    char err[512];
} rk_handle;

static const char *rk_describe(int mode)
{
    return mode == MODE_DURABLE
               ? "default options + increase_parallelism(2), bloom 10 bits/key, 128MiB LRU block cache; WriteOptions sync=true (WAL fsync per Put; concurrent writers grouped by RocksDB)"
               : "default options + increase_parallelism(2), bloom 10 bits/key, 128MiB LRU block cache; WriteOptions sync=false disableWAL=false; batches via WriteBatch; get via rocksdb_get_pinned + copy";
}

static int rk_err(rk_handle *h, char *err)
{
    if (!err) return 0;
    snprintf(h->err, sizeof h->err, "%s", err);
    rocksdb_free(err);
    return -1;
}

static void rk_free(rk_handle *h)
{
    if (h->wb) rocksdb_writebatch_destroy(h->wb);
    if (h->owner) {
        if (h->db) rocksdb_close(h->db);
        if (h->ro) rocksdb_readoptions_destroy(h->ro);
        if (h->wo) rocksdb_writeoptions_destroy(h->wo);
        if (h->opts) rocksdb_options_destroy(h->opts);
        if (h->bbto) rocksdb_block_based_options_destroy(h->bbto);
        if (h->cache) rocksdb_cache_destroy(h->cache);
    }
    free(h);
}

static void *rk_open(const char *dir, int mode)
{
    if (mkdir_p(dir) != 0) return NULL;
    rk_handle *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    h->owner = 1;
    h->opts = rocksdb_options_create();
    rocksdb_options_set_create_if_missing(h->opts, 1);
    rocksdb_options_increase_parallelism(h->opts, 2);
    h->bbto = rocksdb_block_based_options_create();
    h->bloom = rocksdb_filterpolicy_create_bloom_full(10);
    rocksdb_block_based_options_set_filter_policy(h->bbto, h->bloom);
    h->cache = rocksdb_cache_create_lru(128u << 20);
    rocksdb_block_based_options_set_block_cache(h->bbto, h->cache);
    rocksdb_options_set_block_based_table_factory(h->opts, h->bbto);
    h->ro = rocksdb_readoptions_create();
    h->wo = rocksdb_writeoptions_create();
    rocksdb_writeoptions_set_sync(h->wo, mode == MODE_DURABLE);
    rocksdb_writeoptions_disable_WAL(h->wo, 0);
    char *err = NULL;
    h->db = rocksdb_open(h->opts, dir, &err);
    if (rk_err(h, err) || !h->db) {
        fprintf(stderr, "rocksdb: open %s: %s\n", dir, h->err);
        rk_free(h);
        return NULL;
    }
    return h;
}

static int rk_close(void *p)
{
    rk_free(p);
    return 0;
}

static int rk_put_batch(void *p, const workload *w, size_t first, size_t n, uint64_t key0, int64_t *ids_out)
{
    rk_handle *h = p;
    if (!h->wb) h->wb = rocksdb_writebatch_create();
    rocksdb_writebatch_clear(h->wb);
    uint8_t kb[8];
    for (size_t k = 0; k < n; k++) {
        be64(kb, key0 + k);
        rocksdb_writebatch_put(h->wb, (const char *)kb, 8, (const char *)wl_row(w, first + k), wl_len(w, first + k));
        ids_out[k] = (int64_t)(key0 + k);
    }
    char *err = NULL;
    rocksdb_write(h->db, h->wo, h->wb, &err);
    return rk_err(h, err);
}

static int rk_put(void *p, uint64_t key, const uint8_t *data, size_t len, int64_t *id_out)
{
    rk_handle *h = p;
    uint8_t kb[8];
    be64(kb, key);
    char *err = NULL;
    rocksdb_put(h->db, h->wo, (const char *)kb, 8, (const char *)data, len, &err);
    if (rk_err(h, err)) return -1;
    *id_out = (int64_t)key;
    return 0;
}

static int rk_get(void *p, int64_t id, uint8_t *buf, size_t cap, size_t *len)
{
    rk_handle *h = p;
    uint8_t kb[8];
    be64(kb, (uint64_t)id);
    char *err = NULL;
    rocksdb_pinnableslice_t *ps = rocksdb_get_pinned(h->db, h->ro, (const char *)kb, 8, &err);
    if (rk_err(h, err)) return GET_ERR;
    if (!ps) return GET_NOT_FOUND;
    size_t l = 0;
    const char *v = rocksdb_pinnableslice_value(ps, &l);
    int out = GET_NOT_FOUND;
    if (v) {
        *len = l;
        if (l <= cap) memcpy(buf, v, l);
        out = l <= cap ? GET_OK : GET_ERR;
    }
    rocksdb_pinnableslice_destroy(ps);
    return out;
}

static int rk_del(void *p, int64_t id)
{
    rk_handle *h = p;
    uint8_t kb[8];
    be64(kb, (uint64_t)id);
    char *err = NULL;
    rocksdb_delete(h->db, h->wo, (const char *)kb, 8, &err);
    return rk_err(h, err);
}

static int rk_scan(void *p, uint64_t *rows, uint64_t *bytes, uint64_t *sum)
{
    rk_handle *h = p;
    rocksdb_iterator_t *it = rocksdb_create_iterator(h->db, h->ro);
    uint64_t r = 0, b = 0, s = 0;
    for (rocksdb_iter_seek_to_first(it); rocksdb_iter_valid(it); rocksdb_iter_next(it)) {
        size_t l;
        const uint8_t *d = (const uint8_t *)rocksdb_iter_value(it, &l);
        r++;
        b += l;
        if (l) s += (uint64_t)d[0] + d[l - 1];
    }
    char *err = NULL;
    rocksdb_iter_get_error(it, &err);
    rocksdb_iter_destroy(it);
    if (rk_err(h, err)) return -1;
    *rows = r;
    *bytes = b;
    *sum = s;
    return 0;
}

static void *rk_thread_open(void *p)
{
    rk_handle *h = p;
    rk_handle *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->db = h->db; /* rocksdb_t and the option objects are thread-safe to share */
    t->ro = h->ro;
    t->wo = h->wo;
    return t;
}

static void rk_thread_close(void *t) { rk_free(t); }

static const char *rk_error(void *p)
{
    rk_handle *h = p;
    return h ? h->err : "";
}

const adapter rocksdb_adapter = {
    .name = "rocksdb",
    .describe = rk_describe,
    .open = rk_open,
    .close = rk_close,
    .put_batch = rk_put_batch,
    .put = rk_put,
    .get = rk_get,
    .del = rk_del,
    .scan = rk_scan,
    .snap_open = NULL,
    .snap_get = NULL,
    .snap_close = NULL,
    .thread_open = rk_thread_open,
    .thread_close = rk_thread_close,
    .error = rk_error,
};
