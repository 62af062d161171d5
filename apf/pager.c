/*
 * apf/pager.c - simulated slow backing store (see apf/pager.h).
 *
 * Pure and deterministic: which pages are slow and every latency come from
 * a seeded xorshift generator and a hash of the page number, so the same
 * command line gives the same run.
 */
#include "pager.h"
#include "../vmm/abi.h"

#define PAGER_FILLED	0x80u	/* page got its first contents */
#define PAGER_STATE	0x7fu
#define PCT_ALL		100u

static u64 rng_next(struct pager *p)
{
	p->rng ^= p->rng << 13;
	p->rng ^= p->rng >> 7;
	p->rng ^= p->rng << 17;
	return p->rng;
}

u64 pager_storage_size(const struct pager_config *cfg)
{
	u64 n = (cfg->slow_end - cfg->slow_start) >> PAGE_SHIFT;

	return ALIGN_UP(n, 8) + n * sizeof(u64);
}

static bool picked_slow(const struct pager_config *cfg, u64 gfn)
{
	return cfg->slow_pct >= PCT_ALL ||
	       apfv_mix64(gfn ^ cfg->seed) % PCT_ALL < cfg->slow_pct;
}

void pager_init(struct pager *p, const struct pager_config *cfg, void *storage)
{
	*p = (struct pager){ .cfg = *cfg };
	p->first_gfn = cfg->slow_start >> PAGE_SHIFT;
	p->npages = (cfg->slow_end - cfg->slow_start) >> PAGE_SHIFT;
	p->state = storage;
	p->fifo = (u64 *)((u8 *)storage + ALIGN_UP(p->npages, 8));
	p->rng = apfv_mix64(cfg->seed) | 1;
	for (u64 i = 0; i < p->npages; i++)
		p->state[i] = picked_slow(cfg, p->first_gfn + i) ? PAGER_ABSENT
								 : PAGER_NOT_SLOW;
}

static u8 *slot(const struct pager *p, u64 gfn)
{
	if (gfn < p->first_gfn || gfn - p->first_gfn >= p->npages)
		return NULL;
	return &p->state[gfn - p->first_gfn];
}

enum pager_state pager_state(const struct pager *p, u64 gfn)
{
	u8 *s = slot(p, gfn);

	return s ? (enum pager_state)(*s & PAGER_STATE) : PAGER_NOT_SLOW;
}

static u64 latency(struct pager *p)
{
	u64 lo = p->cfg.lat_min, hi = p->cfg.lat_max;

	if (hi <= lo)
		return lo;
	return lo + rng_next(p) % (hi - lo + 1);
}

u64 pager_start(struct pager *p, u64 gfn, u64 now)
{
	u8 *s = slot(p, gfn);
	u64 deadline;

	if (!s || (*s & PAGER_STATE) != PAGER_ABSENT ||
	    p->nfetch >= p->cfg.max_fetches)
		return 0;
	deadline = now + latency(p);
	if (!deadline)
		deadline = 1;
	*s = (u8)((*s & PAGER_FILLED) | PAGER_FETCHING);
	p->fetch[p->nfetch++] = (struct pager_fetch){ gfn, deadline, 0 };
	p->fetches++;
	return deadline;
}

u64 pager_next_deadline(const struct pager *p)
{
	u64 d = ~0ULL;

	for (u32 i = 0; i < p->nfetch; i++)
		d = MIN(d, p->fetch[i].deadline);
	return d;
}

/* Index of the earliest fetch due at now, or -1. */
static int due_fetch(const struct pager *p, u64 now)
{
	int best = -1;

	for (u32 i = 0; i < p->nfetch; i++)
		if (p->fetch[i].deadline <= now &&
		    (best < 0 || p->fetch[i].deadline < p->fetch[best].deadline))
			best = (int)i;
	return best;
}

/* Does this attempt at gfn fail? Pages in [fail_start, fail_end) always
 * do; others fail transiently with probability fail_pct (seeded). */
static bool attempt_fails(struct pager *p, u64 gfn, bool *permanent)
{
	u64 gpa = gfn << PAGE_SHIFT;

	*permanent = gpa >= p->cfg.fail_start && gpa < p->cfg.fail_end;
	if (*permanent)
		return true;
	return p->cfg.fail_pct && rng_next(p) % PCT_ALL < p->cfg.fail_pct;
}

/* The attempt in slot i failed transiently: try again if allowed. */
static bool retry(struct pager *p, int i, u64 now)
{
	struct pager_fetch *f = &p->fetch[i];

	if (f->tries > p->cfg.retries)
		return false;
	f->deadline = now + latency(p);
	p->retries++;
	return true;
}

static void arrived(struct pager *p, u64 gfn, bool *fill)
{
	u8 *s = slot(p, gfn);

	*fill = !(*s & PAGER_FILLED);
	*s = PAGER_FILLED | PAGER_PRESENT;
	p->fifo[(p->fifo_head + p->fifo_count++) % p->npages] = gfn;
}

bool pager_complete(struct pager *p, u64 now, u64 *gfn, bool *fill,
		    enum pager_outcome *out)
{
	bool permanent;
	u8 *s;
	int i;

	while ((i = due_fetch(p, now)) >= 0) {
		*gfn = p->fetch[i].gfn;
		if (attempt_fails(p, *gfn, &permanent)) {
			p->errors_injected++;
			p->fetch[i].tries++;
			if (!permanent && retry(p, i, now))
				continue;
			p->fetch[i] = p->fetch[--p->nfetch];
			s = slot(p, *gfn);
			*s = (u8)((*s & PAGER_FILLED) | PAGER_FAILED);
			*out = PAGER_ERROR;
			*fill = false;
			return true;
		}
		p->fetch[i] = p->fetch[--p->nfetch];
		arrived(p, *gfn, fill);
		*out = PAGER_OK;
		return true;
	}
	return false;
}

bool pager_take_fill(struct pager *p, u64 gfn)
{
	u8 *s = slot(p, gfn);

	if (!s || (*s & PAGER_STATE) == PAGER_NOT_SLOW || (*s & PAGER_FILLED))
		return false;
	*s |= PAGER_FILLED;
	return true;
}

void pager_failure_reported(struct pager *p, u64 gfn)
{
	u8 *s = slot(p, gfn);

	if (s && (*s & PAGER_STATE) == PAGER_FAILED)
		*s = (u8)((*s & PAGER_FILLED) | PAGER_ABSENT);
}

bool pager_evict(struct pager *p, u64 *gfn)
{
	if (!p->cfg.resident_max || p->fifo_count <= p->cfg.resident_max)
		return false;
	*gfn = p->fifo[p->fifo_head];
	p->fifo_head = (p->fifo_head + 1) % p->npages;
	p->fifo_count--;
	*slot(p, *gfn) = PAGER_FILLED | PAGER_ABSENT;
	p->evictions++;
	return true;
}
