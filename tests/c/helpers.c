/* Helpers shared by the test files. */
#define _XOPEN_SOURCE 700
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <unistd.h>
#endif

#include "runner.h"

int64_t ts_put_str(ToonStore *db, const char *s) {
    return toonstore_put(db, (const uint8_t *)s, strlen(s));
}

int ts_row_is(ToonStore *db, int64_t id, const char *s, const char *file, int line) {
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = toonstore_get(db, id, &data, &len);
    int ok = rc == TOONSTORE_OK && len == strlen(s) && (len == 0 || memcmp(data, s, len) == 0);
    if (!ok) {
        const char *err = toonstore_last_error();
        ts_fail(file, line, "row content", "row %lld: rc %d, len %zu, expected \"%s\" (last error: %s)",
                (long long)id, rc, len, s, err ? err : "none");
    }
    toonstore_free_buffer(data);
    return ok;
}

int ts_contains_ci(const char *s, const char *needle) {
    if (s == NULL || needle == NULL) return 0;
    size_t n = strlen(needle);
    for (; *s; s++) {
        size_t i = 0;
        while (i < n && s[i] && tolower((unsigned char)s[i]) == tolower((unsigned char)needle[i])) i++;
        if (i == n) return 1;
    }
    return 0;
}

ToonStore *ts_open_opts(const char *path, void (*tweak)(ToonStoreOpenOptions *)) {
    ToonStoreOpenOptions opts;
    if (toonstore_open_options_init(&opts, TOONSTORE_OPEN_OPTIONS_VERSION) != TOONSTORE_OK) return NULL;
    if (tweak != NULL) tweak(&opts);
    ToonStore *db = NULL;
    if (toonstore_open_with(path, &opts, &db) != TOONSTORE_OK) return NULL;
    return db;
}

void ts_pattern(char *out, size_t len, int seed) {
    /* "000123:" then letters that depend on the seed, NUL-terminated at len. */
    unsigned v = (unsigned)seed;
    for (size_t k = 0; k < len; k++) out[k] = (char)('a' + (v + k) % 26);
    for (int k = 5; k >= 0 && (size_t)k < len; k--, v /= 10) out[k] = (char)('0' + v % 10);
    if (len > 6) out[6] = ':';
    out[len] = '\0';
}

#ifndef _WIN32
/* Replaces this (child) process with the suite in `mode` on `dir`. A
 * cross-built suite runs under an emulator (TOONSTORE_TEST_RUNNER, e.g.
 * "qemu-aarch64 -L /usr/aarch64-linux-gnu", set by scripts/matrix/test-c.sh):
 * the child runs under it too, started by the host's /bin/sh (an emulated
 * execve runs host programs). Returns only when the exec failed. */
void ts_exec_self(const char *mode, const char *dir) {
    const char *runner = getenv("TOONSTORE_TEST_RUNNER");
    if (runner != NULL && *runner != '\0') {
        execl("/bin/sh", "sh", "-c", "exec $TOONSTORE_TEST_RUNNER \"$0\" \"$1\" \"$2\"", ts_self_exe(),
              mode, dir, (char *)NULL);
    } else {
        execl(ts_self_exe(), ts_self_exe(), mode, dir, (char *)NULL);
    }
}
#endif
