/* Spare files: released address files and index entries kept for the next
 * reservation, so that a node's steady churn of ADD and DEL creates and frees
 * no inode (spares.c says why). */
#ifndef HOSTLOCAL_SPARES_H
#define HOSTLOCAL_SPARES_H

#include <stddef.h>

#include "store.h"

/* At most this many spares per network directory; a release beyond it removes. */
#define HL_SPARES_MAX 64
/* Their names in the index directory: "spare.<k>", k from 0 to the count - 1. No
 * index entry can be named so (entries have a ':' or start with '#'). */
#define HL_SPARE_PREFIX "spare."
/* A parked file's content. */
#define HL_SPARE_CONTENT "krafty spare\n"

/* Write data into the top spare and rename it to `name` under dirfd, which must
 * not exist. 0: placed; -EEXIST: `name` exists (the spare stays a spare);
 * -ENOENT: no spare could be taken (create the file instead). */
int hl_spare_place(struct hl_store *st, int dirfd, const char *name, const void *data, size_t len);

/* Release `name` under dirfd: move it into the spares, or remove it when it
 * cannot be parked. 0 (also when it did not exist), or the removal's -errno. */
int hl_spare_release(struct hl_store *st, int dirfd, const char *name);

/* The count in a stamp's spares line ("spares <k>\n" at s): 0 unless the line is
 * exactly that with k <= HL_SPARES_MAX. */
unsigned int hl_spare_count_parse(const char *s);

#endif
