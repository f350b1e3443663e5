/*
 * fuzz_util.c - helpers of the fuzz targets (see fuzz.h).
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void
fuzz_touch(const void *p, size_t n)
{
	const volatile unsigned char *b = p;
	volatile unsigned char sink = 0;
	for (size_t i = 0; i < n; i++)
		sink ^= b[i];
	(void)sink;
}

char *
fuzz_string(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t n = nul ? (size_t)(nul - data) : size;
	char *s = malloc(n + 1);
	if (s == NULL)
		abort();
	memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

const char *
fuzz_file(int slot, const void *data, size_t size)
{
	static int fds[4] = {-1, -1, -1, -1};
	static char names[4][64];

	if (slot < 0 || slot >= 4)
		abort();
	if (fds[slot] < 0) {
		fds[slot] = memfd_create("mxtriage-fuzz", MFD_CLOEXEC);
		if (fds[slot] < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(names[slot], sizeof names[slot], "/proc/self/fd/%d",
		    fds[slot]);
	}
	if (ftruncate(fds[slot], 0) != 0 ||
	    (size > 0 && pwrite(fds[slot], data, size, 0) != (ssize_t)size)) {
		perror("fuzz_file");
		abort();
	}
	return names[slot];
}
