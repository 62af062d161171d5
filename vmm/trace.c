/*
 * vmm/trace.c - the event ring (see vmm/trace.h).
 * Environment: VMX root, IF=0.
 */
#include "trace.h"
#include "console.h"
#include "cpu.h"
#include "palloc.h"
#include "vmm.h"

bool trace_on;
static struct trace_rec *ring;
static u64 ring_size, ring_next;

static const char *const names[TR_COUNT] = {
#define TRACE_NAME(id, name) [TR_##id] = name,
	TRACE_EVENTS(TRACE_NAME)
#undef TRACE_NAME
};

void trace_start(u64 records)
{
	u64 pages = ALIGN_UP(records * sizeof(struct trace_rec), PAGE_SIZE) /
		    PAGE_SIZE;

	ring = palloc_contig(pages, PAGE_SIZE);
	if (!ring)
		vmm_fail("trace: no host memory for %llu records",
			 (unsigned long long)records);
	ring_size = records;
	trace_on = true;
}

void trace_record(enum trace_event ev, u32 a, u64 b)
{
	ring[ring_next++ % ring_size] = (struct trace_rec){ cpu_rdtsc(), ev, a, b };
}

void trace_dump(void)
{
	u64 n = MIN(ring_next, ring_size);

	if (!trace_on)
		return;
	con_printf("trace: %llu events recorded, %llu kept\n",
		   (unsigned long long)ring_next, (unsigned long long)n);
	for (u64 i = ring_next - n; i < ring_next; i++) {
		const struct trace_rec *r = &ring[i % ring_size];

		con_debug_printf("TRACE: %llu %s %u 0x%llx\n",
				 (unsigned long long)r->tsc, names[r->event],
				 r->a, (unsigned long long)r->b);
	}
}
