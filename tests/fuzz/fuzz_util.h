/* Helpers shared by the fuzz targets that work on files. */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

static int fuzz_remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

/* rm -rf dir, without following links. */
static inline void fuzz_remove_tree(const char *dir)
{
	nftw(dir, fuzz_remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

#endif
