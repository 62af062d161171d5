/*
 * vmm/stats.c - counters and the final `STATS:` line.
 *
 * Environment: VMX root, IF=0. Keys: docs/stats.md.
 */
#include "stats.h"
#include "console.h"
#include "../vmx/exit_reason.h"
#include "../lib/fmt.h"

u64 stats[ST_COUNT];
void (*stats_collect_hook)(void);
static u64 exit_counts[EXIT_REASON_MAX + 1];

static const char *const stat_keys[ST_COUNT] = {
#define STAT_KEY(id, key) [ST_##id] = key,
	STATS_LIST(STAT_KEY)
#undef STAT_KEY
};

void stats_count_exit(u32 reason)
{
	stats[ST_EXITS]++;
	/* Reasons without a stable key are counted as exit.other. */
	exit_counts[exit_reason_stat_key(reason) ? reason : EXIT_REASON_MAX]++;
}

/* Append " key=value" to the line buffer. */
static void put_kv(char *line, size_t size, size_t *len, const char *key,
		   const char *prefix, s64 v)
{
	if (*len < size)
		*len += fmt_snprintf(line + *len, size - *len, " %s%s=%lld",
				     prefix, key, (long long)v);
}

void stats_print(s64 guest_exit_code, bool panicked)
{
	char line[2048];
	size_t len = fmt_snprintf(line, sizeof(line), "STATS:");
	u32 r;

	if (stats_collect_hook)
		stats_collect_hook();
	for (u32 i = 0; i < ST_COUNT; i++)
		put_kv(line, sizeof(line), &len, stat_keys[i], "", (s64)stats[i]);
	for (r = 0; r < EXIT_REASON_MAX; r++)
		if (exit_reason_stat_key(r))
			put_kv(line, sizeof(line), &len, exit_reason_stat_key(r),
			       "exit.", (s64)exit_counts[r]);
	put_kv(line, sizeof(line), &len, "other", "exit.",
	       (s64)exit_counts[EXIT_REASON_MAX]);
	put_kv(line, sizeof(line), &len, "guest.exit_code", "", guest_exit_code);
	put_kv(line, sizeof(line), &len, "vmm.panic", "", panicked);
	con_puts(line);	/* longer than con_printf's buffer */
	con_puts("\n");
}
