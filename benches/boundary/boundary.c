/*
 * The cost of crossing the C boundary of libtoonstore (a benchmark, not a
 * test): ns per call of
 *   - a trivial function in another shared library (the floor: PLT call),
 *   - toonstore_version_number()  (boundary, no work),
 *   - toonstore_contains / toonstore_get_into / toonstore_get+free_buffer /
 *     toonstore_snapshot_get of a present 100-byte row,
 *   - toonstore_get_into of a deleted row (the error path: message + last error).
 * benches/boundary.rs times the same reads in Rust; benches/boundary/run.sh
 * runs both and prints them side by side.
 *
 *   boundary DIR [ITERATIONS]     (DIR: a fresh database directory)
 *
 * Each figure is the median of 9 runs of ITERATIONS calls (default 2,000,000).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <toonstore.h>

uint32_t floor_version_number(void); /* floor.c, in libfloor.so */

#define ROWS 1024 /* a power of two: ids cycle with a mask */
#define ROW_LEN 100
#define RUNS 9

static volatile uint64_t sink;
static ToonStore *db;
static ToonStoreSnapshot *snap;
static int64_t ids[ROWS];
static int64_t deleted_id;

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef uint64_t (*loop_fn)(long n);

static uint64_t loop_floor(long n) {
    uint64_t acc = 0;
    for (long i = 0; i < n; i++) acc += floor_version_number();
    return acc;
}

static uint64_t loop_version(long n) {
    uint64_t acc = 0;
    for (long i = 0; i < n; i++) acc += toonstore_version_number();
    return acc;
}

static uint64_t loop_contains(long n) {
    uint64_t acc = 0;
    for (long i = 0; i < n; i++) acc += (uint64_t)toonstore_contains(db, ids[i & (ROWS - 1)]);
    return acc;
}

static uint64_t loop_get_into(long n) {
    uint8_t buf[256];
    size_t len = 0;
    uint64_t acc = 0;
    for (long i = 0; i < n; i++) {
        if (toonstore_get_into(db, ids[i & (ROWS - 1)], buf, sizeof buf, &len) != TOONSTORE_OK) abort();
        acc += len + buf[0];
    }
    return acc;
}

static uint64_t loop_get_free(long n) {
    uint64_t acc = 0;
    for (long i = 0; i < n; i++) {
        uint8_t *data = NULL;
        size_t len = 0;
        if (toonstore_get(db, ids[i & (ROWS - 1)], &data, &len) != TOONSTORE_OK) abort();
        acc += len + data[0];
        toonstore_free_buffer(data);
    }
    return acc;
}

static uint64_t loop_snapshot_get(long n) {
    uint64_t acc = 0;
    for (long i = 0; i < n; i++) {
        const uint8_t *data = NULL;
        size_t len = 0;
        if (toonstore_snapshot_get(snap, ids[i & (ROWS - 1)], &data, &len) != TOONSTORE_OK) abort();
        acc += len + data[0];
    }
    return acc;
}

static uint64_t loop_get_into_missing(long n) {
    uint8_t buf[256];
    size_t len = 0;
    uint64_t acc = 0;
    for (long i = 0; i < n; i++)
        acc += (uint64_t)-toonstore_get_into(db, deleted_id, buf, sizeof buf, &len);
    return acc;
}

static void measure(const char *name, loop_fn fn, long n) {
    double t[RUNS];
    sink += fn(n / 10); /* warm-up */
    for (int r = 0; r < RUNS; r++) {
        double start = now_ns();
        sink += fn(n);
        t[r] = (now_ns() - start) / (double)n;
    }
    qsort(t, RUNS, sizeof t[0], cmp_double);
    printf("%-44s %8.2f ns/call  (min %.2f, max %.2f)\n", name, t[RUNS / 2], t[0], t[RUNS - 1]);
    fflush(stdout);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR [ITERATIONS]\n", argv[0]);
        return 2;
    }
    long n = argc > 2 ? atol(argv[2]) : 2000000L;
    ToonStoreOpenOptions opts;
    toonstore_open_options_init(&opts, TOONSTORE_OPEN_OPTIONS_VERSION);
    opts.durability = TOONSTORE_DURABILITY_OFF;
    if (toonstore_open_with(argv[1], &opts, &db) != TOONSTORE_OK) {
        fprintf(stderr, "open %s: %s\n", argv[1], toonstore_last_error());
        return 1;
    }
    uint8_t row[ROW_LEN];
    for (int i = 0; i < ROWS; i++) {
        snprintf((char *)row, sizeof row, "rows[1]{id,name,score}: %d,user-%d,%d", i, i, i * 7);
        memset(row + strlen((char *)row), '.', ROW_LEN - strlen((char *)row));
        ids[i] = toonstore_put(db, row, ROW_LEN);
        if (ids[i] < 0) {
            fprintf(stderr, "put: %s\n", toonstore_last_error());
            return 1;
        }
    }
    deleted_id = toonstore_put(db, row, ROW_LEN);
    toonstore_delete(db, deleted_id);
    toonstore_sync(db);
    if (toonstore_snapshot_open(db, &snap) != TOONSTORE_OK) return 1;

    printf("libtoonstore %s, %d rows of %d bytes, %ld calls per run, median of %d runs\n",
           toonstore_version(), ROWS, ROW_LEN, n, RUNS);
    measure("floor: trivial call into another .so", loop_floor, n);
    measure("toonstore_version_number()", loop_version, n);
    measure("toonstore_contains(present)", loop_contains, n);
    measure("toonstore_get_into(present, 100 B)", loop_get_into, n);
    measure("toonstore_get + toonstore_free_buffer (100 B)", loop_get_free, n);
    measure("toonstore_snapshot_get(present, zero-copy)", loop_snapshot_get, n);
    measure("toonstore_get_into(deleted: error path)", loop_get_into_missing, n / 4);

    toonstore_snapshot_free(snap);
    toonstore_close(db);
    return sink == 0; /* use the sink */
}
