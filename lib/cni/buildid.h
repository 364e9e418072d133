/* The GNU build ID of an ELF file: the linker's hash of the binary's contents,
 * kept by strip. Two binaries with the same build ID are the same build. */
#ifndef CNI_BUILDID_H
#define CNI_BUILDID_H

#include <stddef.h>

/* Longest build ID we report (sha1 is 20 bytes), as lower-case hex. */
#define CNI_BUILD_ID_HEX_MAX 64

/* The build ID found in the first len bytes of an ELF file (its header,
 * program headers and the notes they point at, all within buf), as hex in
 * hex[CNI_BUILD_ID_HEX_MAX + 1]: 1 when found, 0 when buf holds none (not
 * ELF, another class or byte order, out-of-bounds offsets). Never reads
 * outside buf: the bytes may be anything. */
int cni_build_id_parse(const unsigned char *buf, size_t len, char hex[CNI_BUILD_ID_HEX_MAX + 1]);

/* The build ID of the file at path: the first 4 KiB are read (where linkers
 * put it). 1 when found, 0 when not or the file cannot be read. */
int cni_build_id_of(const char *path, char hex[CNI_BUILD_ID_HEX_MAX + 1]);

#endif
