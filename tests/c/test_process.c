/*
 * Locking: a database open for writing is locked against a second handle in
 * this process and against another process (fork + exec of this program in
 * `--child-open DIR` mode, so the child starts clean rather than inheriting
 * the library's threads and locks through a bare fork; on Windows, a new
 * process running this program through _popen).
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#include "runner.h"
#include "tests.h"

/* Child mode: open DIR once; print "code=<c> message=<m>" on stdout.
 * Exit status: 0 opened (and closed), 3 refused with TOONSTORE_ERR_LOCKED,
 * 4 refused with another error. */
int ts_child_open(const char *dir) {
    ToonStore *db = toonstore_open(dir);
    if (db != NULL) {
        printf("code=0 message=opened\n");
        toonstore_close(db);
        return 0;
    }
    const char *msg = toonstore_last_error();
    printf("code=%d message=%s\n", toonstore_last_error_code(), msg ? msg : "(null)");
    return toonstore_last_error_code() == TOONSTORE_ERR_LOCKED ? 3 : 4;
}

/* Runs the child on `dir`; returns its exit status (or -1) and its output. */
#ifdef _WIN32
static int run_child(const char *dir, char *out, size_t cap) {
    char cmd[3 * 4096];
    /* cmd.exe strips the outer pair of quotes: the whole line is quoted. */
    int n = snprintf(cmd, sizeof cmd, "\"\"%s\" --child-open \"%s\"\"", ts_self_exe(), dir);
    if (n < 0 || (size_t)n >= sizeof cmd) return -1;
    fflush(stdout);
    FILE *child = _popen(cmd, "r");
    if (child == NULL) return -1;
    size_t used = fread(out, 1, cap - 1, child);
    out[used] = '\0';
    return _pclose(child);
}
#else
static int run_child(const char *dir, char *out, size_t cap) {
    int fds[2];
    if (pipe(fds) != 0) return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        ts_exec_self("--child-open", dir);
        _exit(127);
    }
    close(fds[1]);
    size_t used = 0;
    ssize_t n;
    while (used + 1 < cap && (n = read(fds[0], out + used, cap - 1 - used)) != 0) {
        if (n < 0) {
            if (errno == EINTR) continue;
            break;
        }
        used += (size_t)n;
    }
    out[used] = '\0';
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
#endif

void test_process_second_process_gets_locked(void) {
    const char *path = ts_path("locked");
    ToonStore *db = toonstore_open(path);
    REQUIRE(db != NULL);
    int64_t id = ts_put_str(db, "held by the parent");
    CHECK(id >= 0);

    char out[1024];
    int status = run_child(path, out, sizeof out);
    CHECK_MSG(status == 3, "child exit %d, output: %s", status, out);
    char expect[32];
    snprintf(expect, sizeof expect, "code=%d ", TOONSTORE_ERR_LOCKED);
    CHECK_MSG(strncmp(out, expect, strlen(expect)) == 0, "child output: %s", out);
    CHECK_MSG(ts_contains_ci(out, "locked"), "the message should say locked: %s", out);
    CHECK_MSG(ts_contains_ci(out, path), "the message should name the database: %s", out);

    /* The parent's handle is unaffected. */
    CHECK_ROW(db, id, "held by the parent");

    /* Closing releases the lock: now the child can open it. */
    toonstore_close(db);
    status = run_child(path, out, sizeof out);
    CHECK_MSG(status == 0, "child exit %d after close, output: %s", status, out);

    /* And the child has released it again. */
    db = toonstore_open(path);
    CHECK(db != NULL);
    toonstore_close(db);
}

/* A second open of a directory in the same process shares the open database
 * (docs/c/CONTRACT.md, "One database, one engine per process"): two handles,
 * one engine, each closed on its own; the last close closes the database. */
void test_process_second_handle_in_process_shares_the_database(void) {
    const char *path = ts_path("shared-here");
    ToonStore *a = toonstore_open(path);
    REQUIRE(a != NULL);
    ToonStore *b = NULL;
    CHECK_EQ(toonstore_open_with(path, NULL, &b), TOONSTORE_OK);
    REQUIRE(b != NULL);
    CHECK(a != b);
    int64_t x = ts_put_str(a, "through a");
    int64_t y = ts_put_str(b, "through b");
    CHECK_EQ(y, x + 1);
    CHECK_ROW(b, x, "through a");
    CHECK_ROW(a, y, "through b");
    /* A read-only open shares it read-only. */
    ToonStoreOpenOptions ro;
    REQUIRE(toonstore_open_options_init(&ro, TOONSTORE_OPEN_OPTIONS_VERSION) == TOONSTORE_OK);
    ro.read_only = 1;
    ToonStore *r = NULL;
    CHECK_EQ(toonstore_open_with(path, &ro, &r), TOONSTORE_OK);
    REQUIRE(r != NULL);
    CHECK_ROW(r, y, "through b");
    CHECK_EQ(toonstore_put(r, (const uint8_t *)"no", 2), TOONSTORE_ERR_READ_ONLY);
    /* Different options for a writer are refused, by name. */
    ToonStoreOpenOptions full;
    REQUIRE(toonstore_open_options_init(&full, TOONSTORE_OPEN_OPTIONS_VERSION) == TOONSTORE_OK);
    full.durability = TOONSTORE_DURABILITY_FULL;
    ToonStore *c = (ToonStore *)&c;
    CHECK_EQ(toonstore_open_with(path, &full, &c), TOONSTORE_ERR_INVALID_ARG);
    CHECK(c == NULL);
    CHECK(ts_contains_ci(toonstore_last_error(), "durability"));
    /* Closing one handle leaves the others working. */
    CHECK_EQ(toonstore_close_checked(a), TOONSTORE_OK);
    int64_t z = ts_put_str(b, "after a closed");
    CHECK(z > y);
    CHECK_ROW(b, x, "through a");
    CHECK_EQ(toonstore_close_checked(b), TOONSTORE_OK);
    CHECK_ROW(r, z, "after a closed");
    /* The database is still open (through r): a writer cannot join a... */
    toonstore_close(r);
    /* ...and after the last close it is closed: a checker may open it. */
    ToonStoreCheckReport report;
    report.version = TOONSTORE_CHECK_REPORT_VERSION;
    CHECK_EQ(toonstore_check(path, &report), TOONSTORE_OK);
    CHECK_EQ(report.live_rows, 3);
}

/* A writable open of a directory open only read-only in this process is
 * refused with LOCKED, as it would be from another process. */
void test_process_writer_cannot_join_a_read_only_open(void) {
    const char *path = ts_path("read-only-here");
    ToonStore *w = toonstore_open(path);
    REQUIRE(w != NULL);
    toonstore_close(w);
    ToonStoreOpenOptions ro;
    REQUIRE(toonstore_open_options_init(&ro, TOONSTORE_OPEN_OPTIONS_VERSION) == TOONSTORE_OK);
    ro.read_only = 1;
    ToonStore *r = NULL;
    REQUIRE(toonstore_open_with(path, &ro, &r) == TOONSTORE_OK);
    CHECK(toonstore_open(path) == NULL);
    CHECK_EQ(toonstore_last_error_code(), TOONSTORE_ERR_LOCKED);
    CHECK(ts_contains_ci(toonstore_last_error(), "read-only"));
    toonstore_close(r);
    w = toonstore_open(path);
    CHECK(w != NULL);
    toonstore_close(w);
}

#ifndef _WIN32
/* fork() with the database open (issue 21): every call on an inherited
 * handle fails with TOONSTORE_ERR_FORKED in the child, the child's close
 * touches nothing, and an idle child holds no lock: the parent closes and
 * reopens, and another process opens, while it lives. */
void test_process_fork_child_gets_forked_and_holds_no_lock(void) {
    const char *path = ts_path("forked");
    ToonStore *db = toonstore_open(path);
    REQUIRE(db != NULL);
    int64_t first = ts_put_str(db, "from the parent");
    REQUIRE(first >= 0);
    ToonStoreSnapshot *snap = NULL;
    REQUIRE(toonstore_snapshot_open(db, &snap) == TOONSTORE_OK);
    ToonStoreIter *it = toonstore_scan(db);
    REQUIRE(it != NULL);

    /* The child reports through a pipe, not its exit status: under valgrind
     * a forked child's exit status says whether it leaked, and a child of
     * fork() cannot free what the parent's other threads own (the library's
     * background threads do not exist there). */
    int report[2];
    REQUIRE(pipe(report) == 0);
    fflush(stdout);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        close(report[0]);
        int bad = 0;
        uint8_t *data = NULL;
        size_t len = 0;
        const uint8_t *borrowed = NULL;
        int64_t row = 0;
        ToonStoreStats st;
        st.version = TOONSTORE_STATS_VERSION;
        if (toonstore_put(db, (const uint8_t *)"x", 1) != TOONSTORE_ERR_FORKED) bad |= 1;
        if (toonstore_get(db, first, &data, &len) != TOONSTORE_ERR_FORKED) bad |= 2;
        if (toonstore_delete(db, first) != TOONSTORE_ERR_FORKED) bad |= 4;
        if (toonstore_sync(db) != TOONSTORE_ERR_FORKED) bad |= 8;
        if (toonstore_stats(db, &st) != TOONSTORE_ERR_FORKED) bad |= 16;
        if (toonstore_snapshot_get(snap, first, &borrowed, &len) != TOONSTORE_ERR_FORKED) bad |= 32;
        if (toonstore_iter_next(it, &row, &data, &len) != TOONSTORE_ERR_FORKED) bad |= 64;
        if (strstr(toonstore_strerror(TOONSTORE_ERR_FORKED), "fork") == NULL) bad |= 128;
        toonstore_iter_free(it);
        toonstore_snapshot_free(snap);
        /* Releases the child's copy only; no panic, no file touched. */
        if (toonstore_close_checked(db) != TOONSTORE_OK) bad |= 256;
        ssize_t w = write(report[1], &bad, sizeof bad);
        _exit(w == (ssize_t)sizeof bad ? 0 : 1);
    }
    close(report[1]);
    int bad = -1;
    ssize_t got;
    while ((got = read(report[0], &bad, sizeof bad)) < 0 && errno == EINTR) {
    }
    close(report[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) break;
    CHECK_MSG(WIFEXITED(status), "the child died: status %#x", status);
    CHECK_MSG(got == (ssize_t)sizeof bad && bad == 0, "child checks failed: mask %#x", bad);

    /* An idle child, blocked on a pipe. */
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    fflush(stdout);
    pid_t idle = fork();
    REQUIRE(idle >= 0);
    if (idle == 0) {
        char byte;
        close(fds[1]);
        ssize_t n = read(fds[0], &byte, 1);
        (void)n;
        _exit(0);
    }
    close(fds[0]);
    toonstore_iter_free(it);
    toonstore_snapshot_free(snap);
    toonstore_close(db);
    /* Another process opens it while the idle child lives. */
    char out[1024];
    int child = run_child(path, out, sizeof out);
    CHECK_MSG(child == 0, "another process could not open (exit %d): %s", child, out);
    /* And the parent reopens it and writes on. */
    db = toonstore_open(path);
    CHECK_MSG(db != NULL, "reopen while an idle forked child lives: %s", toonstore_last_error());
    if (db != NULL) {
        CHECK_ROW(db, first, "from the parent");
        CHECK(ts_put_str(db, "after the fork") > first);
        toonstore_close(db);
    }
    close(fds[1]);
    while (waitpid(idle, &status, 0) < 0)
        if (errno != EINTR) break;
}
#endif
