/* The raw floor of a durable commit on this disk: 4 KiB write + fdatasync,
 * (a) overwriting blocks already written and synced (how a database with
 * preallocated, reused log space commits) and (b) appending to a growing
 * file (each fdatasync also commits the file's new size). */
#define _GNU_SOURCE
#include "bench.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FLOOR_BLOCK 4096
#define FLOOR_RING 256 /* 1 MiB of written blocks reused in turn */

static int write_full(int fd, const uint8_t *b, size_t n, off_t off)
{
    while (n) {
        ssize_t w = pwrite(fd, b, n, off);
        if (w <= 0) return -1;
        b += w;
        n -= (size_t)w;
        off += w;
    }
    return 0;
}

int floor_overwrite(const char *dir, size_t reps, double *seconds)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/floor-overwrite.dat", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return -1;
    static uint8_t block[FLOOR_BLOCK];
    memset(block, 'x', sizeof block);
    for (size_t i = 0; i < FLOOR_RING; i++)
        if (write_full(fd, block, FLOOR_BLOCK, (off_t)(i * FLOOR_BLOCK))) goto fail;
    if (fsync(fd)) goto fail;
    double t0 = now_sec();
    for (size_t i = 0; i < reps; i++) {
        block[0] = (uint8_t)i;
        if (write_full(fd, block, FLOOR_BLOCK, (off_t)((i % FLOOR_RING) * FLOOR_BLOCK))) goto fail;
        if (fdatasync(fd)) goto fail;
    }
    *seconds = now_sec() - t0;
    close(fd);
    unlink(path);
    return 0;
fail:
    close(fd);
    unlink(path);
    return -1;
}

int floor_append(const char *dir, size_t reps, double *seconds)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/floor-append.dat", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return -1;
    if (fsync(fd)) goto fail;
    static uint8_t block[FLOOR_BLOCK];
    memset(block, 'y', sizeof block);
    double t0 = now_sec();
    for (size_t i = 0; i < reps; i++) {
        block[0] = (uint8_t)i;
        if (write_full(fd, block, FLOOR_BLOCK, (off_t)(i * FLOOR_BLOCK))) goto fail;
        if (fdatasync(fd)) goto fail;
    }
    *seconds = now_sec() - t0;
    close(fd);
    unlink(path);
    return 0;
fail:
    close(fd);
    unlink(path);
    return -1;
}
