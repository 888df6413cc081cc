/*
 * hold_lock <dir>: the child process of the conformance vectors' `hold_lock`
 * op (tests/conformance/README.md). Opens the database in <dir> for writing,
 * writes "ready\n" to stdout, waits until stdin reaches end of file, closes
 * the database and exits 0. On failure it writes
 * "error <C name>: <message>\n" and exits 1.
 *
 * scripts/conformance.sh builds it against target/release/libtoonstore.so and
 * exports its path as TOONSTORE_CONFORMANCE_HOLD_LOCK.
 */
#include <stdio.h>

#include "toonstore.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: hold_lock <database directory>\n");
        return 2;
    }
    ToonStore *db = NULL;
    int rc = toonstore_open_with(argv[1], NULL, &db);
    if (rc != TOONSTORE_OK) {
        const char *why = toonstore_last_error();
        printf("error %d: %s\n", rc, why ? why : toonstore_strerror(rc));
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    char buf[256];
    while (fread(buf, 1, sizeof buf, stdin) > 0) {
    }
    rc = toonstore_close_checked(db);
    if (rc != TOONSTORE_OK) {
        fprintf(stderr, "hold_lock: close failed: %d\n", rc);
        return 1;
    }
    return 0;
}
