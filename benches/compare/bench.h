/* Side-by-side comparison harness: ToonStore vs LMDB, SQLite, RocksDB.
 *
 * Every engine is driven through the small table of function pointers below
 * (one adapter file per engine), on the same generated rows (workload.c). */
#ifndef TS_COMPARE_BENCH_H
#define TS_COMPARE_BENCH_H

#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ */
/* workload                                                            */
/* ------------------------------------------------------------------ */

#define ROW_MAX 128 /* rows are 60..120 bytes */

typedef struct workload {
    size_t n;            /* rows */
    uint64_t seed;
    uint8_t *arena;      /* all rows back to back */
    uint64_t *off;       /* row i = arena + off[i], len[i] */
    uint8_t *len;
    uint32_t *get_order; /* a random permutation of 0..n-1 */
    uint32_t *del_set;   /* n_del distinct row indexes, random */
    size_t n_del;
    uint8_t *deleted;    /* deleted[i] = 1 after the delete phase */
} workload;

/* Writes row i of the data set for `seed` into buf (>= ROW_MAX bytes) and
 * returns its length. A pure function of (seed, i). */
size_t gen_row(uint64_t seed, uint64_t i, uint8_t *buf);
int workload_init(workload *w, size_t n, uint64_t seed);
void workload_free(workload *w);
static inline const uint8_t *wl_row(const workload *w, size_t i) { return w->arena + w->off[i]; }
static inline size_t wl_len(const workload *w, size_t i) { return w->len[i]; }

uint64_t rng_next(uint64_t *state); /* splitmix64 */

/* ------------------------------------------------------------------ */
/* engine adapters                                                     */
/* ------------------------------------------------------------------ */

enum { MODE_NOSYNC = 0, MODE_DURABLE = 1 };
enum { GET_OK = 0, GET_NOT_FOUND = 1, GET_ERR = -1 };

typedef struct adapter {
    const char *name;
    /* the configuration used for `mode`, written into the results */
    const char *(*describe)(int mode);
    /* open (creating when missing) the database in directory dir */
    void *(*open)(const char *dir, int mode);
    int (*close)(void *h);
    /* rows first..first+n-1 of w as ONE transaction / batch; peers use keys
     * key0, key0+1, ...; ids_out[k] receives the id of row first+k */
    int (*put_batch)(void *h, const workload *w, size_t first, size_t n, uint64_t key0, int64_t *ids_out);
    /* one row, one commit; peers use `key`; *id_out receives the id */
    int (*put)(void *h, uint64_t key, const uint8_t *data, size_t len, int64_t *id_out);
    /* copy the row into buf; GET_OK / GET_NOT_FOUND / GET_ERR */
    int (*get)(void *h, int64_t id, uint8_t *buf, size_t cap, size_t *len);
    /* one delete, one commit (0 ok) */
    int (*del)(void *h, int64_t id);
    /* full scan of the live rows in key order; fills count, bytes, and a
     * checksum of the first and last byte of every row (so every row's
     * memory is really reached, also for zero-copy engines) */
    int (*scan)(void *h, uint64_t *rows, uint64_t *bytes, uint64_t *sum);
    /* zero-copy reads from one read snapshot (optional, may be NULL) */
    void *(*snap_open)(void *h);
    int (*snap_get)(void *snap, int64_t id, const uint8_t **data, size_t *len);
    void (*snap_close)(void *snap);
    /* a handle for another thread that shares the database */
    void *(*thread_open)(void *h);
    void (*thread_close)(void *t);
    /* last error text for messages (may return "") */
    const char *(*error)(void *h);
} adapter;

extern const adapter toonstore_adapter;
extern const adapter lmdb_adapter;
extern const adapter sqlite_adapter;
extern const adapter rocksdb_adapter;

/* ------------------------------------------------------------------ */
/* helpers                                                             */
/* ------------------------------------------------------------------ */

double now_sec(void);
uint64_t dir_usage_bytes(const char *dir); /* sum of st_blocks*512, recursive */
int rm_rf(const char *path);
int mkdir_p(const char *path);
long rss_kib(const char *field); /* "VmRSS" / "VmHWM" from /proc/self/status */
int floor_overwrite(const char *dir, size_t reps, double *seconds);
int floor_append(const char *dir, size_t reps, double *seconds);
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static inline void be64(uint8_t out[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--) { out[i] = (uint8_t)v; v >>= 8; }
}
static inline uint64_t from_be64(const uint8_t in[8])
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = (v << 8) | in[i];
    return v;
}

#endif
