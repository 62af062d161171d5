/*
 * guest-stub/opts.c - table-driven parsing of the guest command line.
 * A new option is one row in opts[]: its name, its value words (or NULL
 * for a decimal number), the u32 in struct guest_config it sets, and a
 * number's allowed range.
 *
 * Environment: any (pure).
 */
#include <stddef.h>
#include "opts.h"
#include "layout.h"
#include "../lib/fmt.h"
#include "../lib/string.h"

struct opt {
	const char *name;
	const char *const *words;	/* value = index; NULL: a number */
	size_t offset;			/* of the u32 in struct guest_config */
	u32 min, max;			/* a number's range (inclusive) */
};

static const char *const crash_words[] = {
	[CRASH_NONE] = "none",
	[CRASH_TRIPLE] = "triple",
	[CRASH_TASKSWITCH] = "taskswitch",
	[CRASH_HLT] = "hlt",
	[CRASH_UD] = "ud",
	[CRASH_MMIO] = "mmio",
	[CRASH_FETCH] = "fetch",
	[CRASH_OUTS] = "outs",
	[CRASH_MCE] = "mce",
	[CRASH_NOHLT] = "nohlt",
	[CRASH_MASKEDHLT] = "maskedhlt",
	NULL,
};

static const char *const apf_words[] = {
	[APF_MODE_OFF] = "off",
	[APF_MODE_PF] = "pf",
	[APF_MODE_INT] = "int",
	[APF_MODE_AUTO] = "auto",
	NULL,
};

static const char *const apic_words[] = {
	[APIC_WANT_X2] = "x2",
	[APIC_WANT_X] = "x",
	[APIC_WANT_OFF] = "off",
	NULL,
};

static const char *const bool_words[] = { "off", "on", NULL };

#define CFG(f)	offsetof(struct guest_config, f)

static const struct opt opts[] = {
	{ "crash", crash_words, CFG(crash), 0, 0 },
	{ "apf", apf_words, CFG(apf), 0, 0 },
	{ "tasks", NULL, CFG(tasks), 1, OPTS_TASKS_MAX },
	{ "pages", NULL, CFG(pages), 1, OPTS_PAGES_MAX },
	{ "work", NULL, CFG(work), 0, OPTS_WORK_MAX },
	{ "send_always", bool_words, CFG(send_always), 0, 0 },
	{ "apic", apic_words, CFG(apic), 0, 0 },
	{ "tick", NULL, CFG(tick), 0, OPTS_TICK_MAX },
	{ "apf_vec", NULL, CFG(apf_vec), 32, 255 },
	{ "errors", bool_words, CFG(errors), 0, 0 },
	{ "fail_page", NULL, CFG(fail_page), 0, 0xffffffffu },
	{ "soak", NULL, CFG(soak), 0, 0xffffffffu },
	{ "soak_switch", NULL, CFG(soak_switch), OPTS_SOAK_SWITCH_MIN, 0xffffffffu },
	{ "soak_fail", NULL, CFG(soak_fail), 0, 0xffffffffu },
};
_Static_assert(ARRAY_SIZE(opts) <= 32, "opts_parse() tracks options in a u32");

/* A word of the command line: not NUL-terminated. */
struct word {
	const char *s;
	size_t len;
};

void opts_defaults(struct guest_config *c)
{
	*c = (struct guest_config){
		.crash = CRASH_NONE,
		.apf = APF_MODE_AUTO,
		.tasks = 0,	/* opts_parse() picks: workload or soak */
		.pages = 0,
		.work = OPTS_WORK_DEFAULT,
		.send_always = 0,
		.apic = APIC_WANT_X2,
		.tick = OPTS_TICK_DEFAULT,
		.apf_vec = 0xec,
		.errors = 1,
		.fail_page = 0,
		.soak = 0,
		.soak_switch = OPTS_SOAK_SWITCH_DEFAULT,
		.soak_fail = OPTS_SOAK_FAIL_DEFAULT,
	};
}

/* Return the first '=' in w, or NULL. */
static const char *word_eq(struct word w)
{
	for (size_t i = 0; i < w.len; i++)
		if (w.s[i] == '=')
			return w.s + i;
	return NULL;
}

/* Return the option named by w's text before '=' (eq chars), or NULL. */
static const struct opt *opt_find(struct word w, size_t eq)
{
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
		if (strlen(opts[i].name) == eq && !strncmp(opts[i].name, w.s, eq))
			return &opts[i];
	return NULL;
}

/* The value of digit c in base, or -1. */
static int digit(char c, unsigned base)
{
	int d = -1;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	return d >= 0 && (unsigned)d < base ? d : -1;
}

/* The multiplier a K, M or G suffix stands for, or 0. */
static u64 suffix(char c)
{
	return c == 'K' ? KiB : c == 'M' ? MiB : c == 'G' ? GiB : 0;
}

/* Parse the number v (n chars: decimal, or 0x hex, then an optional
 * K/M/G) into *out; false if malformed or beyond u32. */
static bool parse_u32(const char *v, size_t n, u32 *out)
{
	unsigned base = 10;
	u64 x = 0, mul = 1;

	if (n > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		base = 16;
		v += 2;
		n -= 2;
	}
	if (n > 1 && base == 10 && suffix(v[n - 1])) {
		mul = suffix(v[n - 1]);
		n--;
	}
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		int d = digit(v[i], base);

		if (d < 0)
			return false;
		x = x * base + (u64)d;
		if (x > 0xffffffffu)
			return false;
	}
	x *= mul;
	if (x > 0xffffffffu)
		return false;
	*out = (u32)x;
	return true;
}

/* Set *out to the index of v (n chars) in words; false if absent. */
static bool parse_word(const char *const *words, const char *v, size_t n,
		       u32 *out)
{
	for (u32 i = 0; words[i]; i++) {
		if (strlen(words[i]) == n && !strncmp(words[i], v, n)) {
			*out = i;
			return true;
		}
	}
	return false;
}

/* Apply one name=value word to c; -1 with err filled if it is wrong.
 * seen collects the options already given: each may appear once, so that
 * head.S's early look for crash=taskswitch cannot disagree with us. */
static int opt_apply(struct word w, struct guest_config *c, u32 *seen,
		     char *err, size_t errlen)
{
	const char *eq = word_eq(w);
	const struct opt *o = eq ? opt_find(w, (size_t)(eq - w.s)) : NULL;
	size_t n;
	u32 v;
	bool ok;

	if (!o) {
		fmt_snprintf(err, errlen, "unknown option '%.*s'", (int)w.len, w.s);
		return -1;
	}
	if (*seen & BIT(o - opts)) {
		fmt_snprintf(err, errlen, "option '%s' given twice", o->name);
		return -1;
	}
	*seen |= BIT(o - opts);
	eq++;
	n = w.len - (size_t)(eq - w.s);
	if (o->words)
		ok = parse_word(o->words, eq, n, &v);
	else
		ok = parse_u32(eq, n, &v) && v >= o->min && v <= o->max;
	if (!ok) {
		fmt_snprintf(err, errlen, "bad value '%.*s'", (int)w.len, w.s);
		return -1;
	}
	*(u32 *)((char *)c + o->offset) = v;
	return 0;
}

/* Return the next space-separated word at or after *p (len 0 at the end)
 * and advance *p past it. */
static struct word next_word(const char **p)
{
	struct word w;

	while (**p == ' ')
		(*p)++;
	w.s = *p;
	while (**p && **p != ' ')
		(*p)++;
	w.len = (size_t)(*p - w.s);
	return w;
}

int opts_parse(const char *line, struct guest_config *c, char *err,
	       size_t errlen)
{
	const char *p = line;
	struct word w = next_word(&p);
	u32 seen = 0;

	if (w.len && !word_eq(w))	/* the loader's image path */
		w = next_word(&p);
	for (; w.len; w = next_word(&p))
		if (opt_apply(w, c, &seen, err, errlen))
			return -1;
	if (c->apf_vec == VEC_TIMER || c->apf_vec == 0x80 ||
	    c->apf_vec == VEC_TEST_HIGH || c->apf_vec == VEC_SPURIOUS) {
		/* vectors the guest uses for something else */
		fmt_snprintf(err, errlen, "bad value 'apf_vec=%u' (taken: 0x%x "
			     "timer, 0x80 syscall, 0x%x test, 0x%x spurious)",
			     c->apf_vec, VEC_TIMER, VEC_TEST_HIGH, VEC_SPURIOUS);
		return -1;
	}
	if (!c->tasks)
		c->tasks = c->soak ? OPTS_SOAK_TASKS_DEFAULT : OPTS_TASKS_DEFAULT;
	if (!c->pages)
		c->pages = c->soak ? OPTS_SOAK_PAGES_DEFAULT : OPTS_PAGES_DEFAULT;
	if (c->soak && (c->tasks > OPTS_SOAK_TASKS_MAX ||
			c->tasks * c->pages > OPTS_SOAK_PAGES_TOTAL)) {
		/* the controller takes a task; the page tables are fixed */
		fmt_snprintf(err, errlen, "bad value 'tasks=%u pages=%u' with "
			     "soak= (at most %u tasks, %u pages in all)",
			     c->tasks, c->pages, OPTS_SOAK_TASKS_MAX,
			     OPTS_SOAK_PAGES_TOTAL);
		return -1;
	}
	if (c->tick && c->tick < OPTS_TICK_MIN) {
		/* a tick too short to run anything between two of them */
		fmt_snprintf(err, errlen, "bad value 'tick=%u' (0, or %u..%u)",
			     c->tick, OPTS_TICK_MIN, OPTS_TICK_MAX);
		return -1;
	}
	return 0;
}
