/*
 * Declarations shared by the files of the toonstore C extension.
 *
 * The extension talks to libtoonstore only through the C ABI: it dlopen()s
 * the library that lib/toonstore/library.rb chose (TOONSTORE_LIB, the copy
 * bundled in a platform gem, pkg-config, the system path) and calls every
 * function through the version-1 function table of toonstore_api(1), so
 * that one compiled extension works with every 1.x library.
 *
 * Invariant: every function here runs with the GVL held, except the bodies
 * passed to ts_without_gvl, which touch no Ruby object.
 */
#ifndef TOONSTORE_EXT_H
#define TOONSTORE_EXT_H

#include <ruby.h>
#include <stdint.h>
#include "toonstore.h"

/* The function table, NULL until ToonStore::Native.load succeeded. */
extern const ToonStoreApi *ts_api;
/* The version 3 table (libtoonstore 1.2: range scans, backup and refresh),
 * or NULL when the loaded library is older. */
extern const ToonStoreApi *ts_api3;

extern VALUE ts_cToonStore; /* class ToonStore (a database handle) */
extern VALUE ts_cCursor;    /* class ToonStore::Cursor */
extern VALUE ts_cBatch;     /* class ToonStore::Batch */
extern VALUE ts_cSnapshot;  /* class ToonStore::Snapshot */

/* Incremented in the child after every fork() (pthread_atfork). A handle,
 * cursor or snapshot remembers the generation it was made in: inherited
 * across a fork it belongs to the parent, and the child never calls the
 * library with it (ForkedError), not even to close it. */
extern unsigned long ts_fork_generation;

/* A database handle. `db` is NULL before open and after close. */
typedef struct {
    ToonStore *db;
    unsigned long generation; /* ts_fork_generation at open */
    uint32_t durability; /* the handle's default (TOONSTORE_DURABILITY_*) */
    int inflight;        /* calls on `db` running without the GVL */
} ts_db;

/* ext.c */
NORETURN(void ts_raise_code(int code, const char *fallback));
NORETURN(void ts_raise_last(int code));
void ts_require_loaded(void);
NORETURN(void ts_raise_forked(void));
/* Runs fn(arg) without the GVL while counting it in d->inflight (so that
 * close waits for it; NULL: a call on no handle). It raises (an interrupt)
 * only before fn has run; the count is restored either way. */
void *ts_without_gvl(ts_db *d, void *(*fn)(void *), void *arg);
/* Row id arguments: TypeError for a non-Integer. Returns 0 and sets *out
 * for an id that fits in int64 and is >= 0; returns -1 for an Integer that
 * can name no row (negative or too large). */
int ts_row_id(VALUE id, int64_t *out);
void ts_scan_bounds(VALUE start, VALUE stop, int64_t *lo, int64_t *hi);
void ts_require_api3(void);
uint32_t ts_durability_from(VALUE sym);
VALUE ts_bytes(const uint8_t *data, size_t len);

/* database.c */
ts_db *ts_db_open_handle(VALUE self); /* raises ClosedError when closed */
ToonStore *ts_db_raw(VALUE self, ts_db **out); /* same, the C handle */
void ts_init_database(void);

/* cursor.c */
VALUE ts_cursor_new(ToonStoreIter *it, VALUE owner);
VALUE ts_cursor_each_and_release(VALUE cursor);
void ts_init_cursor(void);

/* batch.c */
void ts_init_batch(void);

/* snapshot.c */
void ts_init_snapshot(void);

#endif
