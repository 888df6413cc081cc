/* sync_probe: how fast can one small durable commit be on this disk, by
 * mechanism? Appends 81-byte records, one sync each, through
 *   mmap + msync(MS_SYNC)   into a sparse (ftruncate'd) or a pre-written file
 *   pwrite + fdatasync      into a sparse or a pre-written file
 * Usage: sync_probe DIR [REPS]. Not part of the comparison; a diagnostic for
 * the durable-put phase (see RESULTS.md). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define FILE_SIZE (64u << 20)
#define REC 81

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int prepare(int fd, int prewritten)
{
    if (!prewritten) return ftruncate(fd, FILE_SIZE);
    char *z = calloc(1, 1u << 20);
    if (!z) return -1;
    for (size_t o = 0; o < FILE_SIZE; o += 1u << 20)
        if (pwrite(fd, z, 1u << 20, (off_t)o) != 1 << 20) {
            free(z);
            return -1;
        }
    free(z);
    return fsync(fd);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: sync_probe DIR [REPS]\n");
        return 2;
    }
    int reps = argc > 2 ? atoi(argv[2]) : 2000;
    static const char *const names[4] = {
        "mmap + msync(MS_SYNC), sparse file",
        "mmap + msync(MS_SYNC), pre-written file",
        "pwrite + fdatasync, sparse file",
        "pwrite + fdatasync, pre-written file",
    };
    char rec[REC];
    memset(rec, 'r', sizeof rec);
    for (int mode = 0; mode < 4; mode++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/sync-probe-%d.dat", argv[1], mode);
        unlink(path);
        int fd = open(path, O_RDWR | O_CREAT, 0644);
        if (fd < 0 || prepare(fd, mode & 1) != 0) {
            perror(path);
            return 1;
        }
        char *m = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (m == MAP_FAILED) {
            perror("mmap");
            return 1;
        }
        double t0 = now();
        size_t off = 0;
        for (int i = 0; i < reps; i++) {
            int rc;
            if (mode < 2) {
                memcpy(m + off, rec, REC);
                size_t page = off & ~(size_t)4095;
                rc = msync(m + page, off + REC - page, MS_SYNC);
            } else {
                rc = pwrite(fd, rec, REC, (off_t)off) == REC ? fdatasync(fd) : -1;
            }
            if (rc != 0) {
                perror("sync");
                return 1;
            }
            off += REC;
        }
        double s = now() - t0;
        printf("%-42s %8.0f commits/s (%.0f us each)\n", names[mode], reps / s, s / reps * 1e6);
        munmap(m, FILE_SIZE);
        close(fd);
        unlink(path);
    }
    return 0;
}
