/* The generated data set: TOON-like rows of 60..120 bytes, a pure function
 * of (seed, row index), so every engine (and every process) sees the same
 * bytes. */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static const char *const first_names[] = {
    "Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi",
    "Ivan", "Judy", "Mallory", "Niaj", "Olivia", "Peggy", "Rupert", "Sybil",
};
static const char *const kinds[] = { "click", "view", "login", "logout", "purchase", "search" };

static size_t pad_letters(uint8_t *p, size_t n, uint64_t *rng)
{
    for (size_t k = 0; k < n; k++) p[k] = (uint8_t)('a' + rng_next(rng) % 26);
    return n;
}

size_t gen_row(uint64_t seed, uint64_t i, uint8_t *buf)
{
    uint64_t rng = seed ^ (i * 0xD1B54A32D192ED03ull);
    rng_next(&rng);
    size_t target = 60 + (size_t)(rng_next(&rng) % 61); /* 60..120 */
    char head[ROW_MAX + 1];
    char tail[ROW_MAX + 1];
    int hl, tl;
    unsigned t = (unsigned)(rng_next(&rng) % 4);
    unsigned long long id = (unsigned long long)i;
    switch (t) {
    case 0:
    case 1: /* users: the shape from the issue */
        hl = snprintf(head, sizeof head, "users[%llu]{id,name,email,age}: %llu,%s", id, id,
                      first_names[rng_next(&rng) % 16]);
        tl = snprintf(tail, sizeof tail, ",user%llu@example.com,%u", id,
                      (unsigned)(18 + rng_next(&rng) % 70));
        break;
    case 2:
        hl = snprintf(head, sizeof head, "orders[%llu]{id,user,sku,qty,total,note}: %llu,%u,SKU-%05X,%u,%u.%02u,",
                      id, id, (unsigned)(rng_next(&rng) % 100000), (unsigned)(rng_next(&rng) % 0xFFFFF),
                      (unsigned)(1 + rng_next(&rng) % 9), (unsigned)(rng_next(&rng) % 1000),
                      (unsigned)(rng_next(&rng) % 100));
        tl = 0;
        tail[0] = 0;
        break;
    default:
        hl = snprintf(head, sizeof head, "events[%llu]{id,kind,ts,payload}: %llu,%s,%llu,", id, id,
                      kinds[rng_next(&rng) % 6],
                      (unsigned long long)(1700000000000ull + rng_next(&rng) % 100000000000ull));
        tl = 0;
        tail[0] = 0;
        break;
    }
    size_t len = (size_t)hl;
    memcpy(buf, head, len);
    size_t fixed = (size_t)hl + (size_t)tl;
    if (fixed < target) len += pad_letters(buf + len, target - fixed, &rng);
    memcpy(buf + len, tail, (size_t)tl);
    len += (size_t)tl;
    if (len > 120) len = 120; /* cannot happen for ids < 10^12; keeps the bound */
    return len;
}

static void shuffle(uint32_t *a, size_t n, uint64_t *rng)
{
    for (size_t i = 0; i < n; i++) a[i] = (uint32_t)i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(rng_next(rng) % i);
        uint32_t tmp = a[i - 1];
        a[i - 1] = a[j];
        a[j] = tmp;
    }
}

int workload_init(workload *w, size_t n, uint64_t seed)
{
    memset(w, 0, sizeof *w);
    w->n = n;
    w->seed = seed;
    w->arena = malloc(n * 120 + 1);
    w->off = malloc(n * sizeof *w->off);
    w->len = malloc(n);
    w->get_order = malloc(n * sizeof *w->get_order);
    w->deleted = calloc(n, 1);
    uint32_t *perm = malloc(n * sizeof *perm);
    if (!w->arena || !w->off || !w->len || !w->get_order || !w->deleted || !perm) {
        free(perm);
        return -1;
    }
    uint64_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        w->off[i] = pos;
        size_t l = gen_row(seed, i, w->arena + pos);
        w->len[i] = (uint8_t)l;
        pos += l;
    }
    uint64_t rng = seed ^ 0x6765745F6F726465ull; /* "get_orde" */
    shuffle(w->get_order, n, &rng);
    rng = seed ^ 0x64656C6574657365ull; /* "deletese" */
    shuffle(perm, n, &rng);
    w->n_del = n / 10;
    w->del_set = perm; /* the first n_del entries are the delete set */
    return 0;
}

void workload_free(workload *w)
{
    free(w->arena);
    free(w->off);
    free(w->len);
    free(w->get_order);
    free(w->del_set);
    free(w->deleted);
    memset(w, 0, sizeof *w);
}
