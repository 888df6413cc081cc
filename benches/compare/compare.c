/* compare: the same workload on ToonStore, LMDB, SQLite and RocksDB, in one
 * run, on the same generated rows, in directories on the same disk.
 *
 * Each engine runs in its own forked child so that peak memory and caches of
 * one engine do not mix with another's; results come back through a shared
 * anonymous mapping. See README.md beside this file. */
#define _GNU_SOURCE
#include "bench.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* configuration and results                                           */
/* ------------------------------------------------------------------ */

typedef struct config {
    size_t rows;          /* N */
    size_t single_rows;   /* rows for one-commit-per-put without fsync */
    size_t durable_rows;  /* rows for durable puts (1 thread, and total over put_threads) */
    size_t kill_rows;     /* rows written by the child that is killed with SIGKILL */
    int get_threads;
    int put_threads;
    uint64_t seed;
    const char *dir;
    const char *out;
    char engines[256];
    int floor;
} config;

static config CFG = {
    .rows = 1000000,
    .get_threads = 2,
    .put_threads = 8,
    .seed = 0x70307353746F7265ull,
    .dir = "target/bench-data",
    .out = "benches/compare/results/results.csv",
    .engines = "toonstore,lmdb,sqlite,rocksdb",
    .floor = 1,
};

#define MAX_RESULTS 512

typedef struct result {
    char engine[16];
    char phase[40];
    double ops;
    double seconds;
    double value; /* ops/s for timed phases, bytes / KiB for sizes */
    char unit[12];
    uint64_t errors;
    char config[480];
} result;

typedef struct shared {
    int n;
    result r[MAX_RESULTS];
} shared;

static shared *SH;
static const workload *W;
static const adapter *A;      /* the engine of this child */
static uint64_t ENGINE_ERRORS; /* mismatches and failed operations in this child */

static void add_result(const char *phase, double ops, double seconds, double value, const char *unit,
                       uint64_t errors, const char *conf)
{
    int i = __atomic_fetch_add(&SH->n, 1, __ATOMIC_SEQ_CST);
    if (i >= MAX_RESULTS) return;
    result *r = &SH->r[i];
    snprintf(r->engine, sizeof r->engine, "%s", A ? A->name : "floor");
    snprintf(r->phase, sizeof r->phase, "%s", phase);
    r->ops = ops;
    r->seconds = seconds;
    r->value = value;
    snprintf(r->unit, sizeof r->unit, "%s", unit);
    r->errors = errors;
    snprintf(r->config, sizeof r->config, "%s", conf ? conf : "");
    if (strcmp(unit, "ops/s") == 0)
        printf("  %-10s %-26s %10.0f ops in %9.4f s = %12.0f ops/s%s\n", r->engine, phase, ops, seconds, value,
               errors ? "   <-- ERRORS" : "");
    else
        printf("  %-10s %-26s %14.*f %s%s\n", r->engine, phase, (strcmp(unit, "ms") && strcmp(unit, "us")) ? 0 : 2, value, unit,
               errors ? "   <-- ERRORS" : "");
    fflush(stdout);
}

static void timed(const char *phase, double ops, double seconds, uint64_t errors, int mode)
{
    add_result(phase, ops, seconds, seconds > 0 ? ops / seconds : 0, "ops/s", errors, A->describe(mode));
}

/* Per-operation latency: each operation timed on its own (two clock reads,
 * ~40 ns, so these passes are separate from the throughput phases). The
 * percentiles go into the results as <phase>_p50 ... <phase>_max in us. */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void latency_results(const char *phase, double *ns, size_t count, int mode)
{
    if (!count) return;
    qsort(ns, count, sizeof *ns, cmp_double);
    static const struct { const char *name; double q; } pct[] = {
        { "p50", 0.50 }, { "p99", 0.99 }, { "p99.9", 0.999 }, { "p99.99", 0.9999 }, { "max", 1.0 },
    };
    for (size_t k = 0; k < sizeof pct / sizeof pct[0]; k++) {
        size_t at = (size_t)(pct[k].q * (double)(count - 1) + 0.5);
        char name[40];
        snprintf(name, sizeof name, "%s_%s", phase, pct[k].name);
        add_result(name, (double)count, 0, ns[at] / 1e3, "us", 0, A->describe(mode));
    }
}

static inline double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static unsigned long LOUD_COUNT;
static void loud(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void loud(const char *fmt, ...)
{
    ENGINE_ERRORS++;
    if (LOUD_COUNT++ >= 20) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "!!!!! %s: ", A ? A->name : "?");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

/* verify one row read back; 0 if it matches */
static int check_row(const char *phase, int rc, int64_t id, size_t i, const uint8_t *got, size_t len)
{
    if (rc != GET_OK) {
        loud("MISMATCH in %s: id %lld (row %zu) %s", phase, (long long)id, i,
             rc == GET_NOT_FOUND ? "NOT FOUND" : "read error");
        return 1;
    }
    if (len != wl_len(W, i) || memcmp(got, wl_row(W, i), len) != 0) {
        loud("MISMATCH in %s: id %lld (row %zu) returned %zu bytes that differ from the %zu expected", phase,
             (long long)id, i, len, wl_len(W, i));
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* multithreaded phases                                                */
/* ------------------------------------------------------------------ */

typedef struct mt_arg {
    void *th;
    int index;
    int nthreads;
    const int64_t *ids;
    int64_t *ids_out;
    size_t total;
    uint64_t errors;
    double t_start, t_end; /* each thread's own clock, so a late main thread cannot shrink the window */
    pthread_barrier_t *bar;
} mt_arg;

static size_t MT_NEXT;

static void *mt_get_main(void *p)
{
    mt_arg *a = p;
    uint8_t buf[256];
    size_t lo = a->total * (size_t)a->index / (size_t)a->nthreads;
    size_t hi = a->total * (size_t)(a->index + 1) / (size_t)a->nthreads;
    pthread_barrier_wait(a->bar);
    a->t_start = now_sec();
    for (size_t j = lo; j < hi; j++) {
        size_t i = W->get_order[j];
        size_t len = 0;
        int rc = A->get(a->th, a->ids[i], buf, sizeof buf, &len);
        if (rc != GET_OK || len != wl_len(W, i) || memcmp(buf, wl_row(W, i), len) != 0) a->errors++;
    }
    a->t_end = now_sec();
    return NULL;
}

static void *mt_put_main(void *p)
{
    mt_arg *a = p;
    pthread_barrier_wait(a->bar);
    a->t_start = now_sec();
    for (;;) {
        size_t k = __atomic_fetch_add(&MT_NEXT, 1, __ATOMIC_RELAXED);
        if (k >= a->total) break;
        int64_t id = -1;
        if (A->put(a->th, k, wl_row(W, k), wl_len(W, k), &id) != 0) {
            a->errors++;
            continue;
        }
        a->ids_out[k] = id;
    }
    a->t_end = now_sec();
    return NULL;
}

/* runs nthreads threads of fn over handles from thread_open; returns seconds */
static double run_threads(void *h, int nthreads, void *(*fn)(void *), const int64_t *ids, int64_t *ids_out,
                          size_t total, uint64_t *errors)
{
    pthread_t tid[64];
    mt_arg args[64];
    pthread_barrier_t bar;
    if (nthreads > 64) nthreads = 64;
    pthread_barrier_init(&bar, NULL, (unsigned)nthreads + 1);
    MT_NEXT = 0;
    for (int t = 0; t < nthreads; t++) {
        args[t] = (mt_arg){ .th = A->thread_open(h), .index = t, .nthreads = nthreads, .ids = ids,
                            .ids_out = ids_out, .total = total, .bar = &bar };
        if (!args[t].th) die("%s: thread_open failed", A->name);
        pthread_create(&tid[t], NULL, fn, &args[t]);
    }
    pthread_barrier_wait(&bar);
    for (int t = 0; t < nthreads; t++) pthread_join(tid[t], NULL);
    double first = args[0].t_start, last = args[0].t_end;
    for (int t = 1; t < nthreads; t++) {
        if (args[t].t_start < first) first = args[t].t_start;
        if (args[t].t_end > last) last = args[t].t_end;
    }
    double secs = last - first;
    *errors = 0;
    for (int t = 0; t < nthreads; t++) {
        *errors += args[t].errors;
        A->thread_close(args[t].th);
    }
    pthread_barrier_destroy(&bar);
    return secs;
}

/* ------------------------------------------------------------------ */
/* kill -9 child (exec'd, so that it starts clean of any engine state) */
/* ------------------------------------------------------------------ */

static const adapter *const ALL[] = { &toonstore_adapter, &lmdb_adapter, &sqlite_adapter, &rocksdb_adapter };

static const adapter *find_adapter(const char *name)
{
    for (size_t i = 0; i < sizeof ALL / sizeof ALL[0]; i++)
        if (!strcmp(ALL[i]->name, name)) return ALL[i];
    return NULL;
}

typedef struct ack {
    uint64_t row;
    int64_t id;
} ack;

/* compare --internal-kill ENGINE DIR KEY0 COUNT SEED: put COUNT rows, report
 * each acknowledged (row, id) on stdout, then SIGKILL itself */
static int internal_kill(int argc, char **argv)
{
    if (argc < 7) return 2;
    const adapter *a = find_adapter(argv[2]);
    if (!a) return 2;
    uint64_t key0 = strtoull(argv[4], NULL, 10);
    size_t count = strtoull(argv[5], NULL, 10);
    uint64_t seed = strtoull(argv[6], NULL, 10);
    void *h = a->open(argv[3], MODE_NOSYNC);
    if (!h) return 3;
    uint8_t buf[ROW_MAX];
    for (size_t j = 0; j < count; j++) {
        size_t len = gen_row(seed, j, buf);
        ack ak = { j, -1 };
        if (a->put(h, key0 + j, buf, len, &ak.id) != 0) return 4;
        if (write(1, &ak, sizeof ak) != (ssize_t)sizeof ak) return 5;
    }
    raise(SIGKILL);
    return 6;
}

/* ------------------------------------------------------------------ */
/* one engine, all phases (in a forked child)                          */
/* ------------------------------------------------------------------ */

#define CHECK_OP(cond, ...)                                                                                  \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            loud(__VA_ARGS__);                                                                               \
            fprintf(stderr, "!!!!! %s: last error: %s\n", A->name, A->error(h));                           \
            exit(3);                                                                                         \
        }                                                                                                    \
    } while (0)

static void sub_dir(char *out, size_t cap, const char *what)
{
    snprintf(out, cap, "%s/%s-%s", CFG.dir, A->name, what);
    rm_rf(out);
}

static void verify_all(void *h, const char *phase, const int64_t *ids, size_t n)
{
    uint8_t buf[256];
    uint64_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        int rc = A->get(h, ids[i], buf, sizeof buf, &len);
        bad += (uint64_t)check_row(phase, rc, ids[i], i, buf, len);
    }
    if (bad) loud("%s: %llu of %zu rows wrong after the phase", phase, (unsigned long long)bad, n);
}

static int64_t first_live(const int64_t *ids)
{
    for (size_t i = 0; i < W->n; i++)
        if (!W->deleted[i]) return ids[i];
    return -1;
}

static void phase_load_read_delete_reopen(void)
{
    const size_t n = W->n;
    char dir[4096];
    sub_dir(dir, sizeof dir, "main");
    int64_t *ids = malloc(n * sizeof *ids);
    uint8_t buf[256];
    size_t len = 0;
    uint64_t err;
    double t0;

    /* (1) batched put without fsync */
    void *h = A->open(dir, MODE_NOSYNC);
    if (!h) die("%s: open %s failed", A->name, dir);
    t0 = now_sec();
    for (size_t i = 0; i < n; i += 1000) {
        size_t m = n - i < 1000 ? n - i : 1000;
        CHECK_OP(A->put_batch(h, W, i, m, i, ids + i) == 0, "put_batch failed at row %zu", i);
    }
    timed("put_batched", (double)n, now_sec() - t0, 0, MODE_NOSYNC);

    /* (7a) clean close, (8) disk after the load, (7b) reopen to the first get */
    t0 = now_sec();
    CHECK_OP(A->close(h) == 0, "close failed");
    double close_s = now_sec() - t0;
    add_result("close", 1, close_s, close_s * 1e3, "ms", 0, A->describe(MODE_NOSYNC));
    add_result("disk_after_load", 1, 0, (double)dir_usage_bytes(dir), "bytes", 0, A->describe(MODE_NOSYNC));
    t0 = now_sec();
    h = A->open(dir, MODE_NOSYNC);
    if (!h) die("%s: reopen failed", A->name);
    int rc = A->get(h, ids[0], buf, sizeof buf, &len);
    double reopen_s = now_sec() - t0;
    err = (uint64_t)check_row("reopen", rc, ids[0], 0, buf, len);
    add_result("reopen_first_get", 1, reopen_s, reopen_s * 1e3, "ms", err, A->describe(MODE_NOSYNC));

    /* (4) random-order get of every row, bytes compared */
    err = 0;
    t0 = now_sec();
    for (size_t j = 0; j < n; j++) {
        size_t i = W->get_order[j];
        rc = A->get(h, ids[i], buf, sizeof buf, &len);
        if (rc != GET_OK || len != wl_len(W, i) || memcmp(buf, wl_row(W, i), len) != 0)
            err += (uint64_t)check_row("get_random", rc, ids[i], i, buf, len);
    }
    timed("get_random", (double)n, now_sec() - t0, err, MODE_NOSYNC);

    /* (4b) zero-copy gets from one read snapshot */
    if (A->snap_open) {
        void *s = A->snap_open(h);
        CHECK_OP(s != NULL, "snapshot open failed");
        err = 0;
        t0 = now_sec();
        for (size_t j = 0; j < n; j++) {
            size_t i = W->get_order[j];
            const uint8_t *p = NULL;
            rc = A->snap_get(s, ids[i], &p, &len);
            if (rc != GET_OK || len != wl_len(W, i) || memcmp(p, wl_row(W, i), len) != 0)
                err += (uint64_t)check_row("get_snapshot", rc, ids[i], i, p, len);
        }
        timed("get_snapshot", (double)n, now_sec() - t0, err, MODE_NOSYNC);
        A->snap_close(s);
    }

    /* (4c) latency of each get (a second pass in the same random order) */
    {
        double *lat = malloc(n * sizeof *lat);
        if (!lat) die("out of memory");
        err = 0;
        for (size_t j = 0; j < n; j++) {
            size_t i = W->get_order[j];
            double a = now_ns();
            rc = A->get(h, ids[i], buf, sizeof buf, &len);
            lat[j] = now_ns() - a;
            if (rc != GET_OK || len != wl_len(W, i) || memcmp(buf, wl_row(W, i), len) != 0)
                err += (uint64_t)check_row("get_latency", rc, ids[i], i, buf, len);
        }
        latency_results("lat_get", lat, n, MODE_NOSYNC);
        free(lat);
    }

    /* gets from several threads, every row once in total */
    double secs = run_threads(h, CFG.get_threads, mt_get_main, ids, NULL, n, &err);
    if (err) loud("MISMATCH in get_random_mt: %llu rows wrong", (unsigned long long)err);
    char phase[40];
    snprintf(phase, sizeof phase, "get_random_mt%d", CFG.get_threads);
    timed(phase, (double)n, secs, err, MODE_NOSYNC);

    /* (5) full scan */
    uint64_t rows = 0, bytes = 0, sum = 0, want_bytes = 0, want_sum = 0;
    for (size_t i = 0; i < n; i++) {
        want_bytes += wl_len(W, i);
        want_sum += (uint64_t)wl_row(W, i)[0] + wl_row(W, i)[wl_len(W, i) - 1];
    }
    t0 = now_sec();
    CHECK_OP(A->scan(h, &rows, &bytes, &sum) == 0, "scan failed");
    secs = now_sec() - t0;
    err = rows != n || bytes != want_bytes || sum != want_sum;
    if (err)
        loud("MISMATCH in scan: %llu rows / %llu bytes, expected %zu / %llu", (unsigned long long)rows,
             (unsigned long long)bytes, n, (unsigned long long)want_bytes);
    timed("scan", (double)rows, secs, err, MODE_NOSYNC);

    /* (6) delete 10 percent, one commit per delete */
    err = 0;
    t0 = now_sec();
    for (size_t j = 0; j < W->n_del; j++) {
        size_t i = W->del_set[j];
        if (A->del(h, ids[i]) != 0) {
            loud("delete of id %lld failed: %s", (long long)ids[i], A->error(h));
            err++;
        }
        W->deleted[i] = 1;
    }
    timed("delete_10pct", (double)W->n_del, now_sec() - t0, err, MODE_NOSYNC);
    /* deleted rows are gone, the others are not, the scan agrees */
    for (size_t j = 0; j < n; j += n / 2000 + 1) {
        size_t i = W->get_order[j];
        rc = A->get(h, ids[i], buf, sizeof buf, &len);
        if (W->deleted[i]) {
            if (rc != GET_NOT_FOUND) loud("deleted id %lld still readable (rc %d)", (long long)ids[i], rc);
        } else {
            check_row("get_after_delete", rc, ids[i], i, buf, len);
        }
    }
    CHECK_OP(A->scan(h, &rows, &bytes, &sum) == 0, "scan failed");
    if (rows != n - W->n_del)
        loud("scan after delete: %llu rows, expected %zu", (unsigned long long)rows, n - W->n_del);
    CHECK_OP(A->close(h) == 0, "close failed");
    add_result("disk_after_delete", 1, 0, (double)dir_usage_bytes(dir), "bytes", 0, A->describe(MODE_NOSYNC));

    /* recovery after kill -9: a fresh process puts rows and is killed; time
     * to open and read the first row, then every acknowledged row is there */
    int pfd[2];
    if (pipe(pfd) != 0) die("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pfd[1], 1);
        close(pfd[0]);
        close(pfd[1]);
        char key0[32], count[32], seed[32];
        snprintf(key0, sizeof key0, "%zu", n);
        snprintf(count, sizeof count, "%zu", CFG.kill_rows);
        snprintf(seed, sizeof seed, "%llu", (unsigned long long)W->seed);
        char *args[] = { "compare", "--internal-kill", (char *)A->name, dir, key0, count, seed, NULL };
        execv("/proc/self/exe", args);
        _exit(127);
    }
    close(pfd[1]);
    ack *acks = calloc(CFG.kill_rows + 1, sizeof *acks);
    size_t nack = 0, got = 0;
    ssize_t r;
    while ((r = read(pfd[0], (char *)acks + got, (CFG.kill_rows + 1) * sizeof *acks - got)) > 0) got += (size_t)r;
    close(pfd[0]);
    nack = got / sizeof *acks;
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
        loud("kill -9 child did not die by SIGKILL (status %d) after %zu acknowledged puts", status, nack);
    int64_t probe = first_live(ids);
    size_t probe_row = 0;
    for (size_t i = 0; i < n; i++)
        if (!W->deleted[i]) {
            probe_row = i;
            break;
        }
    t0 = now_sec();
    h = A->open(dir, MODE_NOSYNC);
    if (!h) die("%s: open after kill -9 failed", A->name);
    rc = A->get(h, probe, buf, sizeof buf, &len);
    secs = now_sec() - t0;
    err = (uint64_t)check_row("recover_kill9", rc, probe, probe_row, buf, len);
    uint8_t want[ROW_MAX];
    for (size_t k = 0; k < nack; k++) {
        size_t wl = gen_row(W->seed, acks[k].row, want);
        rc = A->get(h, acks[k].id, buf, sizeof buf, &len);
        if (rc != GET_OK || len != wl || memcmp(buf, want, wl) != 0) {
            loud("LOST after kill -9: acknowledged id %lld (rc %d)", (long long)acks[k].id, rc);
            err++;
        }
    }
    CHECK_OP(A->scan(h, &rows, &bytes, &sum) == 0, "scan failed");
    if (rows != n - W->n_del + nack) {
        loud("scan after kill -9: %llu rows, expected %zu", (unsigned long long)rows, n - W->n_del + nack);
        err++;
    }
    add_result("recover_kill9_first_get", 1, secs, secs * 1e3, "ms", err, A->describe(MODE_NOSYNC));
    CHECK_OP(A->close(h) == 0, "close failed");
    free(acks);
    free(ids);
    rm_rf(dir);
}

static void phase_single_puts(const char *phase, const char *what, int mode, size_t count)
{
    char dir[4096];
    sub_dir(dir, sizeof dir, what);
    int64_t *ids = malloc(count * sizeof *ids);
    void *h = A->open(dir, mode);
    if (!h) die("%s: open %s failed", A->name, dir);
    double t0 = now_sec();
    for (size_t i = 0; i < count; i++)
        CHECK_OP(A->put(h, i, wl_row(W, i), wl_len(W, i), &ids[i]) == 0, "put failed at row %zu", i);
    timed(phase, (double)count, now_sec() - t0, 0, mode);
    verify_all(h, phase, ids, count);
    CHECK_OP(A->close(h) == 0, "close failed");
    free(ids);
    rm_rf(dir);
}

/* latency of each put, one commit each, into a new database */
static void phase_put_latency(const char *phase, const char *what, int mode, size_t count)
{
    char dir[4096];
    sub_dir(dir, sizeof dir, what);
    int64_t *ids = malloc(count * sizeof *ids);
    double *lat = malloc(count * sizeof *lat);
    if (!ids || !lat) die("out of memory");
    void *h = A->open(dir, mode);
    if (!h) die("%s: open %s failed", A->name, dir);
    for (size_t i = 0; i < count; i++) {
        double a = now_ns();
        CHECK_OP(A->put(h, i, wl_row(W, i), wl_len(W, i), &ids[i]) == 0, "put failed at row %zu", i);
        lat[i] = now_ns() - a;
    }
    latency_results(phase, lat, count, mode);
    verify_all(h, phase, ids, count);
    CHECK_OP(A->close(h) == 0, "close failed");
    free(lat);
    free(ids);
    rm_rf(dir);
}

static void phase_mt_durable_puts(void)
{
    char dir[4096];
    sub_dir(dir, sizeof dir, "durable-mt");
    size_t count = CFG.durable_rows;
    int64_t *ids = malloc(count * sizeof *ids);
    void *h = A->open(dir, MODE_DURABLE);
    if (!h) die("%s: open %s failed", A->name, dir);
    uint64_t err = 0;
    double secs = run_threads(h, CFG.put_threads, mt_put_main, NULL, ids, count, &err);
    if (err) loud("put_durable_mt: %llu puts failed: %s", (unsigned long long)err, A->error(h));
    char phase[40];
    snprintf(phase, sizeof phase, "put_durable_mt%d", CFG.put_threads);
    timed(phase, (double)count, secs, err, MODE_DURABLE);
    verify_all(h, phase, ids, count);
    CHECK_OP(A->close(h) == 0, "close failed");
    free(ids);
    rm_rf(dir);
}

static int run_engine(const adapter *a)
{
    A = a;
    long rss0 = rss_kib("VmRSS");
    printf("== %s\n", a->name);
    phase_load_read_delete_reopen();
    memset(((workload *)W)->deleted, 0, W->n);
    phase_single_puts("put_single_nosync", "single", MODE_NOSYNC, CFG.single_rows);
    phase_single_puts("put_durable", "durable", MODE_DURABLE, CFG.durable_rows);
    phase_mt_durable_puts();
    phase_put_latency("lat_put_nosync", "lat-single", MODE_NOSYNC, CFG.single_rows);
    phase_put_latency("lat_put_durable", "lat-durable", MODE_DURABLE, CFG.durable_rows);
    long hwm = rss_kib("VmHWM");
    add_result("peak_rss", 1, 0, (double)hwm, "KiB", 0, "VmHWM of the engine's own process (includes the generated rows)");
    add_result("engine_rss", 1, 0, (double)(hwm - rss0), "KiB", 0,
               "VmHWM minus VmRSS at the start of the engine's process (the generated rows are already resident)");
    fflush(stdout);
    return ENGINE_ERRORS ? 1 : 0;
}

/* ------------------------------------------------------------------ */
/* report                                                              */
/* ------------------------------------------------------------------ */

static const result *find_result(const char *engine, const char *phase)
{
    for (int i = 0; i < SH->n && i < MAX_RESULTS; i++)
        if (!strcmp(SH->r[i].engine, engine) && !strcmp(SH->r[i].phase, phase)) return &SH->r[i];
    return NULL;
}

static void csv_field(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static int write_csv(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = 0;
        mkdir_p(dir);
    }
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fprintf(f, "engine,phase,ops,seconds,ops_per_sec,value,unit,errors,rows,config\n");
    for (int i = 0; i < SH->n && i < MAX_RESULTS; i++) {
        const result *r = &SH->r[i];
        double ops_s = strcmp(r->unit, "ops/s") == 0 ? r->value : (r->seconds > 0 ? r->ops / r->seconds : 0);
        fprintf(f, "%s,%s,%.0f,%.6f,%.1f,%.4f,%s,%llu,%zu,", r->engine, r->phase, r->ops, r->seconds, ops_s, r->value,
                r->unit, (unsigned long long)r->errors, CFG.rows);
        csv_field(f, r->config);
        fputc('\n', f);
    }
    return fclose(f);
}

static void print_table(char names[][16], int ne)
{
    /* phases in order of first appearance */
    const char *phases[64];
    int np = 0;
    for (int i = 0; i < SH->n && i < MAX_RESULTS; i++) {
        int seen = 0;
        for (int p = 0; p < np; p++)
            if (!strcmp(phases[p], SH->r[i].phase)) seen = 1;
        if (!seen && np < 64) phases[np++] = SH->r[i].phase;
    }
    int ts = -1;
    for (int e = 0; e < ne; e++)
        if (!strcmp(names[e], "toonstore")) ts = e;
    printf("\n%-30s %-6s", "phase", "unit");
    for (int e = 0; e < ne; e++) printf(" %13s", names[e]);
    if (ts >= 0)
        for (int e = 0; e < ne; e++)
            if (e != ts) printf("  ts/%-8s", names[e]);
    printf("\n");
    for (int p = 0; p < np; p++) {
        const result *any = NULL;
        for (int e = 0; e < ne && !any; e++) any = find_result(names[e], phases[p]);
        for (int e = 0; !any && e < 1; e++) any = find_result("floor", phases[p]);
        if (!any) continue;
        printf("%-30s %-6s", phases[p], any->unit);
        int is_floor = !strcmp(any->engine, "floor");
        for (int e = 0; e < ne; e++) {
            const result *r = find_result(is_floor ? "floor" : names[e], phases[p]);
            if (r && (!is_floor || e == 0))
                printf(" %13.*f", (strcmp(r->unit, "ms") && strcmp(r->unit, "us")) ? 0 : 2, r->value);
            else
                printf(" %13s", "-");
        }
        const result *t = ts >= 0 ? find_result(names[ts], phases[p]) : NULL;
        if (t && !is_floor)
            for (int e = 0; e < ne; e++) {
                if (e == ts) continue;
                const result *r = find_result(names[e], phases[p]);
                if (r && r->value > 0)
                    printf("  %10.2fx", t->value / r->value);
                else
                    printf("  %11s", "-");
            }
        printf("\n");
    }
    printf("(ops/s: higher is better; ms, bytes, KiB: lower is better; ratios are ToonStore/peer of the shown value)\n");
}

static const char *const FLOOR_PHASE[2] = { "floor_overwrite_4k_fdatasync", "floor_append_4k_fdatasync" };
static const char *const FLOOR_CONF[2] = {
    "pwrite 4 KiB over an already written and synced block (1 MiB ring) + fdatasync",
    "append 4 KiB to a growing file + fdatasync",
};

/* one pass of both floors; the first pass adds the results, later passes
 * keep the faster figure and note every pass in the config text */
static void floor_pass(int idx[2])
{
    size_t reps = CFG.durable_rows;
    for (int k = 0; k < 2; k++) {
        double secs = 0;
        int rc = k == 0 ? floor_overwrite(CFG.dir, reps, &secs) : floor_append(CFG.dir, reps, &secs);
        if (rc != 0 || secs <= 0) {
            fprintf(stderr, "floor %s failed: %s\n", FLOOR_PHASE[k], strerror(errno));
            continue;
        }
        double rate = (double)reps / secs;
        if (idx[k] < 0) {
            idx[k] = SH->n;
            char conf[480];
            snprintf(conf, sizeof conf, "%s; best of passes before and after the engines: %.0f", FLOOR_CONF[k], rate);
            add_result(FLOOR_PHASE[k], (double)reps, secs, rate, "ops/s", 0, conf);
        } else {
            result *r = &SH->r[idx[k]];
            printf("  %-10s %-26s %10.0f ops in %9.4f s = %12.0f ops/s\n", "floor", FLOOR_PHASE[k], (double)reps, secs,
                   rate);
            size_t l = strlen(r->config);
            snprintf(r->config + l, sizeof r->config - l, ", %.0f", rate);
            if (rate > r->value) {
                r->value = rate;
                r->seconds = secs;
            }
        }
    }
}

static void usage(void)
{
    fprintf(stderr,
            "usage: compare [--rows N] [--single-rows N] [--durable-rows N] [--kill-rows N]\n"
            "               [--get-threads T] [--put-threads T] [--engines a,b,...] [--dir DIR]\n"
            "               [--out results.csv] [--seed S] [--no-floor]\n"
            "engines: toonstore,lmdb,sqlite,rocksdb. --rows 20000 is the quick smoke run.\n");
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--internal-kill")) return internal_kill(argc, argv);
    static const struct option longopts[] = {
        { "rows", required_argument, 0, 'n' },         { "single-rows", required_argument, 0, 's' },
        { "durable-rows", required_argument, 0, 'd' }, { "kill-rows", required_argument, 0, 'k' },
        { "get-threads", required_argument, 0, 'g' },  { "put-threads", required_argument, 0, 'p' },
        { "engines", required_argument, 0, 'e' },      { "dir", required_argument, 0, 'D' },
        { "out", required_argument, 0, 'o' },          { "seed", required_argument, 0, 'S' },
        { "no-floor", no_argument, 0, 'F' },           { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    int c;
    while ((c = getopt_long(argc, argv, "n:s:d:k:g:p:e:D:o:S:Fh", longopts, NULL)) != -1) {
        switch (c) {
        case 'n': CFG.rows = strtoull(optarg, NULL, 10); break;
        case 's': CFG.single_rows = strtoull(optarg, NULL, 10); break;
        case 'd': CFG.durable_rows = strtoull(optarg, NULL, 10); break;
        case 'k': CFG.kill_rows = strtoull(optarg, NULL, 10); break;
        case 'g': CFG.get_threads = atoi(optarg); break;
        case 'p': CFG.put_threads = atoi(optarg); break;
        case 'e': snprintf(CFG.engines, sizeof CFG.engines, "%s", optarg); break;
        case 'D': CFG.dir = optarg; break;
        case 'o': CFG.out = optarg; break;
        case 'S': CFG.seed = strtoull(optarg, NULL, 0); break;
        case 'F': CFG.floor = 0; break;
        default: usage(); return c == 'h' ? 0 : 2;
        }
    }
    if (CFG.rows < 1000) die("--rows must be at least 1000");
    if (!CFG.single_rows || CFG.single_rows > CFG.rows) CFG.single_rows = CFG.rows;
    if (!CFG.durable_rows) {
        CFG.durable_rows = CFG.rows / 100;
        if (CFG.durable_rows < 100) CFG.durable_rows = 100;
        if (CFG.durable_rows > 3000) CFG.durable_rows = 3000;
    }
    if (CFG.durable_rows > CFG.rows) CFG.durable_rows = CFG.rows;
    if (!CFG.kill_rows) CFG.kill_rows = CFG.rows / 100 < 10000 ? CFG.rows / 100 : 10000;
    if (CFG.get_threads < 1) CFG.get_threads = 1;
    if (CFG.put_threads < 1) CFG.put_threads = 1;

    const adapter *run[8];
    char names[8][16];
    int ne = 0;
    char list[256];
    snprintf(list, sizeof list, "%s", CFG.engines);
    for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        const adapter *a = find_adapter(tok);
        if (!a) die("unknown engine '%s'", tok);
        if (ne < 8) {
            run[ne] = a;
            snprintf(names[ne], sizeof names[ne], "%s", a->name);
            ne++;
        }
    }

    SH = mmap(NULL, sizeof *SH, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (SH == MAP_FAILED) die("mmap: %s", strerror(errno));
    if (mkdir_p(CFG.dir) != 0) die("cannot create %s: %s", CFG.dir, strerror(errno));

    printf("compare: rows=%zu single_rows=%zu durable_rows=%zu kill_rows=%zu get_threads=%d put_threads=%d seed=%#llx dir=%s\n",
           CFG.rows, CFG.single_rows, CFG.durable_rows, CFG.kill_rows, CFG.get_threads, CFG.put_threads,
           (unsigned long long)CFG.seed, CFG.dir);
    static workload wl;
    double t0 = now_sec();
    if (workload_init(&wl, CFG.rows, CFG.seed) != 0) die("out of memory generating rows");
    W = &wl;
    uint64_t total = 0;
    for (size_t i = 0; i < wl.n; i++) total += wl.len[i];
    printf("generated %zu rows, %llu bytes (mean %.1f) in %.2f s; e.g. row 123: %.*s\n", wl.n,
           (unsigned long long)total, (double)total / (double)wl.n, now_sec() - t0,
           (int)wl_len(&wl, wl.n > 123 ? 123 : 0), (const char *)wl_row(&wl, wl.n > 123 ? 123 : 0));
    for (int e = 0; e < ne; e++) printf("config %-9s no-fsync: %s\n          %-9s durable:  %s\n", run[e]->name,
                                        run[e]->describe(MODE_NOSYNC), "", run[e]->describe(MODE_DURABLE));
    fflush(stdout);

    /* the raw floor, measured before and again after the engines (the disk
     * of a shared machine is noisy): the faster pass of each kind is kept */
    int floor_idx[2] = { -1, -1 };
    if (CFG.floor) {
        printf("== floor (%s), pass 1\n", CFG.dir);
        floor_pass(floor_idx);
    }

    int passed = 0, failed = 0;
    for (int e = 0; e < ne; e++) {
        fflush(stdout);
        fflush(stderr);
        pid_t pid = fork();
        if (pid < 0) die("fork: %s", strerror(errno));
        if (pid == 0) _exit(run_engine(run[e]));
        int status = 0;
        waitpid(pid, &status, 0);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            passed++;
        } else {
            failed++;
            fprintf(stderr, "\n!!!!! %s FAILED (%s %d): see the lines marked !!!!! above\n\n", run[e]->name,
                    WIFEXITED(status) ? "exit" : "signal",
                    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        }
    }

    if (CFG.floor) {
        printf("== floor (%s), pass 2\n", CFG.dir);
        floor_pass(floor_idx);
    }

    print_table(names, ne);
    if (write_csv(CFG.out) != 0)
        fprintf(stderr, "cannot write %s: %s\n", CFG.out, strerror(errno));
    else
        printf("results: %s\n", CFG.out);
    printf("engines: %d passed, %d failed\n", passed, failed);
    workload_free(&wl);
    return failed ? 1 : 0;
}
