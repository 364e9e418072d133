#include "buildid.h"

#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"

#define HEAD_BYTES 4096u

/* Bytes [off, off + n) lie within len. */
static int within(uint64_t off, uint64_t n, size_t len)
{
	return off <= len && n <= len - off;
}

static size_t align4(size_t n)
{
	return (n + 3u) & ~(size_t)3u;
}

/* The GNU build-ID note among the notes in buf[0, len). */
static int note_find(const unsigned char *buf, size_t len, char hex[CNI_BUILD_ID_HEX_MAX + 1])
{
	size_t off = 0;

	while (within(off, sizeof(Elf64_Nhdr), len)) {
		Elf64_Nhdr nh;
		size_t name_at = off + sizeof(nh), desc_at, end;

		memcpy(&nh, buf + off, sizeof(nh));
		desc_at = name_at + align4(nh.n_namesz);
		if (!within(name_at, align4(nh.n_namesz), len) ||
		    !within(desc_at, align4(nh.n_descsz), len))
			return 0;
		end = desc_at + align4(nh.n_descsz);
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    memcmp(buf + name_at, "GNU", 4) == 0 && nh.n_descsz > 0 &&
		    (size_t)nh.n_descsz * 2 <= CNI_BUILD_ID_HEX_MAX) {
			for (size_t i = 0; i < nh.n_descsz; i++)
				snprintf(hex + 2 * i, 3, "%02x", buf[desc_at + i]);
			return 1;
		}
		off = end;
	}
	return 0;
}

int cni_build_id_parse(const unsigned char *buf, size_t len, char hex[CNI_BUILD_ID_HEX_MAX + 1])
{
	Elf64_Ehdr eh;

	hex[0] = '\0';
	if (len < sizeof(eh))
		return 0;
	memcpy(&eh, buf, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_phentsize != sizeof(Elf64_Phdr) ||
	    !within(eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr), len))
		return 0;
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, buf + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_NOTE && within(ph.p_offset, ph.p_filesz, len) &&
		    note_find(buf + ph.p_offset, ph.p_filesz, hex))
			return 1;
	}
	return 0;
}

int cni_build_id_of(const char *path, char hex[CNI_BUILD_ID_HEX_MAX + 1])
{
	unsigned char buf[HEAD_BYTES];
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	ssize_t n;

	hex[0] = '\0';
	if (fd < 0)
		return 0;
	n = RETRY_EINTR(pread(fd, buf, sizeof(buf), 0));
	return n > 0 ? cni_build_id_parse(buf, (size_t)n, hex) : 0;
}
