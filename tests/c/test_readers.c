/*
 * Readers beside a live writer in another process, refresh and online
 * backup (issue 17). The writer is this program re-executed in
 * `--child-writer DIR` mode: it puts "row <id>" rows, prints "ready <n>"
 * once n rows were acknowledged, and goes on putting until it is killed.
 */
/* POSIX only (fork, pipes, signals): not built on Windows (tests.h). */
#ifndef _WIN32
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runner.h"
#include "tests.h"

#define READY_ROWS 500

static void pause_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR) {
    }
}

/* Child mode: the writer. Exit status 2 when it cannot open or put. */
int ts_child_writer(const char *dir) {
    ToonStore *db = toonstore_open(dir);
    if (db == NULL) return 2;
    char value[64];
    for (int64_t id = 0;; id++) {
        int n = snprintf(value, sizeof value, "row %lld", (long long)id);
        if (toonstore_put(db, (const uint8_t *)value, (size_t)n) != id) return 2;
        if (id + 1 == READY_ROWS) {
            printf("ready %d\n", READY_ROWS);
            fflush(stdout);
        }
        /* Then a steady row per millisecond, not a flood (the parent may
         * run under valgrind), up to a bound; then idle until killed. */
        if (id + 1 >= READY_ROWS) pause_ms(1);
        while (id + 1 >= 60000) pause_ms(100);
    }
}

/* Starts the writer child; returns its pid once it said ready (-1 on failure). */
static pid_t start_writer(const char *dir) {
    int fds[2];
    if (pipe(fds) != 0) return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        ts_exec_self("--child-writer", dir);
        _exit(127);
    }
    close(fds[1]);
    char line[64];
    size_t used = 0;
    while (used + 1 < sizeof line) {
        ssize_t n = read(fds[0], line + used, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (line[used] == '\n') break;
        used++;
    }
    line[used] = '\0';
    close(fds[0]);
    if (strncmp(line, "ready", 5) != 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return -1;
    }
    return pid;
}

/* Opens and closes `dir` for writing in another process (test_process.c's
 * child mode); returns its exit status (0: opened). */
static int run_opener(const char *dir) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) dup2(null, STDOUT_FILENO);
        ts_exec_self("--child-open", dir);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void kill_writer(pid_t pid) {
    kill(pid, SIGKILL);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
}

static void ro(ToonStoreOpenOptions *o) { o->read_only = 1; }

/* Every row below `acked` is there, and the rows are ids 0.. with no gap,
 * each "row <id>": one state of the log. Returns the number of rows. */
static int64_t check_rows(ToonStore *db, int64_t acked) {
    ToonStoreIter *it = toonstore_scan(db);
    CHECK(it != NULL);
    if (it == NULL) return -1;
    int64_t expect = 0, id;
    uint8_t *data;
    size_t len;
    char value[64];
    int rc;
    while ((rc = toonstore_iter_next(it, &id, &data, &len)) == 1) {
        int n = snprintf(value, sizeof value, "row %lld", (long long)expect);
        CHECK_MSG(id == expect, "row %lld after row %lld", (long long)id, (long long)expect - 1);
        CHECK_MSG(len == (size_t)n && memcmp(data, value, len) == 0, "value of row %lld",
                  (long long)id);
        if (id != expect) break;
        expect++;
    }
    CHECK_EQ(rc, 0);
    toonstore_iter_free(it);
    CHECK_MSG(expect >= acked, "%lld rows seen, %lld acknowledged", (long long)expect,
              (long long)acked);
    return expect;
}

void test_readers_read_only_open_beside_a_live_writer(void) {
    const char *path = ts_path("live");
    pid_t writer = start_writer(path);
    REQUIRE(writer > 0);

    /* A reader opens beside the writer and sees every acknowledged row. */
    ToonStore *reader = ts_open_opts(path, ro);
    REQUIRE(reader != NULL);
    int64_t seen = check_rows(reader, READY_ROWS);
    CHECK_ROW(reader, 0, "row 0");
    CHECK_EQ(ts_put_str(reader, "nope"), TOONSTORE_ERR_READ_ONLY);

    /* A second writer is still refused. */
    CHECK(toonstore_open(path) == NULL);
    CHECK_EQ(toonstore_last_error_code(), TOONSTORE_ERR_LOCKED);

    /* The handle is a fixed state until refreshed; refresh moves it on. */
    pause_ms(50);
    CHECK_EQ(check_rows(reader, READY_ROWS), seen);
    CHECK_EQ(toonstore_refresh(reader), TOONSTORE_OK);
    int64_t later = check_rows(reader, seen);
    CHECK_MSG(later > seen, "refresh saw no new row (%lld)", (long long)later);

    /* A backup from the reader, while the writer goes on: it is the
     * reader's state, and opens on its own. */
    char dest[4096];
    snprintf(dest, sizeof dest, "%s-backup", path);
    CHECK_EQ(toonstore_backup(reader, dest), TOONSTORE_OK);
    ToonStore *copy = toonstore_open(dest);
    REQUIRE(copy != NULL);
    CHECK_EQ(check_rows(copy, later), later);
    toonstore_close(copy);
    /* A destination that is not empty is refused and left alone. */
    CHECK_EQ(toonstore_backup(reader, dest), TOONSTORE_ERR_INVALID_ARG);
    CHECK(ts_contains_ci(toonstore_last_error(), "not empty"));
    copy = toonstore_open(dest);
    CHECK(copy != NULL && check_rows(copy, later) == later);
    toonstore_close(copy);

    /* kill -9 of the writer with the reader open; then recovery, by a
     * writer in another process (in this process a writable open of a
     * directory open read-only here is refused: docs/c/CONTRACT.md). */
    kill_writer(writer);
    CHECK_EQ(check_rows(reader, later), later);
    CHECK_EQ(run_opener(path), 0);
    CHECK_EQ(check_rows(reader, later), later);
    CHECK_EQ(toonstore_refresh(reader), TOONSTORE_OK);
    int64_t recovered = check_rows(reader, later);
    CHECK_EQ(toonstore_close_checked(reader), TOONSTORE_OK);
    ToonStore *w = toonstore_open(path);
    REQUIRE(w != NULL);
    CHECK_EQ(check_rows(w, recovered), recovered);
    CHECK_EQ(toonstore_refresh(w), TOONSTORE_OK); /* a writer: nothing to do */
    CHECK_EQ(toonstore_close_checked(w), TOONSTORE_OK);
}
#else
typedef int ts_readers_posix_only; /* ISO C: no empty translation unit */
#endif /* _WIN32 */
