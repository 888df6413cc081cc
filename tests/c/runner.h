/*
 * A tiny test runner for the C suite of libtoonstore.
 *
 * A test is a `void f(void)` listed in tests.h. CHECK* record a failure and
 * carry on; REQUIRE* record it and return from the test (use them only in
 * the test function itself). A test passes when it recorded no failure.
 * main.c prints one line per test and, last, `N passed, M failed`.
 */
#ifndef TOONSTORE_TEST_RUNNER_H
#define TOONSTORE_TEST_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include <toonstore.h>

/* Records a failed check at file:line; `fmt` may be NULL. */
void ts_fail(const char *file, int line, const char *expr, const char *fmt, ...)
#if defined(__MINGW32__)
    /* gnu_printf with -D__USE_MINGW_ANSI_STDIO=1 (C99 %zu, %lld). */
    __attribute__((format(gnu_printf, 4, 5)))
#elif defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Failures recorded since the current test started. */
int ts_current_failures(void);

/* A new path (not created) under the suite's private temporary directory. */
const char *ts_path(const char *label);

/* The path of the test executable (for re-executing it in a child process). */
const char *ts_self_exe(void);

#ifndef _WIN32
/* In a forked child: runs this suite as `<exe> MODE DIR` (under the emulator
 * the suite runs under, if any: TOONSTORE_TEST_RUNNER). Returns only when
 * the exec failed. */
void ts_exec_self(const char *mode, const char *dir);
#endif

#define CHECK(cond)                                                                              \
    do {                                                                                         \
        if (!(cond)) ts_fail(__FILE__, __LINE__, #cond, NULL);                                   \
    } while (0)

#define CHECK_MSG(cond, ...)                                                                     \
    do {                                                                                         \
        if (!(cond)) ts_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                            \
    } while (0)

/* Integer equality that prints both values and the thread's last error. */
#define CHECK_EQ(actual, expected)                                                               \
    do {                                                                                         \
        long long ts_a_ = (long long)(actual), ts_e_ = (long long)(expected);                    \
        if (ts_a_ != ts_e_) {                                                                    \
            const char *ts_le_ = toonstore_last_error();                                         \
            ts_fail(__FILE__, __LINE__, #actual " == " #expected,                                \
                    "got %lld, expected %lld (last error: %s)", ts_a_, ts_e_,                    \
                    ts_le_ ? ts_le_ : "none");                                                   \
        }                                                                                        \
    } while (0)

#define REQUIRE(cond)                                                                            \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            const char *ts_le_ = toonstore_last_error();                                         \
            ts_fail(__FILE__, __LINE__, #cond, "required; stopping this test (last error: %s)",  \
                    ts_le_ ? ts_le_ : "none");                                                   \
            return;                                                                              \
        }                                                                                        \
    } while (0)

/* Opens a fresh database with default options, or fails the test. */
#define OPEN_FRESH(var, label)                                                                   \
    ToonStore *var = toonstore_open(ts_path(label));                                             \
    REQUIRE(var != NULL)

/* Helpers shared by the test files (helpers.c). */
int64_t ts_put_str(ToonStore *db, const char *s);
/* 1 when row `id` reads back as exactly `s`, else 0 (and records why). */
int ts_row_is(ToonStore *db, int64_t id, const char *s, const char *file, int line);
#define CHECK_ROW(db, id, s) ((void)ts_row_is((db), (id), (s), __FILE__, __LINE__))
/* 1 when `s` contains `needle` (case-insensitive), 0 otherwise or for NULL. */
int ts_contains_ci(const char *s, const char *needle);
/* Writes a recognizable row of `len` characters for `seed` plus a NUL. */
void ts_pattern(char *out, size_t len, int seed);
/* Opens with options (version 1 defaults, then `tweak` applied); NULL on failure. */
ToonStore *ts_open_opts(const char *path, void (*tweak)(ToonStoreOpenOptions *));

#endif
