/*
 * What an open, nearly empty database costs (issue 21): opens N databases
 * of one engine in N directories, writes one 1-byte row into each (committed
 * with the engine's default durability), waits SETTLE seconds with all of
 * them open and idle (background threads run), then reports, for the whole
 * process:
 *
 *   rss_kib     resident memory (VmRSS) minus what it was before the opens
 *   threads     threads minus those before the opens
 *   written_kib bytes the process caused to be written (write_bytes of
 *               /proc/self/io: page dirtying, through write(2) or a mapping)
 *   disk_kib    the directories' allocated blocks (du)
 *
 *   target/compare/idle ENGINE N DIR [SETTLE]
 *   ENGINE: toonstore | toonstore-full | lmdb | sqlite
 *
 * One line of output: engine,n,rss_kib,threads,written_kib,disk_kib
 * (scripts/bench-idle.sh runs it for 1, 20 and 500 databases, 3 times each).
 */
#define _GNU_SOURCE
#include <lmdb.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench.h"
#include "toonstore.h"

static long proc_io(const char *field)
{
    FILE *f = fopen("/proc/self/io", "r");
    if (!f) return -1;
    char line[256];
    size_t fl = strlen(field);
    long v = -1;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, field, fl) && line[fl] == ':') {
            v = strtol(line + fl + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return v;
}

static void fail(const char *what, const char *detail)
{
    die("idle: %s: %s", what, detail ? detail : "");
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: idle ENGINE N DIR [SETTLE_SECONDS]\n");
        return 2;
    }
    const char *engine = argv[1];
    int n = atoi(argv[2]);
    const char *root = argv[3];
    int settle = argc > 4 ? atoi(argv[4]) : 3;
    /* Room for every database's descriptors. */
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
        lim.rlim_cur = lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);
    }
    rm_rf(root);
    if (mkdir_p(root) != 0) fail("mkdir", root);
    char path[4096];
    long rss0 = rss_kib("VmRSS"), threads0 = rss_kib("Threads");
    long written0 = proc_io("write_bytes");
    ToonStore **ts = calloc((size_t)n, sizeof *ts);
    MDB_env **envs = calloc((size_t)n, sizeof *envs);
    sqlite3 **dbs = calloc((size_t)n, sizeof *dbs);
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/db%04d", root, i);
        if (!strncmp(engine, "toonstore", 9)) {
            ToonStoreOpenOptions o;
            toonstore_open_options_init(&o, TOONSTORE_OPEN_OPTIONS_VERSION);
            if (!strcmp(engine, "toonstore-full")) o.durability = TOONSTORE_DURABILITY_FULL;
            if (toonstore_open_with(path, &o, &ts[i]) != TOONSTORE_OK) fail("toonstore_open_with", toonstore_last_error());
            if (toonstore_put(ts[i], (const uint8_t *)"x", 1) < 0) fail("toonstore_put", toonstore_last_error());
        } else if (!strcmp(engine, "lmdb")) {
            mkdir_p(path);
            MDB_txn *txn;
            MDB_dbi dbi;
            int rc = mdb_env_create(&envs[i]);
            if (!rc) rc = mdb_env_set_mapsize(envs[i], (size_t)1 << 30);
            if (!rc) rc = mdb_env_open(envs[i], path, 0, 0644);
            if (!rc) rc = mdb_txn_begin(envs[i], NULL, 0, &txn);
            if (!rc) rc = mdb_dbi_open(txn, NULL, 0, &dbi);
            uint64_t key = 0;
            MDB_val k = {sizeof key, &key}, v = {1, "x"};
            if (!rc) rc = mdb_put(txn, dbi, &k, &v, 0);
            if (!rc) rc = mdb_txn_commit(txn);
            if (rc) fail("lmdb", mdb_strerror(rc));
        } else if (!strcmp(engine, "sqlite")) {
            mkdir_p(path);
            char file[4200];
            snprintf(file, sizeof file, "%s/db.sqlite", path);
            char *err = NULL;
            if (sqlite3_open(file, &dbs[i]) != SQLITE_OK) fail("sqlite3_open", sqlite3_errmsg(dbs[i]));
            if (sqlite3_exec(dbs[i], "CREATE TABLE rows(id INTEGER PRIMARY KEY, v BLOB); INSERT INTO rows(v) VALUES (x'78');",
                             NULL, NULL, &err) != SQLITE_OK)
                fail("sqlite3_exec", err);
        } else {
            fail("unknown engine", engine);
        }
    }
    sleep((unsigned)settle);
    long rss = rss_kib("VmRSS") - rss0, threads = rss_kib("Threads") - threads0;
    long written = (proc_io("write_bytes") - written0) / 1024;
    long long disk = 0;
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/db%04d", root, i);
        disk += (long long)dir_usage_bytes(path);
    }
    printf("%s,%d,%ld,%ld,%ld,%lld\n", engine, n, rss, threads, written, disk / 1024);
    for (int i = 0; i < n; i++) {
        if (ts[i]) toonstore_close(ts[i]);
        if (envs[i]) mdb_env_close(envs[i]);
        if (dbs[i]) sqlite3_close(dbs[i]);
    }
    free(ts);
    free(envs);
    free(dbs);
    rm_rf(root);
    return 0;
}
