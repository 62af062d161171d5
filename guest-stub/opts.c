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
	NULL,
};

static const char *const apf_words[] = {
	[APF_MODE_OFF] = "off",
	[APF_MODE_PF] = "pf",
	[APF_MODE_INT] = "int",
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
		.apf = APF_MODE_PF,
		.tasks = 4,
		.pages = 16,
		.work = OPTS_WORK_DEFAULT,
		.send_always = 0,
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

/* Parse the decimal number v (n chars) into *out; false if malformed or
 * beyond u32. */
static bool parse_u32(const char *v, size_t n, u32 *out)
{
	u64 x = 0;

	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		x = x * 10 + (u64)(v[i] - '0');
		if (x > 0xffffffffu)
			return false;
	}
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
	return 0;
}
