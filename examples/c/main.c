/*
 * ToonStore from C: open, put TOON lines, get, delete, scan, batch, close,
 * and what errors look like.
 *
 * Build against an installed ToonStore (see README.md beside this file):
 *   cc -Wall -Wextra -Werror main.c $(pkg-config --cflags --libs toonstore) -o toonstore_example_c
 * Run:
 *   ./toonstore_example_c            (uses a new directory under $TMPDIR or /tmp, removed at the end)
 *   ./toonstore_example_c DIR        (uses DIR and keeps it)
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <toonstore.h>

/* Prints what went wrong: the code's static name plus the calling thread's
 * last error message (owned by the library: do not free it). */
static void report(const char *what, int code) {
    const char *detail = toonstore_last_error();
    fprintf(stderr, "%s failed: %s (%d): %s\n", what, toonstore_strerror(code), code,
            detail ? detail : "(no detail)");
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int run(const char *dir) {
    static const char *const lines[] = {
        "users[1]{id,name}: 1,Alice",
        "users[1]{id,name}: 2,Bob",
        "users[1]{id,name}: 3,Carol",
    };
    int64_t ids[3];
    int rc;

    /* Open (creates the directory and database when missing). */
    ToonStore *db = toonstore_open(dir);
    if (db == NULL) {
        report("toonstore_open", toonstore_last_error_code());
        return 1;
    }
    printf("opened %s with libtoonstore %s (header %s)\n", dir, toonstore_version(),
           TOONSTORE_VERSION_STRING);

    /* Put: returns the new row id, or a negative error code. */
    for (int i = 0; i < 3; i++) {
        int64_t id = toonstore_put(db, (const uint8_t *)lines[i], strlen(lines[i]));
        if (id < 0) {
            report("toonstore_put", (int)id);
            toonstore_close(db);
            return 1;
        }
        ids[i] = id;
        printf("put    row %lld: %s\n", (long long)id, lines[i]);
    }

    /* Get: the buffer is ours; free it with toonstore_free_buffer. */
    uint8_t *data = NULL;
    size_t len = 0;
    rc = toonstore_get(db, ids[1], &data, &len);
    if (rc != TOONSTORE_OK) {
        report("toonstore_get", rc);
        toonstore_close(db);
        return 1;
    }
    printf("get    row %lld: %.*s\n", (long long)ids[1], (int)len, (const char *)data);
    int same = len == strlen(lines[1]) && memcmp(data, lines[1], len) == 0;
    toonstore_free_buffer(data);
    if (!same) {
        fprintf(stderr, "get returned different bytes than were put\n");
        toonstore_close(db);
        return 1;
    }

    /* Delete, then show the error a get of the deleted row gives. */
    rc = toonstore_delete(db, ids[0]);
    if (rc != TOONSTORE_OK) {
        report("toonstore_delete", rc);
        toonstore_close(db);
        return 1;
    }
    printf("delete row %lld\n", (long long)ids[0]);
    rc = toonstore_get(db, ids[0], &data, &len);
    if (rc != TOONSTORE_ERR_NOT_FOUND) {
        fprintf(stderr, "expected TOONSTORE_ERR_NOT_FOUND for a deleted row, got %d\n", rc);
        if (rc == TOONSTORE_OK) toonstore_free_buffer(data);
        toonstore_close(db);
        return 1;
    }
    const char *detail = toonstore_last_error();
    printf("get    row %lld -> code %d, toonstore_strerror: \"%s\", toonstore_last_error: \"%s\"\n",
           (long long)ids[0], rc, toonstore_strerror(rc), detail ? detail : "");

    /* Batch: all or nothing; the puts get consecutive ids from `first`. */
    ToonStoreBatch *batch = toonstore_batch_new();
    if (batch == NULL) {
        report("toonstore_batch_new", toonstore_last_error_code());
        toonstore_close(db);
        return 1;
    }
    static const char *const more[] = {"users[1]{id,name}: 4,Dan", "users[1]{id,name}: 5,Eve"};
    for (int i = 0; i < 2; i++) {
        rc = toonstore_batch_put(batch, (const uint8_t *)more[i], strlen(more[i]));
        if (rc != TOONSTORE_OK) break;
    }
    if (rc == TOONSTORE_OK) rc = toonstore_batch_delete(batch, ids[2]);
    int64_t first = -1;
    if (rc == TOONSTORE_OK) rc = toonstore_batch_commit(db, batch, &first);
    toonstore_batch_free(batch);
    if (rc != TOONSTORE_OK) {
        report("batch", rc);
        toonstore_close(db);
        return 1;
    }
    printf("batch  committed: rows %lld and %lld added, row %lld deleted\n", (long long)first,
           (long long)(first + 1), (long long)ids[2]);

    /* Scan: rows in id order; each row's bytes are borrowed until the next call. */
    ToonStoreIter *it = toonstore_scan(db);
    if (it == NULL) {
        report("toonstore_scan", toonstore_last_error_code());
        toonstore_close(db);
        return 1;
    }
    int64_t id;
    int rows = 0;
    while ((rc = toonstore_iter_next(it, &id, &data, &len)) == 1) {
        printf("scan   row %lld: %.*s\n", (long long)id, (int)len, (const char *)data);
        rows++;
    }
    toonstore_iter_free(it);
    if (rc < 0) {
        report("toonstore_iter_next", rc);
        toonstore_close(db);
        return 1;
    }
    if (rows != 3) { /* Bob, Dan, Eve */
        fprintf(stderr, "expected 3 live rows, scanned %d\n", rows);
        toonstore_close(db);
        return 1;
    }

    /* Bad input is an error code, never a crash. */
    rc = toonstore_get(db, -1, &data, &len);
    printf("get    row -1 -> %s (%d)\n", toonstore_strerror(rc), rc);
    if (rc >= 0) {
        toonstore_close(db);
        return 1;
    }

    /* Close: makes every acknowledged write durable, frees the handle. */
    rc = toonstore_close_checked(db);
    if (rc != TOONSTORE_OK) {
        report("toonstore_close_checked", rc);
        return 1;
    }
    printf("closed\n");
    return 0;
}

int main(int argc, char **argv) {
    char tmpl[4096];
    const char *dir;
    int temporary = argc < 2;
    if (temporary) {
        const char *base = getenv("TMPDIR");
        snprintf(tmpl, sizeof tmpl, "%s/toonstore-example-c-XXXXXX", base && *base ? base : "/tmp");
        dir = mkdtemp(tmpl);
        if (dir == NULL) {
            perror("mkdtemp");
            return 1;
        }
    } else {
        dir = argv[1];
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/db", dir);
    int status = run(path);
    if (temporary) nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    printf("%s\n", status == 0 ? "C example: OK" : "C example: FAILED");
    return status;
}
