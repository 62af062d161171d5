/*
 * tests/fuzz/fuzz_cmdline.c - libFuzzer target for vmm/cmdline.c, the
 * hypervisor's command line.
 *
 * Input: one byte of sizes (bits 1:0 err buffer 0/1/16/160 bytes; bits
 * 7:2 a format buffer of that many bytes), then the command line as the
 * boot loader passes it (a NUL in it ends it, as in C).
 *
 * Invariants:
 *  - cmdline_skip_image_path() returns a pointer into the same string;
 *  - a failed parse leaves the configuration exactly as it was and says
 *    why; a good one formats (cmdline_format) to a line that parses back
 *    to a configuration that formats the same (round trip), and parsing
 *    the same line again changes nothing (last one wins, idempotent);
 *  - cmdline_format() NUL-terminates any buffer and returns the full
 *    length whatever the buffer's size, like snprintf;
 *  - every help line is a string shorter than its buffer.
 *
 * Environment: host fuzzing (clang, libFuzzer, ASan+UBSan).
 */
#include "fuzz.h"
#include "../../vmm/cmdline.h"

#define ERR_MAX		160
#define FMT_MAX		1024
#define HELP_LINE_MAX	160

static void help_line(const char *line)
{
	FUZZ_CHECK(strnlen(line, HELP_LINE_MAX) < HELP_LINE_MAX);
}

/* Format c, also into a small buffer of small bytes; returns the length. */
static int format(const struct vmm_config *c, char *buf, size_t small)
{
	char tiny[64];
	int len = cmdline_format(c, buf, FMT_MAX);

	FUZZ_CHECK(len >= 0 && (size_t)len < FMT_MAX);
	FUZZ_CHECK(strlen(buf) == (size_t)len);
	memset(tiny, 0x5a, sizeof(tiny));
	FUZZ_CHECK(cmdline_format(c, tiny, small) == len);
	if (small) {
		FUZZ_CHECK(strnlen(tiny, small) < small);
		FUZZ_CHECK(!strncmp(tiny, buf, strlen(tiny)));
	}
	return len;
}

static void round_trip(const struct vmm_config *c, const char *line,
		       size_t small)
{
	static char buf[FMT_MAX], buf2[FMT_MAX];
	struct vmm_config back, again = *c;
	char err[ERR_MAX];

	format(c, buf, small);
	cmdline_defaults(&back);
	FUZZ_CHECK(cmdline_parse(buf, &back, err, sizeof(err)) == 0);
	format(&back, buf2, small);
	FUZZ_CHECK(!strcmp(buf, buf2));
	/* the same options again: nothing changes */
	FUZZ_CHECK(cmdline_parse(line, &again, err, sizeof(err)) == 0);
	format(&again, buf2, small);
	FUZZ_CHECK(!strcmp(buf, buf2));
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const size_t errlens[] = { 0, 1, 16, ERR_MAX };
	static bool help_done;
	struct vmm_config c, before;
	char err[ERR_MAX], *line;
	const char *opts;
	size_t errlen, small;
	u8 sizes;
	int rc;

	if (!help_done) {
		cmdline_print_help(help_line);
		help_done = true;
	}
	if (!size)
		return 0;
	sizes = data[0];
	errlen = errlens[sizes & 3];
	small = MIN((size_t)(sizes >> 2), (size_t)64);
	line = strndup((const char *)data + 1, size - 1);
	FUZZ_CHECK(line);
	opts = cmdline_skip_image_path(line);
	FUZZ_CHECK(opts >= line && opts <= line + strlen(line));
	cmdline_defaults(&c);
	memcpy(&before, &c, sizeof(c));
	memset(err, 0x5a, sizeof(err));
	rc = cmdline_parse(opts, &c, err, errlen);
	FUZZ_TRACE("cmdline_parse(\"%s\"): %d %s\n", opts, rc, errlen ? err : "");
	if (errlen)
		FUZZ_CHECK(strnlen(err, errlen) < errlen);
	if (rc) {
		FUZZ_CHECK(rc == -1);
		FUZZ_CHECK(!memcmp(&before, &c, sizeof(c)));
		if (errlen > 1)
			FUZZ_CHECK(err[0] != '\0');
	} else {
		round_trip(&c, opts, small);
	}
	free(line);
	return 0;
}
