/*
 * vmm/cmdline.c - the hypervisor's command line, parsed from one table of
 * documented options (cmdline_opts below; README.md "Command line" shows
 * the same table, and cmdline_print_help() prints it).
 *
 * Pure module: strings in, struct vmm_config out; host-tested and fuzzed.
 * Follows no SDM section.
 * Environment: VMX root during start-up, or host tests.
 *
 * Grammar: options are `name=value` words separated by blanks. A repeated
 * option is allowed and the last one wins, as with Linux's command line,
 * so a boot entry can append an override without editing the defaults.
 * An unknown option, a word without '=', or a bad value is an error; on
 * error the configuration is left exactly as it was.
 */
#include "cmdline.h"
#include "../lib/fmt.h"
#include "../lib/string.h"

#define CMDLINE_ERR_SHOW	40	/* bytes of an offending word quoted */
#define CMDLINE_HELP_LINE	160
#define CMDLINE_VALUE_MAX	24	/* "64G", "ram=18446744073709551615" */
#define CMDLINE_DECIMAL		10
#define CMDLINE_HEX		16

enum opt_kind { OPT_SIZE, OPT_UINT, OPT_ENUM, OPT_BOOL };

struct opt {
	const char *name;
	enum opt_kind kind;
	size_t off, width;	/* the struct vmm_config field */
	u64 def, min, max;
	u64 align;		/* OPT_SIZE: value must be a multiple */
	const char *const *names;	/* OPT_ENUM: index = value, NULL-ended */
	const char *help;
};

#define OPT_FIELD(f) offsetof(struct vmm_config, f), \
	sizeof(((struct vmm_config *)0)->f)

static const char *const log_names[] = { "quiet", "info", "debug", NULL };
static const char *const fault_names[] = { "none", "vmentry", "panic",
	"hostexc", "vmwrite", "oom", NULL };
static const char *const bool_names[] = { "off", "on", NULL };
static const char *const apic_names[] = { "auto", "soft", NULL };

static const struct opt cmdline_opts[] = {
	/* Guest RAM is one block from GPA 0; it must end below the 32-bit
	 * MMIO hole where the xAPIC (0xfee00000) lives. */
	{ "ram", OPT_SIZE, OPT_FIELD(ram_size), 64 * MiB, 4 * MiB, 3 * GiB,
	  PAGE_SIZE, NULL, "guest RAM, a multiple of 4K (K/M/G suffix)" },
	{ "log", OPT_ENUM, OPT_FIELD(log), LOG_INFO, LOG_QUIET, LOG_DEBUG,
	  0, log_names, "serial log detail" },
	{ "fault", OPT_ENUM, OPT_FIELD(fault), FAULT_NONE, FAULT_NONE,
	  FAULT_LAST, 0, fault_names,
	  "inject a failure to prove it ends the run loudly" },
	{ "ept_large", OPT_BOOL, OPT_FIELD(ept_large), true, false, true,
	  0, bool_names, "map guest RAM with 2M/1G EPT pages when the CPU can" },
	{ "guest", OPT_UINT, OPT_FIELD(guest_module), 0, 0, 7,
	  0, NULL, "index of the boot module that is the guest kernel" },
	{ "slow_start", OPT_SIZE, OPT_FIELD(slow_start), 32 * MiB, 0, 64 * GiB,
	  PAGE_SIZE, NULL, "first guest-physical byte of the slow range" },
	{ "slow_end", OPT_SIZE, OPT_FIELD(slow_end), 0, 0, 64 * GiB,
	  PAGE_SIZE, NULL, "end of the slow range (0: end of guest RAM)" },
	{ "slow_pct", OPT_UINT, OPT_FIELD(slow_pct), 100, 0, 100,
	  0, NULL, "percent of pages in the slow range that are slow (seeded)" },
	{ "latency", OPT_UINT, OPT_FIELD(latency), 200000, 1000, 10000000000ULL,
	  0, NULL, "fetch latency of a slow page, in TSC cycles" },
	{ "latency_max", OPT_UINT, OPT_FIELD(latency_max), 0, 0, 10000000000ULL,
	  0, NULL, "0: fixed latency; else seeded uniform in [latency, max]" },
	{ "max_fetches", OPT_UINT, OPT_FIELD(max_fetches), 64, 1, 64,
	  0, NULL, "slow-page fetches in flight at once" },
	{ "resident", OPT_UINT, OPT_FIELD(resident), 0, 0, 1ULL << 24,
	  0, NULL, "slow pages kept mapped before the oldest is evicted (0: all)" },
	{ "seed", OPT_UINT, OPT_FIELD(seed), 1, 0, ~0ULL,
	  0, NULL, "seed for which pages are slow and for latencies" },
	{ "apic", OPT_ENUM, OPT_FIELD(apic), APIC_AUTO, APIC_AUTO, APIC_SOFT,
	  0, apic_names, "LAPIC delivery: auto (APIC virtualization when the "
	  "CPU has it) or soft (always the software path)" },
	{ "fail_start", OPT_SIZE, OPT_FIELD(fail_start), 0, 0, 64 * GiB,
	  PAGE_SIZE, NULL, "first guest-physical byte whose fetches always fail" },
	{ "fail_end", OPT_SIZE, OPT_FIELD(fail_end), 0, 0, 64 * GiB,
	  PAGE_SIZE, NULL, "end of the always-failing range (0: none)" },
	{ "fail_pct", OPT_UINT, OPT_FIELD(fail_pct), 0, 0, 100,
	  0, NULL, "percent of fetch attempts that fail transiently (seeded)" },
	{ "retries", OPT_UINT, OPT_FIELD(retries), 3, 0, 100,
	  0, NULL, "transient failures retried before a fetch is reported failed" },
	{ "trace", OPT_UINT, OPT_FIELD(trace), 0, 0, 1ULL << 22,
	  0, NULL, "keep the last N trace events and print them at the end "
	  "(0: off)" },
};

/* Store v into the field that o describes. */
static void opt_store(struct vmm_config *c, const struct opt *o, u64 v)
{
	u8 *p = (u8 *)c + o->off;

	if (o->width == sizeof(u64)) {
		u64 x = v;
		memcpy(p, &x, sizeof(x));
	} else if (o->width == sizeof(u32)) {
		u32 x = (u32)v;
		memcpy(p, &x, sizeof(x));
	} else {
		bool x = v != 0;
		memcpy(p, &x, sizeof(x));
	}
}

/* Read back the field that o describes. */
static u64 opt_load(const struct vmm_config *c, const struct opt *o)
{
	const u8 *p = (const u8 *)c + o->off;
	u64 x64 = 0;
	u32 x32 = 0;
	bool b = false;

	if (o->width == sizeof(u64)) {
		memcpy(&x64, p, sizeof(x64));
		return x64;
	}
	if (o->width == sizeof(u32)) {
		memcpy(&x32, p, sizeof(x32));
		return x32;
	}
	memcpy(&b, p, sizeof(b));
	return b;
}

/* Fill c with each option's documented default. */
void cmdline_defaults(struct vmm_config *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < ARRAY_SIZE(cmdline_opts); i++)
		opt_store(c, &cmdline_opts[i], cmdline_opts[i].def);
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static const char *skip_blanks(const char *s)
{
	while (is_blank(*s))
		s++;
	return s;
}

/* Length of the word at s (up to a blank or the end). */
static size_t word_len(const char *s)
{
	size_t n = 0;

	while (s[n] && !is_blank(s[n]))
		n++;
	return n;
}

/* Does the n-byte word at s contain ch? */
static bool word_has(const char *s, size_t n, char ch)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == ch)
			return true;
	return false;
}

/* Skip a leading image path or URL: QEMU's mb1 loader and GRUB's put the
 * kernel path first, iPXE its URL. Options always contain '='. */
const char *cmdline_skip_image_path(const char *line)
{
	const char *s;
	size_t n;

	if (!line)
		return "";
	s = skip_blanks(line);
	n = word_len(s);
	if (word_has(s, n, '=') || !(word_has(s, n, '/') || word_has(s, n, ':')))
		return line;
	return skip_blanks(s + n);
}

static const struct opt *opt_find(const char *name, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(cmdline_opts); i++)
		if (strlen(cmdline_opts[i].name) == n &&
		    !strncmp(cmdline_opts[i].name, name, n))
			return &cmdline_opts[i];
	return NULL;
}

static int digit_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Parse the n bytes at s as a decimal or 0x-prefixed hex number and
 * return the count of bytes consumed (0: no digits or overflow). */
static size_t parse_number(const char *s, size_t n, u64 *v)
{
	unsigned base = CMDLINE_DECIMAL;
	size_t i = 0, first;
	int d;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = CMDLINE_HEX;
		i = 2;
	}
	*v = 0;
	for (first = i; i < n && (d = digit_value(s[i])) >= 0 && (unsigned)d < base; i++) {
		if (*v > (UINT64_MAX - (u64)d) / base)
			return 0;
		*v = *v * base + (u64)d;
	}
	return i == first ? 0 : i;
}

/* The multiplier for a size suffix, or 0 when ch is not one. */
static u64 size_unit(char ch)
{
	switch (ch) {
	case 'k': case 'K': return KiB;
	case 'm': case 'M': return MiB;
	case 'g': case 'G': return GiB;
	default: return 0;
	}
}

/* A number with an optional K/M/G suffix, e.g. 64M. */
static bool parse_size(const char *s, size_t n, u64 *v)
{
	size_t used = parse_number(s, n, v);
	u64 unit;

	if (!used || used == n)
		return used != 0;
	unit = size_unit(s[used]);
	if (!unit || used + 1 != n || *v > UINT64_MAX / unit)
		return false;
	*v *= unit;
	return true;
}

/* The index of the n-byte word at s in a NULL-ended name list. */
static bool parse_name(const char *const *names, const char *s, size_t n,
		       u64 *v)
{
	for (u64 i = 0; names[i]; i++)
		if (strlen(names[i]) == n && !strncmp(names[i], s, n))
			return *v = i, true;
	return false;
}

/* bool also takes 1 and 0, as many command lines do. */
static bool parse_bool(const char *s, size_t n, u64 *v)
{
	if (n == 1 && (s[0] == '0' || s[0] == '1'))
		return *v = (u64)(s[0] - '0'), true;
	return parse_name(bool_names, s, n, v);
}

static bool parse_value(const struct opt *o, const char *s, size_t n, u64 *v)
{
	switch (o->kind) {
	case OPT_SIZE: return parse_size(s, n, v);
	case OPT_UINT: return parse_number(s, n, v) == n && n;
	case OPT_ENUM: return parse_name(o->names, s, n, v);
	case OPT_BOOL: return parse_bool(s, n, v);
	}
	return false;
}

/* Write a size the way a user would type it: 64M rather than 67108864. */
static void fmt_size(char *buf, size_t size, u64 v)
{
	static const char units[] = "GMK";
	static const u64 mult[] = { GiB, MiB, KiB };

	for (size_t i = 0; i < ARRAY_SIZE(mult); i++)
		if (v && v % mult[i] == 0) {
			fmt_snprintf(buf, size, "%llu%c",
				     (unsigned long long)(v / mult[i]), units[i]);
			return;
		}
	fmt_snprintf(buf, size, "%llu", (unsigned long long)v);
}

/* The value v of option o as it would appear on the command line. */
static void fmt_value(char *buf, size_t size, const struct opt *o, u64 v)
{
	if (o->kind == OPT_SIZE)
		fmt_size(buf, size, v);
	else if (o->names)
		fmt_snprintf(buf, size, "%s", o->names[v]);
	else
		fmt_snprintf(buf, size, "%llu", (unsigned long long)v);
}

/* What a valid value looks like, for the "bad value" message. */
static void fmt_expected(char *buf, size_t size, const struct opt *o)
{
	size_t len = 0;

	switch (o->kind) {
	case OPT_SIZE:
		fmt_snprintf(buf, size, "size such as 64M");
		return;
	case OPT_UINT:
		fmt_snprintf(buf, size, "number");
		return;
	case OPT_ENUM:
	case OPT_BOOL:
		for (size_t i = 0; o->names[i]; i++)
			len += (size_t)fmt_snprintf(buf + MIN(len, size),
						    size - MIN(len, size), "%s%s",
						    i ? "|" : "", o->names[i]);
		return;
	}
}

/* Check v against o's limits; -1 with a message naming the option. */
static int opt_check(const struct opt *o, u64 v, const char *val, size_t n,
		     char *err, size_t errlen)
{
	char lo[CMDLINE_VALUE_MAX], hi[CMDLINE_VALUE_MAX], step[CMDLINE_VALUE_MAX];

	fmt_value(lo, sizeof(lo), o, o->min);
	fmt_value(hi, sizeof(hi), o, o->max);
	if (v < o->min || v > o->max) {
		fmt_snprintf(err, errlen, "'%s' out of range: '%.*s' (allowed %s..%s)",
			     o->name, (int)MIN(n, CMDLINE_ERR_SHOW), val, lo, hi);
		return -1;
	}
	if (o->align && v % o->align) {
		fmt_size(step, sizeof(step), o->align);
		fmt_snprintf(err, errlen, "'%s' must be a multiple of %s: '%.*s'",
			     o->name, step, (int)MIN(n, CMDLINE_ERR_SHOW), val);
		return -1;
	}
	return 0;
}

/* Apply one `name=value` word of n bytes to c. */
static int parse_word(const char *w, size_t n, struct vmm_config *c,
		      char *err, size_t errlen)
{
	size_t name_len = 0;
	const struct opt *o;
	char want[CMDLINE_HELP_LINE];
	u64 v;

	while (name_len < n && w[name_len] != '=')
		name_len++;
	o = opt_find(w, name_len);
	if (!o) {
		fmt_snprintf(err, errlen, "unknown option '%.*s'",
			     (int)MIN(name_len, CMDLINE_ERR_SHOW), w);
		return -1;
	}
	if (name_len == n) {
		fmt_snprintf(err, errlen, "missing '=' after '%s' (expected %s=<value>)",
			     o->name, o->name);
		return -1;
	}
	w += name_len + 1;
	n -= name_len + 1;
	if (!parse_value(o, w, n, &v)) {
		fmt_expected(want, sizeof(want), o);
		fmt_snprintf(err, errlen, "bad value for '%s': '%.*s' (expected %s)",
			     o->name, (int)MIN(n, CMDLINE_ERR_SHOW), w, want);
		return -1;
	}
	if (opt_check(o, v, w, n, err, errlen) < 0)
		return -1;
	opt_store(c, o, v);
	return 0;
}

/* Parse every word into a copy of c and commit it only when all are good. */
int cmdline_parse(const char *line, struct vmm_config *c, char *err,
		  size_t errlen)
{
	struct vmm_config next = *c;

	if (errlen)
		err[0] = '\0';
	for (const char *s = skip_blanks(line ? line : ""); *s; s = skip_blanks(s)) {
		size_t n = word_len(s);

		if (parse_word(s, n, &next, err, errlen) < 0)
			return -1;
		s += n;
	}
	*c = next;
	return 0;
}

/* One help line per option: name=<values>, what it does, default, range. */
void cmdline_print_help(void (*out)(const char *line))
{
	char line[CMDLINE_HELP_LINE], want[CMDLINE_HELP_LINE];
	char def[CMDLINE_VALUE_MAX], lo[CMDLINE_VALUE_MAX], hi[CMDLINE_VALUE_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(cmdline_opts); i++) {
		const struct opt *o = &cmdline_opts[i];

		fmt_expected(want, sizeof(want), o);
		fmt_value(def, sizeof(def), o, o->def);
		fmt_value(lo, sizeof(lo), o, o->min);
		fmt_value(hi, sizeof(hi), o, o->max);
		if (o->names)
			fmt_snprintf(line, sizeof(line), "%s=<%s>: %s (default %s)",
				     o->name, want, o->help, def);
		else
			fmt_snprintf(line, sizeof(line),
				     "%s=<%s>: %s (default %s, %s..%s)", o->name,
				     want, o->help, def, lo, hi);
		out(line);
	}
}

/* The whole configuration as one command line that parses back to c. */
int cmdline_format(const struct vmm_config *c, char *buf, size_t size)
{
	char val[CMDLINE_VALUE_MAX];
	size_t len = 0;

	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(cmdline_opts); i++) {
		const struct opt *o = &cmdline_opts[i];
		u64 v = opt_load(c, o);

		if (o->names && v > o->max)
			fmt_snprintf(val, sizeof(val), "%llu", (unsigned long long)v);
		else
			fmt_value(val, sizeof(val), o, v);
		len += (size_t)fmt_snprintf(buf + MIN(len, size), size - MIN(len, size),
					    "%s%s=%s", i ? " " : "", o->name, val);
	}
	return (int)len;
}
