/*
 * The runner: runs every test of tests.h (or those whose names contain one of
 * the command-line arguments), prints `ok NAME` / `FAIL NAME` per test and
 * `N passed, M failed` as its last line; exits 0 only when nothing failed.
 *
 *   toonstore_c_tests [--list] [SUBSTRING...]
 *   toonstore_c_tests --child-open DIR   (used by the lock test: see test_process.c)
 *   toonstore_c_tests --child-writer DIR (the writer of test_readers.c)
 *
 * Every test gets paths under one private directory made with mkdtemp in
 * $TMPDIR (or /tmp), removed at the end unless TOONSTORE_TEST_KEEP is set.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <direct.h>
#include <windows.h>
#else
#include <ftw.h>
#include <unistd.h>
#endif

#include "runner.h"
#include "tests.h"

struct ts_case {
    const char *name;
    void (*fn)(void);
};

#define TS_ENTRY(name) {#name, test_##name},
static const struct ts_case ts_cases[] = {TS_TESTS(TS_ENTRY)};
#undef TS_ENTRY

static int current_failures;
static const char *current_name = "(none)";
static char base_dir[PATH_MAX];
static char self_exe[PATH_MAX];
static unsigned path_counter;

void ts_fail(const char *file, int line, const char *expr, const char *fmt, ...) {
    current_failures++;
    fprintf(stdout, "  %s:%d: in %s: check failed: %s", file, line, current_name, expr);
    if (fmt != NULL) {
        va_list ap;
        va_start(ap, fmt);
        fputs(": ", stdout);
        vfprintf(stdout, fmt, ap);
        va_end(ap);
    }
    fputc('\n', stdout);
    fflush(stdout);
}

int ts_current_failures(void) { return current_failures; }

const char *ts_path(const char *label) {
    /* A ring of buffers so that a test may hold a few paths at once. */
    static char ring[8][PATH_MAX];
    char *out = ring[path_counter % 8];
#ifdef _WIN32
    /* Backslashes: the library reports paths in Windows' own form. */
    int n = snprintf(out, PATH_MAX, "%s\\%03u-%s", base_dir, path_counter, label);
#else
    int n = snprintf(out, PATH_MAX, "%s/%03u-%s", base_dir, path_counter, label);
#endif
    if (n < 0 || n >= PATH_MAX) {
        fprintf(stdout, "path too long for %s\n", label);
        abort();
    }
    path_counter++;
    return out;
}

const char *ts_self_exe(void) { return self_exe; }

#ifdef _WIN32
/* The POSIX calls main() needs, for Windows (mingw-w64). */
static void remove_tree(const char *dir) {
    char pattern[PATH_MAX], path[PATH_MAX];
    snprintf(pattern, sizeof pattern, "%s\\*", dir);
    WIN32_FIND_DATAA entry;
    HANDLE find = FindFirstFileA(pattern, &entry);
    if (find != INVALID_HANDLE_VALUE) {
        do {
            if (strcmp(entry.cFileName, ".") == 0 || strcmp(entry.cFileName, "..") == 0) continue;
            snprintf(path, sizeof path, "%s\\%s", dir, entry.cFileName);
            if (entry.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
                remove_tree(path);
            } else if (!DeleteFileA(path)) {
                fprintf(stderr, "cannot remove %s: error %lu\n", path, GetLastError());
            }
        } while (FindNextFileA(find, &entry));
        FindClose(find);
    }
    if (!RemoveDirectoryA(dir)) fprintf(stderr, "cannot remove %s: error %lu\n", dir, GetLastError());
}

static int make_base_dir(void) {
    /* Windows' temporary directory (TEMP/TMP), not TMPDIR: under Wine,
     * TMPDIR is the Unix side's and names no Windows path. */
    char tmp[PATH_MAX];
    if (GetTempPathA(sizeof tmp, tmp) == 0) return -1;
    size_t len = strlen(tmp);
    if (len > 0 && (tmp[len - 1] == '\\' || tmp[len - 1] == '/')) tmp[len - 1] = '\0';
    for (unsigned i = 0; i < 1000; i++) {
        snprintf(base_dir, sizeof base_dir, "%s\\toonstore-ctest-%lu-%u", tmp,
                 (unsigned long)GetCurrentProcessId(), i);
        if (_mkdir(base_dir) == 0) return 0;
        if (errno != EEXIST) return -1;
    }
    return -1;
}
#else
static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb;
    (void)flag;
    (void)ftw;
    if (remove(path) != 0) fprintf(stderr, "cannot remove %s: %s\n", path, strerror(errno));
    return 0;
}
#endif

int ts_child_open(const char *dir);   /* test_process.c */
#ifndef _WIN32
int ts_child_writer(const char *dir); /* test_readers.c (POSIX only) */
#endif

static int selected(const char *name, int argc, char **argv) {
    int any = 0;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-') continue;
        any = 1;
        if (strstr(name, argv[i]) != NULL) return 1;
    }
    return !any;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--child-open") == 0) return ts_child_open(argv[2]);
#ifndef _WIN32
    if (argc == 3 && strcmp(argv[1], "--child-writer") == 0) return ts_child_writer(argv[2]);
#endif
    size_t count = sizeof ts_cases / sizeof ts_cases[0];
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < count; i++) puts(ts_cases[i].name);
        return 0;
    }

#ifdef _WIN32
    DWORD n = GetModuleFileNameA(NULL, self_exe, sizeof self_exe);
    if (n == 0 || n >= sizeof self_exe) snprintf(self_exe, sizeof self_exe, "%s", argv[0]);
    if (make_base_dir() != 0) {
#else
    /* Under valgrind, /proc/self/exe reads as the program, not the tool. */
    ssize_t n = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
    if (n > 0) {
        self_exe[n] = '\0';
    } else if (realpath(argv[0], self_exe) == NULL) {
        snprintf(self_exe, sizeof self_exe, "%s", argv[0]);
    }

    const char *tmp = getenv("TMPDIR");
    snprintf(base_dir, sizeof base_dir, "%s/toonstore-ctest-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(base_dir) == NULL) {
#endif
        fprintf(stdout, "cannot create a temporary directory: %s\n0 passed, 1 failed\n",
                strerror(errno));
        return 1;
    }

    int passed = 0, failed = 0;
    for (size_t i = 0; i < count; i++) {
        if (!selected(ts_cases[i].name, argc, argv)) continue;
        current_name = ts_cases[i].name;
        current_failures = 0;
        fflush(stdout);
        ts_cases[i].fn();
        if (current_failures == 0) {
            passed++;
            printf("ok   %s\n", current_name);
        } else {
            failed++;
            printf("FAIL %s (%d failed checks)\n", current_name, current_failures);
        }
        fflush(stdout);
    }

    if (getenv("TOONSTORE_TEST_KEEP") == NULL) {
#ifdef _WIN32
        remove_tree(base_dir);
#else
        nftw(base_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
#endif
    } else {
        printf("kept %s\n", base_dir);
    }
    printf("%d passed, %d failed\n", passed, failed);
    /* Flush now: LeakSanitizer ends the process with _exit when it finds a
     * leak, which would drop a buffered summary line. */
    fflush(stdout);
    return failed == 0 && passed > 0 ? 0 : 1;
}
