/*
 * tests/guests/common/cmdline.c - command-line word lookup for the test
 * kernels. (The memory and string routines come from lib/string.c, the
 * same file the hypervisor uses.) Environment: any ring.
 */
#include "guest.h"

/* Words are separated by spaces; "key=" must start a word. */
bool cmdline_value(const char *cmdline, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);
	const char *p = cmdline;

	while (p && *p) {
		while (*p == ' ')
			p++;
		if (!memcmp(p, key, klen) && p[klen] == '=') {
			size_t n = 0;

			for (p += klen + 1; *p && *p != ' ' && n + 1 < size; p++)
				buf[n++] = *p;
			buf[n] = '\0';
			return true;
		}
		while (*p && *p != ' ')
			p++;
	}
	return false;
}
