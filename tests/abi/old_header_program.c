/*
 * A program written against the frozen 1.0 header (abi/toonstore-1.0.h),
 * compiled with it and run against the library being built now. It stands
 * for every 1.x program in the field: if it stops compiling or running, the
 * change broke the ABI promise. check_abi.sh builds it with -I pointing at a
 * directory whose toonstore.h is the frozen copy.
 *
 *   old_header_program DIR   (DIR: a fresh database directory)
 * Prints one line per step and exits 0 only when every step passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <toonstore.h>

#ifndef TOONSTORE_VERSION_NUMBER
#error "not a toonstore.h"
#endif

static int failures;

#define STEP(cond)                                                                               \
    do {                                                                                         \
        if (cond) {                                                                              \
            printf("ok   %s\n", #cond);                                                          \
        } else {                                                                                 \
            const char *e = toonstore_last_error();                                              \
            printf("FAIL %s:%d %s (last error: %s)\n", __FILE__, __LINE__, #cond, e ? e : "none"); \
            failures++;                                                                          \
        }                                                                                        \
    } while (0)

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];

    /* Versions: same major as the header, and not older than it. */
    uint32_t lib = toonstore_version_number();
    STEP(lib / 1000000 == TOONSTORE_VERSION_MAJOR);
    STEP(lib >= TOONSTORE_VERSION_NUMBER);
    STEP(toonstore_version() != NULL);

    /* Options of the 1.0 layout, opened with the 1.0 version number. */
    ToonStoreOpenOptions opts;
    STEP(toonstore_open_options_init(&opts, 1) == TOONSTORE_OK);
    STEP(opts.version == 1 && opts.create_if_missing == 1);
    opts.durability = TOONSTORE_DURABILITY_FULL;
    opts.segment_size = 64 * 1024;
    ToonStore *db = NULL;
    STEP(toonstore_open_with(dir, &opts, &db) == TOONSTORE_OK && db != NULL);
    if (db == NULL) return 1;

    /* put / get / get_into / delete */
    int64_t a = toonstore_put(db, (const uint8_t *)"alpha", 5);
    int64_t b = toonstore_put(db, (const uint8_t *)"beta", 4);
    STEP(a >= 0 && b == a + 1);
    uint8_t *data = NULL;
    size_t len = 0;
    STEP(toonstore_get(db, a, &data, &len) == TOONSTORE_OK && len == 5 && memcmp(data, "alpha", 5) == 0);
    toonstore_free_buffer(data);
    uint8_t buf[8];
    STEP(toonstore_get_into(db, b, buf, 2, &len) == TOONSTORE_ERR_BUFFER_TOO_SMALL && len == 4);
    STEP(toonstore_get_into(db, b, buf, sizeof buf, &len) == TOONSTORE_OK && memcmp(buf, "beta", 4) == 0);
    STEP(toonstore_delete(db, a) == TOONSTORE_OK);
    STEP(toonstore_get(db, a, &data, &len) == TOONSTORE_ERR_NOT_FOUND && data == NULL);
    STEP(toonstore_last_error_code() == TOONSTORE_ERR_NOT_FOUND);
    STEP(strcmp(toonstore_strerror(TOONSTORE_ERR_NOT_FOUND), "row not found") == 0);

    /* batch */
    ToonStoreBatch *batch = toonstore_batch_new();
    STEP(batch != NULL);
    STEP(toonstore_batch_put(batch, (const uint8_t *)"one", 3) == TOONSTORE_OK);
    STEP(toonstore_batch_put(batch, (const uint8_t *)"two", 3) == TOONSTORE_OK);
    STEP(toonstore_batch_delete(batch, b) == TOONSTORE_OK);
    int64_t first = -1;
    STEP(toonstore_batch_commit(db, batch, &first) == TOONSTORE_OK && first == b + 1);
    toonstore_batch_free(batch);

    /* scan */
    ToonStoreIter *it = toonstore_scan(db);
    STEP(it != NULL);
    int64_t id;
    uint8_t *row;
    int n = 0, in_order = 1;
    while (it != NULL && toonstore_iter_next(it, &id, &row, &len) == 1) {
        in_order &= id == first + n;
        n++;
    }
    STEP(n == 2 && in_order);
    toonstore_iter_free(it);

    /* stats, struct version 1 */
    ToonStoreStats st;
    memset(&st, 0, sizeof st);
    st.version = 1;
    STEP(toonstore_stats(db, &st) == TOONSTORE_OK);
    STEP(st.live_rows == 2 && st.deleted_rows == 2 && st.next_row_id == (uint64_t)first + 2);
    STEP(toonstore_sync(db) == TOONSTORE_OK);
    STEP(toonstore_compact(db) == TOONSTORE_OK);

    /* snapshot */
    ToonStoreSnapshot *snap = NULL;
    STEP(toonstore_snapshot_open(db, &snap) == TOONSTORE_OK);
    const uint8_t *p = NULL;
    STEP(toonstore_snapshot_get(snap, first, &p, &len) == TOONSTORE_OK && len == 3 && memcmp(p, "one", 3) == 0);
    toonstore_snapshot_free(snap);
    STEP(toonstore_close_checked(db) == TOONSTORE_OK);

    /* The function table of interface 1, as the 1.0 header lays it out. */
    const ToonStoreApi *api = toonstore_api(1);
    STEP(api != NULL && api->version == 1 && api->size >= sizeof(ToonStoreApi));
    if (api != NULL) {
        ToonStore *again = api->open(dir);
        STEP(again != NULL);
        STEP(api->contains(again, first) == 1);
        STEP(api->get(again, first + 1, &data, &len) == TOONSTORE_OK && len == 3 && memcmp(data, "two", 3) == 0);
        api->free_buffer(data);
        int64_t c = api->put(again, (const uint8_t *)"three", 5);
        STEP(c == first + 2);
        STEP(api->version_number() == lib);
        STEP(api->close_checked(again) == TOONSTORE_OK);
    }
    STEP(toonstore_api(TOONSTORE_API_VERSION + 1000) == NULL);
    STEP(toonstore_last_error_code() == TOONSTORE_ERR_VERSION);

    printf("old-header program: %d failed steps\n", failures);
    return failures == 0 ? 0 : 1;
}
