/* SQLite adapter: rowid table, WAL, prepared statements, one connection per
 * thread (SQLITE_OPEN_NOMUTEX). */
#include "bench.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sq_handle {
    sqlite3 *db;
    sqlite3_stmt *ins, *sel, *del, *begin, *commit;
    int mode;
    char path[4096];
} sq_handle;

static const char *sq_describe(int mode)
{
    return mode == MODE_DURABLE
               ? "journal_mode=WAL synchronous=FULL, INTEGER PRIMARY KEY rowid table, prepared statements, one transaction (fsync of the WAL) per insert"
               : "journal_mode=WAL synchronous=OFF mmap_size=1GiB cache_size=64MiB, INTEGER PRIMARY KEY rowid table, prepared statements, batches in BEGIN/COMMIT, one autocommit transaction per insert/delete";
}

static int sq_exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
    if (rc != SQLITE_OK) {
        fprintf(stderr, "sqlite: %s: %s\n", sql, err ? err : sqlite3_errstr(rc));
        sqlite3_free(err);
        return -1;
    }
    return 0;
}

static void sq_free(sq_handle *h)
{
    sqlite3_finalize(h->ins);
    sqlite3_finalize(h->sel);
    sqlite3_finalize(h->del);
    sqlite3_finalize(h->begin);
    sqlite3_finalize(h->commit);
    if (h->db) sqlite3_close(h->db);
    free(h);
}

static sq_handle *sq_connect(const char *path, int mode)
{
    sq_handle *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    h->mode = mode;
    snprintf(h->path, sizeof h->path, "%s", path);
    int rc = sqlite3_open_v2(path, &h->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        fprintf(stderr, "sqlite: open %s: %s\n", path, sqlite3_errstr(rc));
        sq_free(h);
        return NULL;
    }
    sqlite3_busy_timeout(h->db, 60000);
    if (sq_exec(h->db, "PRAGMA journal_mode=WAL") ||
        sq_exec(h->db, mode == MODE_DURABLE ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF") ||
        sq_exec(h->db, "PRAGMA mmap_size=1073741824") || sq_exec(h->db, "PRAGMA cache_size=-65536") ||
        sq_exec(h->db, "CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, v BLOB NOT NULL)")) {
        sq_free(h);
        return NULL;
    }
    if (sqlite3_prepare_v2(h->db, "INSERT INTO t(id, v) VALUES(?1, ?2)", -1, &h->ins, NULL) ||
        sqlite3_prepare_v2(h->db, "SELECT v FROM t WHERE id = ?1", -1, &h->sel, NULL) ||
        sqlite3_prepare_v2(h->db, "DELETE FROM t WHERE id = ?1", -1, &h->del, NULL) ||
        sqlite3_prepare_v2(h->db, "BEGIN", -1, &h->begin, NULL) ||
        sqlite3_prepare_v2(h->db, "COMMIT", -1, &h->commit, NULL)) {
        fprintf(stderr, "sqlite: prepare: %s\n", sqlite3_errmsg(h->db));
        sq_free(h);
        return NULL;
    }
    return h;
}

static void *sq_open(const char *dir, int mode)
{
    if (mkdir_p(dir) != 0) return NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/db.sqlite", dir);
    return sq_connect(path, mode);
}

static int sq_close(void *p)
{
    sq_free(p);
    return 0;
}

static int sq_step_done(sq_handle *h, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "sqlite: step: %s\n", sqlite3_errmsg(h->db));
        return -1;
    }
    return 0;
}

static int sq_insert(sq_handle *h, uint64_t key, const uint8_t *data, size_t len)
{
    sqlite3_bind_int64(h->ins, 1, (sqlite3_int64)key);
    sqlite3_bind_blob(h->ins, 2, data, (int)len, SQLITE_STATIC);
    return sq_step_done(h, h->ins);
}

static int sq_put_batch(void *p, const workload *w, size_t first, size_t n, uint64_t key0, int64_t *ids_out)
{
    sq_handle *h = p;
    if (sq_step_done(h, h->begin)) return -1;
    for (size_t k = 0; k < n; k++) {
        if (sq_insert(h, key0 + k, wl_row(w, first + k), wl_len(w, first + k))) {
            sq_exec(h->db, "ROLLBACK");
            return -1;
        }
        ids_out[k] = (int64_t)(key0 + k);
    }
    return sq_step_done(h, h->commit);
}

static int sq_put(void *p, uint64_t key, const uint8_t *data, size_t len, int64_t *id_out)
{
    sq_handle *h = p;
    if (sq_insert(h, key, data, len)) return -1; /* autocommit: one transaction */
    *id_out = (int64_t)key;
    return 0;
}

static int sq_get(void *p, int64_t id, uint8_t *buf, size_t cap, size_t *len)
{
    sq_handle *h = p;
    sqlite3_bind_int64(h->sel, 1, id);
    int rc = sqlite3_step(h->sel);
    int out;
    if (rc == SQLITE_ROW) {
        const void *b = sqlite3_column_blob(h->sel, 0);
        size_t l = (size_t)sqlite3_column_bytes(h->sel, 0);
        *len = l;
        if (l <= cap) memcpy(buf, b, l);
        out = l <= cap ? GET_OK : GET_ERR;
    } else {
        out = rc == SQLITE_DONE ? GET_NOT_FOUND : GET_ERR;
    }
    sqlite3_reset(h->sel);
    return out;
}

static int sq_del(void *p, int64_t id)
{
    sq_handle *h = p;
    sqlite3_bind_int64(h->del, 1, id);
    if (sq_step_done(h, h->del)) return -1;
    return sqlite3_changes(h->db) == 1 ? 0 : -1;
}

static int sq_scan(void *p, uint64_t *rows, uint64_t *bytes, uint64_t *sum)
{
    sq_handle *h = p;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h->db, "SELECT v FROM t ORDER BY id", -1, &st, NULL)) return -1;
    uint64_t r = 0, b = 0, s = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const uint8_t *d = sqlite3_column_blob(st, 0);
        size_t l = (size_t)sqlite3_column_bytes(st, 0);
        r++;
        b += l;
        if (l) s += (uint64_t)d[0] + d[l - 1];
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return -1;
    *rows = r;
    *bytes = b;
    *sum = s;
    return 0;
}

static void *sq_thread_open(void *p)
{
    sq_handle *h = p;
    return sq_connect(h->path, h->mode);
}

static void sq_thread_close(void *t) { sq_free(t); }

static const char *sq_error(void *p)
{
    sq_handle *h = p;
    return h && h->db ? sqlite3_errmsg(h->db) : "";
}

const adapter sqlite_adapter = {
    .name = "sqlite",
    .describe = sq_describe,
    .open = sq_open,
    .close = sq_close,
    .put_batch = sq_put_batch,
    .put = sq_put,
    .get = sq_get,
    .del = sq_del,
    .scan = sq_scan,
    .snap_open = NULL,
    .snap_get = NULL,
    .snap_close = NULL,
    .thread_open = sq_thread_open,
    .thread_close = sq_thread_close,
    .error = sq_error,
};
