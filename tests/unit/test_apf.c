/*
 * tests/unit/test_apf.c - apf/apf.c: the KVM asynchronous-page-fault
 * protocol (Documentation/virt/kvm/x86/msr.rst; the rules gathered in
 * shared/reference/kvm-apf-abi.md). MSR checks, when a fault may go
 * asynchronous, tokens, when "page ready" may be delivered in #PF and in
 * interrupt mode, and the orderings a guest cannot easily force. The
 * guest's RAM is a buffer behind struct apf_ops. Host unit test.
 */
#include <string.h>

#include "env_host.h"
#include "../../apf/apf.h"
#include "../../vmm/abi.h"

#define RAM_SIZE	(64 * KiB)
#define AREA		0x2000ULL	/* the guest's shared area */
#define VEC		0xf3		/* Linux's HYPERVISOR_CALLBACK_VECTOR */
#define GFN_A		0x100
#define GFN_B		0x101
#define EN_PF		(AREA | KVM_ASYNC_PF_ENABLED)
#define EN_INT		(EN_PF | KVM_ASYNC_PF_DELIVERY_AS_INT)
#define WAKE_ALL	KVM_APF_WAKE_ALL_TOKEN
#define TOKEN_LOW_BITS	GENMASK(11, 0)	/* the vCPU id: 0 */
#define TOKEN_ID_LIMIT	BIT(20)

/* The guest's RAM; the shared area is read back from here. */
static u8 ram[RAM_SIZE];
static bool ram_broken;	/* simulate an unreadable, unwritable area */
static struct apf apf;

/* vCPU states at a fault or before an entry. */
static const struct apf_guest_state USER = { .if_set = true, .cpl = 3 };
static const struct apf_guest_state KERNEL = { .if_set = true, .cpl = 0 };
static const struct apf_guest_state IF_OFF = { .cpl = 3 };
static const struct apf_guest_state SHADOW = { .if_set = true,
					       .shadow = true, .cpl = 3 };
static const struct apf_guest_state INJECTING = { .if_set = true,
						  .injecting = true, .cpl = 3 };
static const struct apf_guest_state NOTHING_WORKS = { .injecting = true,
						      .shadow = true };

static bool ram_read(void *ctx, u64 gpa, u32 *val)
{
	(void)ctx;
	if (ram_broken || gpa > RAM_SIZE - sizeof(*val))
		return false;
	memcpy(val, ram + gpa, sizeof(*val));
	return true;
}

static bool ram_write(void *ctx, u64 gpa, u32 val)
{
	(void)ctx;
	if (ram_broken || gpa > RAM_SIZE - sizeof(val))
		return false;
	memcpy(ram + gpa, &val, sizeof(val));
	return true;
}

static const struct apf_ops ops = { ram_read, ram_write, NULL };

/* --- helpers: the guest's side --------------------------------------- */

static u32 area(u32 off)
{
	u32 v;

	memcpy(&v, ram + AREA + off, sizeof(v));
	return v;
}

static void area_set(u32 off, u32 v)
{
	memcpy(ram + AREA + off, &v, sizeof(v));
}

static void guest_clears_flags(void) { area_set(APF_AREA_FLAGS, 0); }

/* The interrupt handler: read the token, write 0, then ACK. */
static void guest_consumes_token(void)
{
	area_set(APF_AREA_TOKEN, 0);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_ACK, 1), 0);
}

static int setup(void **state)
{
	(void)state;
	memset(ram, 0, sizeof(ram));
	ram_broken = false;
	apf_init(&apf, &ops, true, RAM_SIZE);
	return 0;
}

static void assert_no_event(const struct apf_guest_state *gs)
{
	struct apf_event ev;

	assert_false(apf_next_event(&apf, gs, &ev));
}

/* The next event must be a #PF "page ready" for token. */
static void expect_ready_pf(u32 token)
{
	struct apf_event ev;

	assert_true(apf_next_event(&apf, &USER, &ev));
	assert_int_equal(ev.kind, APF_EV_READY_PF);
	assert_int_equal(ev.token, token);
	assert_int_equal(area(APF_AREA_FLAGS), KVM_PV_REASON_PAGE_READY);
}

/* The next event must be the interrupt for token. */
static void expect_ready_int(u32 token)
{
	struct apf_event ev;

	assert_true(apf_next_event(&apf, &IF_OFF, &ev));
	assert_int_equal(ev.kind, APF_EV_READY_INT);
	assert_int_equal(ev.token, token);
	assert_int_equal(ev.vector, VEC);
	assert_int_equal(area(APF_AREA_TOKEN), token);
}

/* Enable #PF mode and let the guest take the wake-all it brings. */
static void enable_pf(u64 en)
{
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, en), 0);
	expect_ready_pf(WAKE_ALL);
	guest_clears_flags();
}

/* Enable interrupt mode (vector first, as Linux does); take the wake-all. */
static void enable_int(void)
{
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_INT, VEC), 0);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, EN_INT), 0);
	expect_ready_int(WAKE_ALL);
	guest_consumes_token();
}

/* A fault that must go asynchronous; the guest handles its #PF. */
static u32 async_fault(u64 gfn)
{
	u32 token = 0;

	assert_int_equal(apf_fault(&apf, gfn, &USER, &token), APF_SYNC_NONE);
	assert_int_equal(area(APF_AREA_FLAGS), KVM_PV_REASON_PAGE_NOT_PRESENT);
	guest_clears_flags();
	return token;
}

static enum apf_sync_reason fault_as(const struct apf_guest_state *gs)
{
	u32 token = 0;

	return apf_fault(&apf, GFN_A, gs, &token);
}

/* --- MSR_KVM_ASYNC_PF_EN ------------------------------------------------ */

static void enable_with_reserved_bit_4_or_5_is_gp(void **state)
{
	(void)state;
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, EN_PF | BIT(4)), -1);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, EN_PF | BIT(5)), -1);
	/* "misaligned" in KVM's words: an address with bits 5:4 set */
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN,
				   (AREA + 0x10) | KVM_ASYNC_PF_ENABLED), -1);
	assert_int_equal(apf.en, 0);
	assert_int_equal(apf_outstanding(&apf), 0);
}

static void enable_with_pf_vmexit_delivery_is_gp(void **state)
{
	(void)state;
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN,
				   EN_PF | KVM_ASYNC_PF_DELIVERY_AS_PF_VMEXIT), -1);
	assert_int_equal(apf.en, 0);
}

static void int_delivery_not_offered_is_gp(void **state)
{
	(void)state;
	apf_init(&apf, &ops, false, RAM_SIZE);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, EN_INT), -1);
	assert_int_equal(apf.en, 0);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, EN_PF), 0);
}

static void area_outside_ram_is_gp(void **state)
{
	(void)state;
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN,
				   RAM_SIZE | KVM_ASYNC_PF_ENABLED), -1);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN,
				   (1ULL << 40) | KVM_ASYNC_PF_ENABLED), -1);
	/* the top 64 bytes of the address space: no wrap-around */
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN,
				   KVM_ASYNC_PF_ADDR_MASK | KVM_ASYNC_PF_ENABLED), -1);
	assert_int_equal(apf.en, 0);
	assert_int_equal(apf_outstanding(&apf), 0);
}

static void area_in_last_64_bytes_of_ram_is_accepted(void **state)
{
	u64 en = (RAM_SIZE - 64) | KVM_ASYNC_PF_ENABLED;

	(void)state;
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, en), 0);
	assert_int_equal(apf.en, en);
}

static void area_straddling_the_end_of_ram_is_gp(void **state)
{
	u64 en = (RAM_SIZE - 64) | KVM_ASYNC_PF_ENABLED;

	(void)state;
	apf_init(&apf, &ops, true, RAM_SIZE - 8);	/* RAM ends mid-area */
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, en), -1);
	assert_int_equal(apf.en, 0);
	en = (RAM_SIZE - 128) | KVM_ASYNC_PF_ENABLED;
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, en), 0);
}

static void disabling_write_needs_no_valid_area(void **state)
{
	u64 en = (1ULL << 40) | KVM_ASYNC_PF_SEND_ALWAYS;

	(void)state;
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, en), 0);
	assert_int_equal(apf.en, en);
	assert_int_equal(apf_outstanding(&apf), 0);	/* no wake-all */
}

static void enabling_write_queues_wake_all(void **state)
{
	(void)state;
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, EN_PF), 0);
	assert_int_equal(apf.st.wakeall, 1);
	assert_int_equal(apf_outstanding(&apf), 1);
	expect_ready_pf(WAKE_ALL);
	assert_int_equal(apf.st.ready_pf, 1);
	assert_int_equal(apf.st.wakeall, 1);	/* counted once, at enable */
	assert_int_equal(apf_outstanding(&apf), 0);
}

static void second_enabling_write_adds_no_second_queued_wake_all(void **state)
{
	(void)state;
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, EN_PF), 0);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN,
				   EN_PF | KVM_ASYNC_PF_SEND_ALWAYS), 0);
	assert_int_equal(apf_outstanding(&apf), 1);
	assert_int_equal(apf.st.wakeall, 1);
	expect_ready_pf(WAKE_ALL);
	guest_clears_flags();
	assert_no_event(&USER);
	/* once delivered, the next enabling write sends another */
	enable_pf(EN_PF);
	assert_int_equal(apf.st.wakeall, 2);
}

static void wake_all_queued_behind_other_readies(void **state)
{
	u32 t;

	(void)state;
	enable_pf(EN_PF);
	t = async_fault(GFN_A);
	apf_page_ready(&apf, GFN_A);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, EN_PF), 0);
	expect_ready_pf(t);
	guest_clears_flags();
	expect_ready_pf(WAKE_ALL);
}

static void rdmsr_returns_accepted_values(void **state)
{
	u64 v = 1;

	(void)state;
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_INT, VEC), 0);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, EN_INT), 0);
	assert_int_equal(apf_rdmsr(&apf, MSR_KVM_ASYNC_PF_EN, &v), 0);
	assert_int_equal(v, EN_INT);
	assert_int_equal(apf_rdmsr(&apf, MSR_KVM_ASYNC_PF_INT, &v), 0);
	assert_int_equal(v, VEC);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_ACK, 1), 0);
	assert_int_equal(apf_rdmsr(&apf, MSR_KVM_ASYNC_PF_ACK, &v), 0);
	assert_int_equal(v, 0);
	/* a rejected write leaves the value */
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, EN_INT | BIT(4)), -1);
	assert_int_equal(apf_rdmsr(&apf, MSR_KVM_ASYNC_PF_EN, &v), 0);
	assert_int_equal(v, EN_INT);
}

static void unknown_msrs_are_not_ours(void **state)
{
	u64 v;

	(void)state;
	assert_true(apf_msr_known(MSR_KVM_ASYNC_PF_EN));
	assert_true(apf_msr_known(MSR_KVM_ASYNC_PF_INT));
	assert_true(apf_msr_known(MSR_KVM_ASYNC_PF_ACK));
	assert_false(apf_msr_known(MSR_KVM_RANGE_FIRST));	/* wall clock */
	assert_false(apf_msr_known(MSR_KVM_ASYNC_PF_EN + 1));	/* steal time */
	assert_false(apf_msr_known(MSR_KVM_RANGE_LAST));
	assert_int_equal(apf_rdmsr(&apf, MSR_KVM_RANGE_FIRST, &v), -1);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_RANGE_FIRST, 0), -1);
}

/* --- MSR_KVM_ASYNC_PF_INT and _ACK ----------------------------------- */

static void int_msr_vector_below_32_and_reserved_bits_are_gp(void **state)
{
	u64 v;

	(void)state;
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_INT, 0), -1);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_INT, 31), -1);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_INT, BIT(8) | VEC), -1);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_INT, BIT(63) | VEC), -1);
	assert_int_equal(apf_rdmsr(&apf, MSR_KVM_ASYNC_PF_INT, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_INT, 32), 0);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_INT, 0xff), 0);
	assert_int_equal(apf_rdmsr(&apf, MSR_KVM_ASYNC_PF_INT, &v), 0);
	assert_int_equal(v, 0xff);
}

static void int_and_ack_msrs_are_gp_when_not_offered(void **state)
{
	u64 v;

	(void)state;
	apf_init(&apf, &ops, false, RAM_SIZE);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_INT, VEC), -1);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_ACK, 1), -1);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_ACK, 0), -1);
	assert_int_equal(apf_rdmsr(&apf, MSR_KVM_ASYNC_PF_INT, &v), -1);
	assert_int_equal(apf_rdmsr(&apf, MSR_KVM_ASYNC_PF_ACK, &v), -1);
	assert_int_equal(apf.st.ack, 0);
}

static void ack_zero_does_nothing_other_bits_are_gp(void **state)
{
	(void)state;
	enable_int();
	assert_int_equal(apf.st.ack, 1);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_ACK, 0), 0);
	assert_int_equal(apf.st.ack, 1);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_ACK, 3), -1);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_ACK, BIT(32)), -1);
	assert_int_equal(apf.st.ack, 1);
}

/* --- apf_fault: go asynchronous, or why not ------------------------------ */

static void not_present_at_cpl3_writes_flags_1_and_returns_a_token(void **state)
{
	u32 token = 0;

	(void)state;
	enable_pf(EN_PF);
	assert_int_equal(apf_fault(&apf, GFN_A, &USER, &token), APF_SYNC_NONE);
	assert_int_equal(area(APF_AREA_FLAGS), KVM_PV_REASON_PAGE_NOT_PRESENT);
	assert_int_not_equal(token, 0);
	assert_int_not_equal(token, WAKE_ALL);
	assert_int_equal(token & TOKEN_LOW_BITS, 0);	/* vCPU 0 */
	assert_int_equal(apf.st.not_present, 1);
	assert_int_equal(apf.st.sync, 0);
	assert_int_equal(apf_outstanding(&apf), 1);
}

static void fault_while_disabled_is_sync(void **state)
{
	(void)state;
	assert_int_equal(fault_as(&USER), APF_SYNC_DISABLED);
	assert_int_equal(area(APF_AREA_FLAGS), 0);
	assert_int_equal(apf.st.sync, 1);
	assert_int_equal(apf_outstanding(&apf), 0);
}

static void cpl0_without_send_always_is_sync(void **state)
{
	(void)state;
	enable_pf(EN_PF);
	assert_int_equal(fault_as(&KERNEL), APF_SYNC_CPL0);
	assert_int_equal(area(APF_AREA_FLAGS), 0);
	assert_int_equal(apf_outstanding(&apf), 0);
}

static void send_always_delivers_at_cpl0(void **state)
{
	(void)state;
	enable_pf(EN_PF | KVM_ASYNC_PF_SEND_ALWAYS);
	assert_int_equal(fault_as(&KERNEL), APF_SYNC_NONE);
	assert_int_equal(area(APF_AREA_FLAGS), KVM_PV_REASON_PAGE_NOT_PRESENT);
}

static void if_off_is_sync(void **state)
{
	(void)state;
	enable_pf(EN_PF);
	assert_int_equal(fault_as(&IF_OFF), APF_SYNC_IF_OFF);
	assert_int_equal(area(APF_AREA_FLAGS), 0);
}

static void shadow_is_sync(void **state)
{
	(void)state;
	enable_pf(EN_PF);
	assert_int_equal(fault_as(&SHADOW), APF_SYNC_SHADOW);
	assert_int_equal(area(APF_AREA_FLAGS), 0);
}

static void injecting_is_sync(void **state)
{
	(void)state;
	enable_pf(EN_PF);
	assert_int_equal(fault_as(&INJECTING), APF_SYNC_INJECTING);
	assert_int_equal(area(APF_AREA_FLAGS), 0);
}

static void sync_reasons_come_in_contract_order(void **state)
{
	(void)state;
	assert_int_equal(fault_as(&NOTHING_WORKS), APF_SYNC_DISABLED);
	enable_pf(EN_PF);
	area_set(APF_AREA_FLAGS, KVM_PV_REASON_PAGE_NOT_PRESENT);
	assert_int_equal(fault_as(&NOTHING_WORKS), APF_SYNC_INJECTING);
	assert_int_equal(fault_as(&(struct apf_guest_state){ .shadow = true }),
			 APF_SYNC_IF_OFF);
	assert_int_equal(fault_as(&(struct apf_guest_state){ .if_set = true,
							     .shadow = true }),
			 APF_SYNC_SHADOW);
	assert_int_equal(fault_as(&KERNEL), APF_SYNC_CPL0);
	assert_int_equal(fault_as(&USER), APF_SYNC_SLOT_BUSY);
	assert_int_equal(apf.st.sync, 6);
	assert_int_equal(apf.st.not_present, 0);
}

static void fault_65_outstanding_is_sync_queue_full(void **state)
{
	(void)state;
	enable_pf(EN_PF);
	for (u64 i = 0; i < APF_MAX_OUTSTANDING; i++)
		async_fault(GFN_A + i);
	assert_int_equal(apf_outstanding(&apf), APF_MAX_OUTSTANDING);
	assert_int_equal(fault_as(&USER), APF_SYNC_QUEUE_FULL);
	assert_int_equal(area(APF_AREA_FLAGS), 0);
	/* a ready event not yet delivered still counts (KVM's queued) */
	apf_page_ready(&apf, GFN_A);
	assert_int_equal(fault_as(&USER), APF_SYNC_QUEUE_FULL);
	assert_true(apf_next_event(&apf, &USER, &(struct apf_event){ 0 }));
	guest_clears_flags();
	assert_int_equal(fault_as(&USER), APF_SYNC_NONE);
}

static void queued_wake_all_counts_as_outstanding(void **state)
{
	(void)state;
	enable_pf(EN_PF);
	for (u64 i = 0; i < APF_MAX_OUTSTANDING - 1; i++)
		async_fault(GFN_A + i);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, EN_PF), 0);
	assert_int_equal(fault_as(&USER), APF_SYNC_QUEUE_FULL);
	/* a full queue plus one wake-all fits the ready ring */
	for (u64 i = 0; i < APF_MAX_OUTSTANDING - 1; i++)
		apf_page_ready(&apf, GFN_A + i);
	assert_int_equal(apf_outstanding(&apf), APF_MAX_OUTSTANDING);
	for (u32 i = 0; i < APF_MAX_OUTSTANDING; i++) {
		assert_true(apf_next_event(&apf, &USER, &(struct apf_event){ 0 }));
		guest_clears_flags();
	}
	assert_int_equal(apf_outstanding(&apf), 0);
}

static void flags_not_cleared_not_present_is_sync_and_ready_waits(void **state)
{
	u32 t, t2 = 0;

	(void)state;
	enable_pf(EN_PF);
	assert_int_equal(apf_fault(&apf, GFN_A, &USER, &t), APF_SYNC_NONE);
	/* the guest has not cleared flags = 1 yet */
	assert_int_equal(apf_fault(&apf, GFN_B, &USER, &t2), APF_SYNC_SLOT_BUSY);
	assert_int_equal(t2, 0);
	apf_page_ready(&apf, GFN_A);
	assert_no_event(&USER);
	assert_int_equal(area(APF_AREA_FLAGS), KVM_PV_REASON_PAGE_NOT_PRESENT);
	guest_clears_flags();
	expect_ready_pf(t);
	/* and flags = 2 not cleared blocks the next not-present too */
	assert_int_equal(fault_as(&USER), APF_SYNC_SLOT_BUSY);
}

static void tokens_unique_and_never_0(void **state)
{
	u32 seen[APF_MAX_OUTSTANDING];

	(void)state;
	enable_pf(EN_PF);
	apf.next_id = TOKEN_ID_LIMIT - APF_MAX_OUTSTANDING / 2;	/* wrap soon */
	for (u32 i = 0; i < APF_MAX_OUTSTANDING; i++) {
		seen[i] = async_fault(GFN_A + i);
		assert_int_not_equal(seen[i], 0);
		assert_int_not_equal(seen[i], WAKE_ALL);
		assert_int_equal(seen[i] & TOKEN_LOW_BITS, 0);
		for (u32 j = 0; j < i; j++)
			assert_int_not_equal(seen[i], seen[j]);
	}
}

static void token_skips_ids_still_in_flight(void **state)
{
	u32 first, second, again;

	(void)state;
	enable_pf(EN_PF);
	apf.next_id = TOKEN_ID_LIMIT - 1;
	first = async_fault(GFN_A);		/* id 0xfffff */
	second = async_fault(GFN_B);		/* id 0 is skipped: id 1 */
	assert_int_equal(first, (TOKEN_ID_LIMIT - 1) << 12);
	assert_int_equal(second, 1 << 12);
	apf_page_ready(&apf, GFN_B);		/* second waits in the ring */
	apf.next_id = TOKEN_ID_LIMIT - 1;	/* the ids come round again */
	again = async_fault(GFN_B + 1);
	assert_int_equal(again, 2 << 12);
}

static void sync_reasons_are_counted(void **state)
{
	(void)state;
	fault_as(&USER);
	enable_pf(EN_PF);
	fault_as(&IF_OFF);
	fault_as(&KERNEL);
	fault_as(&USER);
	assert_int_equal(apf.st.sync, 3);
	assert_int_equal(apf.st.not_present, 1);
}

/* --- "page ready" in #PF mode ------------------------------------------ */

static void ready_pf_writes_flags_2_and_returns_the_token(void **state)
{
	u32 t;

	(void)state;
	enable_pf(EN_PF);
	t = async_fault(GFN_A);
	assert_no_event(&USER);			/* page not there yet */
	apf_page_ready(&apf, GFN_A);
	assert_int_equal(apf_outstanding(&apf), 1);
	expect_ready_pf(t);
	assert_int_equal(apf.st.ready_pf, 2);	/* wake-all, then t */
	assert_int_equal(apf_outstanding(&apf), 0);
	guest_clears_flags();
	assert_no_event(&USER);
}

static void ready_waits_for_if_shadow_and_injection(void **state)
{
	u32 t;

	(void)state;
	enable_pf(EN_PF);
	t = async_fault(GFN_A);
	apf_page_ready(&apf, GFN_A);
	assert_no_event(&IF_OFF);
	assert_no_event(&SHADOW);
	assert_no_event(&INJECTING);
	assert_int_equal(area(APF_AREA_FLAGS), 0);
	expect_ready_pf(t);
}

static void ready_pf_is_delivered_at_cpl0(void **state)
{
	struct apf_event ev;
	u32 t;

	(void)state;
	enable_pf(EN_PF);
	t = async_fault(GFN_A);
	apf_page_ready(&apf, GFN_A);
	assert_true(apf_next_event(&apf, &KERNEL, &ev));
	assert_int_equal(ev.token, t);
}

static void readies_are_delivered_in_completion_order(void **state)
{
	u32 ta, tb;

	(void)state;
	enable_pf(EN_PF);
	ta = async_fault(GFN_A);
	tb = async_fault(GFN_B);
	apf_page_ready(&apf, GFN_B);
	apf_page_ready(&apf, GFN_A);
	expect_ready_pf(tb);
	guest_clears_flags();
	expect_ready_pf(ta);
}

/* A second fault on an in-flight gfn is the caller's to hold (KVM halts
 * the vCPU); if both were recorded, the page readies both tokens. */
static void ready_for_a_page_with_two_faults_readies_both(void **state)
{
	u32 t1, t2;

	(void)state;
	enable_pf(EN_PF);
	t1 = async_fault(GFN_A);
	t2 = async_fault(GFN_A);
	assert_int_not_equal(t1, t2);
	apf_page_ready(&apf, GFN_A);
	assert_int_equal(apf.nfaults, 0);
	expect_ready_pf(t1);
	guest_clears_flags();
	expect_ready_pf(t2);
}

static void ready_for_an_unknown_page_is_ignored(void **state)
{
	(void)state;
	enable_pf(EN_PF);
	async_fault(GFN_A);
	apf_page_ready(&apf, GFN_B);
	apf_page_ready(&apf, GFN_B);
	assert_int_equal(apf_outstanding(&apf), 1);
	assert_no_event(&USER);
}

static void ready_arriving_while_flags_busy_waits(void **state)
{
	u32 ta, tb = 0;

	(void)state;
	enable_pf(EN_PF);
	ta = async_fault(GFN_A);
	assert_int_equal(apf_fault(&apf, GFN_B, &USER, &tb), APF_SYNC_NONE);
	apf_page_ready(&apf, GFN_A);	/* flags = 1 (for tb) still unread */
	assert_no_event(&USER);
	assert_no_event(&USER);
	assert_int_equal(area(APF_AREA_FLAGS), KVM_PV_REASON_PAGE_NOT_PRESENT);
	guest_clears_flags();
	expect_ready_pf(ta);
}

/* --- disabling ------------------------------------------------------- */

static void disable_drops_outstanding_events(void **state)
{
	(void)state;
	enable_pf(EN_PF);
	async_fault(GFN_A);
	async_fault(GFN_B);
	apf_page_ready(&apf, GFN_A);
	assert_int_equal(apf_outstanding(&apf), 2);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, AREA), 0);
	assert_int_equal(apf_outstanding(&apf), 0);
	apf_page_ready(&apf, GFN_B);	/* its fetch ends after the disable */
	assert_int_equal(apf_outstanding(&apf), 0);
	assert_no_event(&USER);
	assert_int_equal(area(APF_AREA_FLAGS), 0);
	assert_int_equal(fault_as(&USER), APF_SYNC_DISABLED);
}

static void disable_and_reenable_with_ready_queued_sends_only_wake_all(void **state)
{
	(void)state;
	enable_pf(EN_PF);
	async_fault(GFN_A);
	apf_page_ready(&apf, GFN_A);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, 0), 0);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, EN_PF), 0);
	assert_int_equal(apf_outstanding(&apf), 1);
	expect_ready_pf(WAKE_ALL);
	guest_clears_flags();
	assert_no_event(&USER);
	assert_int_equal(apf.st.wakeall, 2);
}

static void disable_clears_await_ack(void **state)
{
	u32 t;

	(void)state;
	enable_int();
	t = async_fault(GFN_A);
	apf_page_ready(&apf, GFN_A);
	expect_ready_int(t);
	area_set(APF_AREA_TOKEN, 0);		/* consumed, never ACKed */
	assert_true(apf.await_ack);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, 0), 0);
	assert_false(apf.await_ack);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, EN_INT), 0);
	expect_ready_int(WAKE_ALL);
}

/* --- "page ready" in interrupt mode ---------------------------------- */

static void interrupt_mode_next_ready_held_until_token_0_and_ack(void **state)
{
	u32 ta, tb, tc;

	(void)state;
	enable_int();
	ta = async_fault(GFN_A);
	tb = async_fault(GFN_B);
	tc = async_fault(GFN_B + 1);
	apf_page_ready(&apf, GFN_A);
	apf_page_ready(&apf, GFN_B);
	apf_page_ready(&apf, GFN_B + 1);
	expect_ready_int(ta);
	assert_int_equal(area(APF_AREA_FLAGS), 0);	/* flags untouched */
	/* token read but still set, not ACKed */
	assert_no_event(&USER);
	/* ACKed but the token slot not cleared */
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_ACK, 1), 0);
	assert_no_event(&USER);
	assert_int_equal(area(APF_AREA_TOKEN), ta);
	area_set(APF_AREA_TOKEN, 0);
	expect_ready_int(tb);
	/* token cleared but not ACKed */
	area_set(APF_AREA_TOKEN, 0);
	assert_no_event(&USER);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_ACK, 1), 0);
	expect_ready_int(tc);
	assert_int_equal(apf.st.ready_int, 4);	/* wake-all, ta, tb, tc */
	assert_int_equal(apf.st.ready_pf, 0);
	assert_int_equal(apf.st.ack, 3);
}

static void interrupt_mode_ready_ignores_if_and_shadow(void **state)
{
	struct apf_event ev;

	(void)state;
	enable_int();
	async_fault(GFN_A);
	apf_page_ready(&apf, GFN_A);
	assert_true(apf_next_event(&apf, &NOTHING_WORKS, &ev));
	assert_int_equal(ev.kind, APF_EV_READY_INT);
}

static void interrupt_mode_not_present_is_still_a_pf_with_flags_1(void **state)
{
	u32 t = 0;

	(void)state;
	enable_int();
	assert_int_equal(apf_fault(&apf, GFN_A, &USER, &t), APF_SYNC_NONE);
	assert_int_equal(area(APF_AREA_FLAGS), KVM_PV_REASON_PAGE_NOT_PRESENT);
	assert_int_equal(area(APF_AREA_TOKEN), 0);
	/* a busy token slot does not block a not-present */
	guest_clears_flags();
	apf_page_ready(&apf, GFN_A);
	expect_ready_int(t);
	assert_int_equal(fault_as(&USER), APF_SYNC_NONE);
}

static void interrupt_mode_ready_not_blocked_by_flags(void **state)
{
	u32 t;

	(void)state;
	enable_int();
	t = async_fault(GFN_A);
	area_set(APF_AREA_FLAGS, KVM_PV_REASON_PAGE_NOT_PRESENT);
	apf_page_ready(&apf, GFN_A);
	expect_ready_int(t);
}

/* Linux writes the vector first; a guest that enables first gets its
 * events once the vector is there, never vector 0. */
static void interrupt_mode_ready_waits_for_a_vector(void **state)
{
	(void)state;
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, EN_INT), 0);
	assert_no_event(&USER);
	assert_int_equal(area(APF_AREA_TOKEN), 0);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_INT, VEC), 0);
	expect_ready_int(WAKE_ALL);
}

/* --- defensive paths --------------------------------------------------- */

static void unreadable_area_gives_no_event_and_sync_faults(void **state)
{
	u32 t = 0;

	(void)state;
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, EN_PF), 0);
	ram_broken = true;
	assert_no_event(&USER);
	assert_int_equal(apf_fault(&apf, GFN_A, &USER, &t), APF_SYNC_SLOT_BUSY);
	assert_int_equal(apf_outstanding(&apf), 1);	/* wake-all kept */
	ram_broken = false;
	expect_ready_pf(WAKE_ALL);
}

static void outstanding_counts_faults_and_queued_readies(void **state)
{
	(void)state;
	enable_pf(EN_PF);
	async_fault(GFN_A);
	async_fault(GFN_B);
	assert_int_equal(apf_outstanding(&apf), 2);
	apf_page_ready(&apf, GFN_A);
	assert_int_equal(apf_outstanding(&apf), 2);
	assert_true(apf_next_event(&apf, &USER, &(struct apf_event){ 0 }));
	assert_int_equal(apf_outstanding(&apf), 1);
}

/* --- the error extension (EN bit 4, ready_flags) ------------------------ */

#define EN_PF_ERR	(EN_PF | APFV_ASYNC_PF_SEND_ERROR)
#define EN_INT_ERR	(EN_INT | APFV_ASYNC_PF_SEND_ERROR)
#define SENTINEL	0xa5a5a5a5u	/* what a guest left at offset 8 */
#define MAX_WRITES	16

/* Writes to the shared area, in order, to check what is visible first. */
static struct { u32 off, val; } writes[MAX_WRITES];
static u32 nwrites;

static bool logged_write(void *ctx, u64 gpa, u32 val)
{
	if (nwrites < MAX_WRITES && gpa >= AREA)
		writes[nwrites++] = (typeof(writes[0])){ (u32)(gpa - AREA), val };
	return ram_write(ctx, gpa, val);
}

static const struct apf_ops logged_ops = { ram_read, logged_write, NULL };

/* A vCPU whose CPUID advertises the error extension; writes are logged. */
static int setup_errors(void **state)
{
	setup(state);
	apf_init(&apf, &logged_ops, true, RAM_SIZE);
	apf.offer_errors = true;
	nwrites = 0;
	return 0;
}

static void expect_writes(u32 n, u32 off0, u32 val0, u32 off1, u32 val1)
{
	assert_int_equal(nwrites, n);
	assert_int_equal(writes[0].off, off0);
	assert_int_equal(writes[0].val, val0);
	assert_int_equal(writes[1].off, off1);
	assert_int_equal(writes[1].val, val1);
}

/* The guest's handler clears the reason and ready_flags together. */
static void guest_clears_flags_and_ready_flags(void)
{
	guest_clears_flags();
	area_set(APFV_AREA_READY_FLAGS, 0);
}

/* A fault on GFN_A whose fetch then fails; returns its token. */
static u32 failed_fault(void)
{
	u32 t = async_fault(GFN_A);

	assert_true(apf_page_failed(&apf, GFN_A));
	assert_int_equal(apf_outstanding(&apf), 1);
	nwrites = 0;
	return t;
}

static void send_error_bit_4_is_gp_when_not_offered(void **state)
{
	(void)state;
	assert_false(apf.offer_errors);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, EN_PF_ERR), -1);
	assert_int_equal(apf.en, 0);
	assert_false(apf_reports_errors(&apf));
	assert_int_equal(apf_outstanding(&apf), 0);
}

static void send_error_bit_4_is_accepted_when_offered(void **state)
{
	(void)state;
	assert_false(apf_reports_errors(&apf));
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, EN_PF), 0);
	assert_false(apf_reports_errors(&apf));		/* not opted in */
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, EN_PF_ERR), 0);
	assert_int_equal(apf.en, EN_PF_ERR);
	assert_true(apf_reports_errors(&apf));
	/* bit 5 stays reserved */
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN,
				   EN_PF_ERR | BIT(5)), -1);
	assert_int_equal(apf.en, EN_PF_ERR);
}

static void failed_page_ready_pf_writes_ready_flags_error_before_flags_2(void **state)
{
	struct apf_event ev;
	u32 t;

	(void)state;
	enable_pf(EN_PF_ERR);
	guest_clears_flags_and_ready_flags();
	t = failed_fault();
	assert_true(apf_next_event(&apf, &USER, &ev));
	assert_int_equal(ev.kind, APF_EV_READY_PF);
	assert_int_equal(ev.token, t);
	assert_true(ev.error);
	expect_writes(2, APFV_AREA_READY_FLAGS, APFV_READY_ERROR,
		      APF_AREA_FLAGS, KVM_PV_REASON_PAGE_READY);
	assert_int_equal(area(APFV_AREA_READY_FLAGS), APFV_READY_ERROR);
	assert_int_equal(area(APF_AREA_FLAGS), KVM_PV_REASON_PAGE_READY);
	assert_int_equal(apf.st.errors_async, 1);
	assert_int_equal(apf.st.ready_pf, 2);	/* wake-all, then t */
	assert_int_equal(apf_outstanding(&apf), 0);
}

static void ready_after_a_failed_one_writes_ready_flags_0(void **state)
{
	struct apf_event ev;
	u32 t;

	(void)state;
	enable_pf(EN_PF_ERR);
	failed_fault();
	assert_true(apf_next_event(&apf, &USER, &ev));
	guest_clears_flags();	/* ready_flags left at APFV_READY_ERROR */
	t = async_fault(GFN_B);
	apf_page_ready(&apf, GFN_B);
	nwrites = 0;
	assert_true(apf_next_event(&apf, &USER, &ev));
	assert_int_equal(ev.token, t);
	assert_false(ev.error);
	expect_writes(2, APFV_AREA_READY_FLAGS, 0,
		      APF_AREA_FLAGS, KVM_PV_REASON_PAGE_READY);
	assert_int_equal(area(APFV_AREA_READY_FLAGS), 0);
	assert_int_equal(apf.st.errors_async, 1);
}

static void wake_all_with_errors_on_writes_ready_flags_0(void **state)
{
	struct apf_event ev;

	(void)state;
	area_set(APFV_AREA_READY_FLAGS, SENTINEL);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, EN_PF_ERR), 0);
	assert_true(apf_next_event(&apf, &USER, &ev));
	assert_int_equal(ev.token, WAKE_ALL);
	assert_false(ev.error);
	expect_writes(2, APFV_AREA_READY_FLAGS, 0,
		      APF_AREA_FLAGS, KVM_PV_REASON_PAGE_READY);
	assert_int_equal(apf.st.errors_async, 0);
}

static void interrupt_mode_writes_ready_flags_before_the_token(void **state)
{
	struct apf_event ev;
	u32 t;

	(void)state;
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_INT, VEC), 0);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, EN_INT_ERR), 0);
	expect_ready_int(WAKE_ALL);
	guest_consumes_token();
	t = failed_fault();
	assert_true(apf_next_event(&apf, &IF_OFF, &ev));
	assert_int_equal(ev.kind, APF_EV_READY_INT);
	assert_int_equal(ev.token, t);
	assert_true(ev.error);
	expect_writes(2, APFV_AREA_READY_FLAGS, APFV_READY_ERROR,
		      APF_AREA_TOKEN, t);
	assert_int_equal(area(APF_AREA_FLAGS), 0);
	assert_int_equal(apf.st.errors_async, 1);
	/* the next, successful one clears it, again before the token */
	guest_consumes_token();
	t = async_fault(GFN_B);
	apf_page_ready(&apf, GFN_B);
	nwrites = 0;
	assert_true(apf_next_event(&apf, &IF_OFF, &ev));
	assert_false(ev.error);
	expect_writes(2, APFV_AREA_READY_FLAGS, 0, APF_AREA_TOKEN, t);
}

/* Found by the soak: an error "ready" posted by vector, then a re-enable
 * in #PF mode; the next #PF-mode "ready" must wait until the guest is
 * done with the posted one, or it would overwrite its ready_flags. */
static void error_ready_survives_a_switch_to_pf_mode(void **state)
{
	struct apf_event ev;
	u32 t, t2;

	(void)state;
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_INT, VEC), 0);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, EN_INT_ERR), 0);
	expect_ready_int(WAKE_ALL);
	guest_consumes_token();
	t = failed_fault();
	t2 = async_fault(GFN_B);
	assert_true(apf_next_event(&apf, &IF_OFF, &ev));	/* posted, not taken */
	assert_int_equal(ev.token, t);
	assert_int_equal(area(APFV_AREA_READY_FLAGS), APFV_READY_ERROR);
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, EN_PF_ERR), 0);
	apf_page_ready(&apf, GFN_B);
	assert_false(apf_next_event(&apf, &USER, &ev));	/* held */
	assert_int_equal(area(APFV_AREA_READY_FLAGS), APFV_READY_ERROR);
	guest_consumes_token();			/* the vector is handled */
	area_set(APFV_AREA_READY_FLAGS, 0);
	assert_true(apf_next_event(&apf, &USER, &ev));
	assert_int_equal(ev.kind, APF_EV_READY_PF);
	assert_true(ev.token == t2 || ev.token == WAKE_ALL);
	assert_false(ev.error);
}

static void not_opted_in_error_ready_writes_nothing_at_offset_8(void **state)
{
	struct apf_event ev;
	u32 t;

	(void)state;
	area_set(APFV_AREA_READY_FLAGS, SENTINEL);
	enable_pf(EN_PF);			/* a plain KVM guest */
	t = failed_fault();
	assert_true(apf_next_event(&apf, &USER, &ev));
	assert_int_equal(ev.token, t);
	assert_true(ev.error);			/* the caller still knows */
	assert_int_equal(nwrites, 1);
	assert_int_equal(writes[0].off, APF_AREA_FLAGS);
	assert_int_equal(area(APFV_AREA_READY_FLAGS), SENTINEL);
	assert_int_equal(apf.st.errors_async, 0);
	for (u32 i = 0; i < nwrites; i++)
		assert_int_not_equal(writes[i].off, APFV_AREA_READY_FLAGS);
}

static void page_failed_is_false_when_no_async_fault_waits(void **state)
{
	u32 t;

	(void)state;
	assert_false(apf_page_failed(&apf, GFN_A));	/* APF off */
	enable_pf(EN_PF_ERR);
	t = async_fault(GFN_A);
	assert_false(apf_page_failed(&apf, GFN_B));
	assert_int_equal(apf_outstanding(&apf), 1);
	assert_no_event(&USER);
	apf_page_ready(&apf, GFN_A);
	assert_false(apf_page_failed(&apf, GFN_A));	/* already readied */
	assert_int_equal(apf_outstanding(&apf), 1);
	expect_ready_pf(t);
	assert_int_equal(apf.st.errors_async, 0);
}

static void disable_drops_a_queued_error_ready(void **state)
{
	struct apf_event ev;

	(void)state;
	enable_pf(EN_PF_ERR);
	failed_fault();
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, AREA), 0);
	assert_int_equal(apf_outstanding(&apf), 0);
	assert_no_event(&USER);
	assert_int_equal(nwrites, 0);
	/* re-enabling brings only the wake-all, and it is not an error */
	assert_int_equal(apf_wrmsr(&apf, MSR_KVM_ASYNC_PF_EN, EN_PF_ERR), 0);
	assert_true(apf_next_event(&apf, &USER, &ev));
	assert_int_equal(ev.token, WAKE_ALL);
	assert_false(ev.error);
	assert_int_equal(area(APFV_AREA_READY_FLAGS), 0);
	guest_clears_flags();
	assert_no_event(&USER);
	assert_int_equal(apf.st.errors_async, 0);
}

#define T(fn) cmocka_unit_test_setup(fn, setup)
#define TE(fn) cmocka_unit_test_setup(fn, setup_errors)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(enable_with_reserved_bit_4_or_5_is_gp),
		T(enable_with_pf_vmexit_delivery_is_gp),
		T(int_delivery_not_offered_is_gp),
		T(area_outside_ram_is_gp),
		T(area_in_last_64_bytes_of_ram_is_accepted),
		T(area_straddling_the_end_of_ram_is_gp),
		T(disabling_write_needs_no_valid_area),
		T(enabling_write_queues_wake_all),
		T(second_enabling_write_adds_no_second_queued_wake_all),
		T(wake_all_queued_behind_other_readies),
		T(rdmsr_returns_accepted_values),
		T(unknown_msrs_are_not_ours),
		T(int_msr_vector_below_32_and_reserved_bits_are_gp),
		T(int_and_ack_msrs_are_gp_when_not_offered),
		T(ack_zero_does_nothing_other_bits_are_gp),
		T(not_present_at_cpl3_writes_flags_1_and_returns_a_token),
		T(fault_while_disabled_is_sync),
		T(cpl0_without_send_always_is_sync),
		T(send_always_delivers_at_cpl0),
		T(if_off_is_sync),
		T(shadow_is_sync),
		T(injecting_is_sync),
		T(sync_reasons_come_in_contract_order),
		T(fault_65_outstanding_is_sync_queue_full),
		T(queued_wake_all_counts_as_outstanding),
		T(flags_not_cleared_not_present_is_sync_and_ready_waits),
		T(tokens_unique_and_never_0),
		T(token_skips_ids_still_in_flight),
		T(sync_reasons_are_counted),
		T(ready_pf_writes_flags_2_and_returns_the_token),
		T(ready_waits_for_if_shadow_and_injection),
		T(ready_pf_is_delivered_at_cpl0),
		T(readies_are_delivered_in_completion_order),
		T(ready_for_a_page_with_two_faults_readies_both),
		T(ready_for_an_unknown_page_is_ignored),
		T(ready_arriving_while_flags_busy_waits),
		T(disable_drops_outstanding_events),
		T(disable_and_reenable_with_ready_queued_sends_only_wake_all),
		T(disable_clears_await_ack),
		T(interrupt_mode_next_ready_held_until_token_0_and_ack),
		T(interrupt_mode_ready_ignores_if_and_shadow),
		T(interrupt_mode_not_present_is_still_a_pf_with_flags_1),
		T(interrupt_mode_ready_not_blocked_by_flags),
		T(interrupt_mode_ready_waits_for_a_vector),
		T(unreadable_area_gives_no_event_and_sync_faults),
		T(outstanding_counts_faults_and_queued_readies),
		T(send_error_bit_4_is_gp_when_not_offered),
		TE(send_error_bit_4_is_accepted_when_offered),
		TE(failed_page_ready_pf_writes_ready_flags_error_before_flags_2),
		TE(ready_after_a_failed_one_writes_ready_flags_0),
		TE(wake_all_with_errors_on_writes_ready_flags_0),
		TE(interrupt_mode_writes_ready_flags_before_the_token),
		TE(error_ready_survives_a_switch_to_pf_mode),
		TE(not_opted_in_error_ready_writes_nothing_at_offset_8),
		TE(page_failed_is_false_when_no_async_fault_waits),
		TE(disable_drops_a_queued_error_ready),
	};

	return UNIT_RUN("apf", tests);
}
