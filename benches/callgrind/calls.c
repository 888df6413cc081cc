/* Instructions per call of the C API's hot entry points, for callgrind
 * (benches/callgrind/run.sh): a count that does not move with the load of a
 * shared machine, unlike a timing. One operation per run, chosen by argv[2]:
 *
 *   calls DIR put N          N puts (toonstore_put) into a new database
 *   calls DIR get_into N G   N rows, then G random toonstore_get_into
 *   calls DIR get N G        N rows, then G random toonstore_get + toonstore_free_buffer
 *   calls DIR iter N S       N rows, then S full scans through toonstore_iter_next
 *
 * run.sh counts only inside the measured function (callgrind
 * --toggle-collect) and divides by the number of calls. */
#include "toonstore.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *what)
{
    const char *e = toonstore_last_error();
    fprintf(stderr, "calls: %s: %s\n", what, e ? e : "?");
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: calls DIR put|get_into|get|iter ROWS [REPEATS]\n");
        return 2;
    }
    const char *op = argv[2];
    long rows = atol(argv[3]);
    long reps = argc > 4 ? atol(argv[4]) : 0;
    ToonStore *db = toonstore_open(argv[1]);
    if (!db) die("open");
    uint8_t row[128];
    for (long i = 0; i < rows; i++) {
        int len = 60 + (int)(i % 61);
        memset(row, 'a' + (int)(i % 26), (size_t)len);
        snprintf((char *)row, 32, "users[%ld]", i); /* inside the row: len >= 60 */
        if (toonstore_put(db, row, (size_t)len) < 0) die("put");
    }
    uint64_t sum = 0, x = 88172645463325252ull;
    uint8_t buf[256];
    for (long k = 0; k < reps; k++) {
        if (!strcmp(op, "iter")) {
            ToonStoreIter *it = toonstore_scan(db);
            if (!it) die("scan");
            int64_t id;
            uint8_t *data;
            size_t len;
            int rc;
            while ((rc = toonstore_iter_next(it, &id, &data, &len)) == 1) sum += data[0] + data[len - 1];
            if (rc < 0) die("iter_next");
            toonstore_iter_free(it);
            continue;
        }
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t id = (int64_t)(x % (uint64_t)rows);
        size_t len = 0;
        if (!strcmp(op, "get_into")) {
            if (toonstore_get_into(db, id, buf, sizeof buf, &len) != TOONSTORE_OK) die("get_into");
            sum += buf[len - 1];
        } else if (!strcmp(op, "get")) {
            uint8_t *data = NULL;
            if (toonstore_get(db, id, &data, &len) != TOONSTORE_OK) die("get");
            sum += data[len - 1];
            toonstore_free_buffer(data);
        }
    }
    printf("%llu\n", (unsigned long long)sum);
    return toonstore_close_checked(db) == TOONSTORE_OK ? 0 : 1;
}
