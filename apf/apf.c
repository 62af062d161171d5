/*
 * apf/apf.c - the asynchronous-page-fault protocol of one vCPU as a pure
 * state machine: the guest's APF MSRs, the tokens of faults in flight, the
 * queue of "page ready" events, and when each may be delivered.
 *
 * Follows KVM's ABI so that unmodified KVM guests use it: Linux
 * Documentation/virt/kvm/x86/msr.rst (MSR_KVM_ASYNC_PF_EN/_INT/_ACK) and
 * cpuid.rst, with the host rules of arch/x86/kvm/x86.c and
 * virt/kvm/async_pf.c (shared/reference/kvm-apf-abi.md gathers them). One
 * rule from the review that introduced interrupt delivery is kept for both
 * kinds of event: never overwrite a slot of the shared area the guest has
 * not cleared yet.
 *
 * Both "page ready" deliveries are served: interrupt (EN bit 3, Linux 5.8+)
 * with the token at offset 4, and the legacy #PF with flags = 2 for guests
 * before 5.8. "Page not present" is always a #PF with flags = 1.
 *
 * Environment: pure; touches the guest only through struct apf_ops. Runs
 * in VMX root with IF=0, and hosted in unit tests.
 */
#include "apf.h"
#include "../vmm/abi.h"

#define APF_AREA_SIZE		sizeof(struct kvm_vcpu_pv_apf_data)
/* A token is KVM's (id << 12) | vcpu_id; id wraps at 20 bits. */
#define APF_TOKEN_ID_SHIFT	12
#define APF_TOKEN_ID_MASK	GENMASK(19, 0)
#define APF_VCPU_ID		0	/* apfvisor runs one vCPU */
/* Vectors 0-31 are the CPU's exceptions, not interrupts. */
#define APF_FIRST_INT_VECTOR	32
/* MSR_KVM_ASYNC_PF_ACK: bit 0 = "the token has been consumed". */
#define APF_ACK_CONSUMED	BIT(0)
#define APF_READY_SLOTS		ARRAY_SIZE(((struct apf *)0)->ready)

/* --- the shared area ----------------------------------------------- */

static bool apf_enabled(const struct apf *a)
{
	return a->en & KVM_ASYNC_PF_ENABLED;
}

static bool apf_int_mode(const struct apf *a)
{
	return a->en & KVM_ASYNC_PF_DELIVERY_AS_INT;
}

static bool area_read(const struct apf *a, u32 off, u32 *val)
{
	u64 gpa = (a->en & KVM_ASYNC_PF_ADDR_MASK) + off;

	return a->ops.read_u32(a->ops.ctx, gpa, val);
}

static bool area_write(const struct apf *a, u32 off, u32 val)
{
	u64 gpa = (a->en & KVM_ASYNC_PF_ADDR_MASK) + off;

	return a->ops.write_u32(a->ops.ctx, gpa, val);
}

/* Is the slot at off readable and cleared by the guest (0)? */
static bool area_slot_free(const struct apf *a, u32 off)
{
	u32 v;

	return area_read(a, off, &v) && v == 0;
}

/* Does the whole 64-byte area at gpa lie in guest RAM? */
static bool area_in_ram(const struct apf *a, u64 gpa)
{
	return gpa < a->ram_size && a->ram_size - gpa >= APF_AREA_SIZE;
}

/* --- the "page ready" ring ----------------------------------------- */

static u32 ready_at(const struct apf *a, u32 i)
{
	return a->ready[(a->rhead + i) % APF_READY_SLOTS];
}

/* Queue token; the queue-full rule in apf_fault() keeps room for it. */
static void ready_push(struct apf *a, u32 token, bool error)
{
	u32 i = (a->rhead + a->rcount) % APF_READY_SLOTS;

	if (a->rcount == APF_READY_SLOTS)
		return;	/* cannot happen: outstanding <= APF_MAX_OUTSTANDING + 1 */
	a->ready[i] = token;
	a->ready_err[i] = error;
	a->rcount++;
}

static u32 ready_pop(struct apf *a, bool *error)
{
	u32 token = a->ready[a->rhead];

	*error = a->ready_err[a->rhead];
	a->rhead = (a->rhead + 1) % APF_READY_SLOTS;
	a->rcount--;
	return token;
}

static bool ready_holds(const struct apf *a, u32 token)
{
	for (u32 i = 0; i < a->rcount; i++)
		if (ready_at(a, i) == token)
			return true;
	return false;
}

/* --- faults in flight and their tokens ----------------------------- */

static bool token_in_use(const struct apf *a, u32 token)
{
	u32 slot;

	for (u32 i = 0; i < APF_MAX_OUTSTANDING; i++)
		if (a->faults[i].used && a->faults[i].token == token)
			return true;
	/* delivered by interrupt and not yet consumed: still the guest's
	 * (ids wrap after a million faults; found by fuzz_apf, M3) */
	if (apf_enabled(a) && area_read(a, APF_AREA_TOKEN, &slot) && slot == token)
		return true;
	return ready_holds(a, token);
}

/* A fresh token: never 0, never the wake-all token (the low 12 bits are
 * the vCPU id, 0), and not held by any fault whose "ready" is pending. */
static u32 token_new(struct apf *a)
{
	for (;;) {
		u32 id = a->next_id++ & APF_TOKEN_ID_MASK;
		u32 token = (id << APF_TOKEN_ID_SHIFT) | APF_VCPU_ID;

		if (id != 0 && !token_in_use(a, token))
			return token;
	}
}

static void fault_record(struct apf *a, u64 gfn, u32 token)
{
	for (u32 i = 0; i < APF_MAX_OUTSTANDING; i++) {
		if (!a->faults[i].used) {
			a->faults[i] = (struct apf_fault){ gfn, token, true };
			a->nfaults++;
			return;
		}
	}
}

/* Forget every fault and queued event: they are never delivered. */
static void apf_drop_all(struct apf *a)
{
	for (u32 i = 0; i < APF_MAX_OUTSTANDING; i++)
		a->faults[i].used = false;
	a->nfaults = 0;
	a->rhead = 0;
	a->rcount = 0;
	a->await_ack = false;
}

/* --- MSRs ------------------------------------------------------------ */

void apf_init(struct apf *a, const struct apf_ops *ops, bool offer_int,
	      u64 ram_size)
{
	*a = (struct apf){ .ops = *ops, .offer_int = offer_int,
			   .ram_size = ram_size, .next_id = 1 };
}

bool apf_msr_known(u32 msr)
{
	return msr == MSR_KVM_ASYNC_PF_EN || msr == MSR_KVM_ASYNC_PF_INT ||
	       msr == MSR_KVM_ASYNC_PF_ACK;
}

/* Would this MSR_KVM_ASYNC_PF_EN value make the CPU raise #GP? */
static bool en_is_gp(const struct apf *a, u64 val)
{
	u64 reserved = KVM_ASYNC_PF_RESERVED |
		       KVM_ASYNC_PF_DELIVERY_AS_PF_VMEXIT; /* bit 2: nested only */

	/* bit 4 is apfvisor's error opt-in, where that is advertised */
	if (a->offer_errors)
		reserved &= ~APFV_ASYNC_PF_SEND_ERROR;
	if (val & reserved)
		return true;
	if ((val & KVM_ASYNC_PF_DELIVERY_AS_INT) && !a->offer_int)
		return true;
	return (val & KVM_ASYNC_PF_ENABLED) &&
	       !area_in_ram(a, val & KVM_ASYNC_PF_ADDR_MASK);
}

/* Every enabling write sends "wake all" (KVM); one queued at a time is
 * enough, and it keeps the ring within APF_MAX_OUTSTANDING + 1. */
static int wrmsr_en(struct apf *a, u64 val)
{
	if (en_is_gp(a, val))
		return -1;
	a->en = val;
	if (!apf_enabled(a)) {
		apf_drop_all(a);
		return 0;
	}
	if (!ready_holds(a, KVM_APF_WAKE_ALL_TOKEN)) {
		ready_push(a, KVM_APF_WAKE_ALL_TOKEN, false);
		a->st.wakeall++;
	}
	return 0;
}

static int wrmsr_int(struct apf *a, u64 val)
{
	if (val & ~KVM_ASYNC_PF_VEC_MASK || val < APF_FIRST_INT_VECTOR)
		return -1;
	a->vec = val;
	return 0;
}

static int wrmsr_ack(struct apf *a, u64 val)
{
	if (val & ~APF_ACK_CONSUMED)
		return -1;
	if (val & APF_ACK_CONSUMED) {
		a->await_ack = false;
		a->st.ack++;
	}
	return 0;
}

int apf_wrmsr(struct apf *a, u32 msr, u64 val)
{
	if (msr == MSR_KVM_ASYNC_PF_EN)
		return wrmsr_en(a, val);
	if (!a->offer_int)
		return -1;	/* INT and ACK exist only with ASYNC_PF_INT */
	if (msr == MSR_KVM_ASYNC_PF_INT)
		return wrmsr_int(a, val);
	if (msr == MSR_KVM_ASYNC_PF_ACK)
		return wrmsr_ack(a, val);
	return -1;
}

int apf_rdmsr(const struct apf *a, u32 msr, u64 *val)
{
	if (msr == MSR_KVM_ASYNC_PF_EN) {
		*val = a->en;
		return 0;
	}
	if (!a->offer_int || !apf_msr_known(msr))
		return -1;
	*val = msr == MSR_KVM_ASYNC_PF_INT ? a->vec : 0;	/* ACK reads 0 */
	return 0;
}

/* --- faults and events ----------------------------------------------- */

/* Why the guest cannot take an injected event now, or APF_SYNC_NONE. */
static enum apf_sync_reason guest_blocked(const struct apf_guest_state *gs)
{
	if (gs->injecting)
		return APF_SYNC_INJECTING;
	if (!gs->if_set)
		return APF_SYNC_IF_OFF;
	if (gs->shadow)
		return APF_SYNC_SHADOW;
	return APF_SYNC_NONE;
}

/* Why this fault cannot go asynchronous, or APF_SYNC_NONE; the order is
 * the contract (tests name the first reason that applies). */
static enum apf_sync_reason fault_reason(const struct apf *a,
					 const struct apf_guest_state *gs)
{
	enum apf_sync_reason r;

	if (!apf_enabled(a))
		return APF_SYNC_DISABLED;
	r = guest_blocked(gs);
	if (r != APF_SYNC_NONE)
		return r;
	if (gs->cpl == 0 && !(a->en & KVM_ASYNC_PF_SEND_ALWAYS))
		return APF_SYNC_CPL0;
	/* KVM counts queued "ready" events too (async_pf.queued) */
	if (apf_outstanding(a) >= APF_MAX_OUTSTANDING)
		return APF_SYNC_QUEUE_FULL;
	if (!area_slot_free(a, APF_AREA_FLAGS))
		return APF_SYNC_SLOT_BUSY;
	return APF_SYNC_NONE;
}

/* A second fault on a gfn already in flight is not detected here: the
 * caller holds the vCPU until that page arrives (KVM's rule). Were it
 * recorded anyway, apf_page_ready() would ready both tokens. */
enum apf_sync_reason apf_fault(struct apf *a, u64 gfn,
			       const struct apf_guest_state *gs, u32 *token)
{
	enum apf_sync_reason r = fault_reason(a, gs);
	u32 t;

	if (r == APF_SYNC_NONE) {
		t = token_new(a);
		if (area_write(a, APF_AREA_FLAGS, KVM_PV_REASON_PAGE_NOT_PRESENT)) {
			fault_record(a, gfn, t);
			a->st.not_present++;
			*token = t;
			return APF_SYNC_NONE;
		}
		r = APF_SYNC_SLOT_BUSY;	/* area unwritable: cannot happen */
	}
	a->st.sync++;
	return r;
}

/* Move every fault on gfn to the ready queue; true if there was one. */
static bool faults_done(struct apf *a, u64 gfn, bool error)
{
	bool any = false;

	for (u32 i = 0; i < APF_MAX_OUTSTANDING; i++) {
		struct apf_fault *f = &a->faults[i];

		if (f->used && f->gfn == gfn) {
			f->used = false;
			a->nfaults--;
			ready_push(a, f->token, error);
			any = true;
		}
	}
	return any;
}

void apf_page_ready(struct apf *a, u64 gfn)
{
	faults_done(a, gfn, false);
}

bool apf_page_failed(struct apf *a, u64 gfn)
{
	return faults_done(a, gfn, true);
}

bool apf_reports_errors(const struct apf *a)
{
	return a->offer_errors && (a->en & APFV_ASYNC_PF_SEND_ERROR);
}

/* With the error extension on, every "ready" states whether the page came
 * (ready_flags 0) or not (APFV_READY_ERROR), before the event is visible. */
static bool write_ready_flags(struct apf *a, bool error)
{
	if (!apf_reports_errors(a))
		return true;
	/* ready_flags belongs to the last "ready" until the guest is done
	 * with it in whichever mode it came: flags cleared (#PF), token
	 * cleared and ACKed (interrupt). A re-enable in the other mode must
	 * not overwrite an error the guest has not read yet. */
	if (!area_slot_free(a, APF_AREA_FLAGS) ||
	    !area_slot_free(a, APF_AREA_TOKEN) || a->await_ack)
		return false;
	if (!area_write(a, APFV_AREA_READY_FLAGS, error ? APFV_READY_ERROR : 0))
		return false;
	if (error)
		a->st.errors_async++;
	return true;
}

/* Legacy delivery: a #PF with flags = 2, when the guest can take one and
 * has cleared the previous reason. */
static bool next_ready_pf(struct apf *a, const struct apf_guest_state *gs,
			  struct apf_event *ev)
{
	bool error = a->ready_err[a->rhead];
	u32 token;

	if (guest_blocked(gs) != APF_SYNC_NONE ||
	    !area_slot_free(a, APF_AREA_FLAGS) ||
	    !write_ready_flags(a, error) ||
	    !area_write(a, APF_AREA_FLAGS, KVM_PV_REASON_PAGE_READY))
		return false;
	token = ready_pop(a, &error);
	*ev = (struct apf_event){ APF_EV_READY_PF, token, 0, error };
	a->st.ready_pf++;
	return true;
}

/* Interrupt delivery: the LAPIC decides when the vector is taken, so IF
 * does not matter; the previous token must be consumed (token slot 0)
 * and ACKed. Held while no valid vector is programmed (never vector 0). */
static bool next_ready_int(struct apf *a, struct apf_event *ev)
{
	u32 token = ready_at(a, 0);
	bool error = a->ready_err[a->rhead];

	if (a->await_ack || a->vec < APF_FIRST_INT_VECTOR ||
	    !area_slot_free(a, APF_AREA_TOKEN) ||
	    !write_ready_flags(a, error) ||
	    !area_write(a, APF_AREA_TOKEN, token))
		return false;
	ready_pop(a, &error);
	*ev = (struct apf_event){ APF_EV_READY_INT, token,
				  (u8)(a->vec & KVM_ASYNC_PF_VEC_MASK), error };
	a->await_ack = true;
	a->st.ready_int++;
	return true;
}

bool apf_next_event(struct apf *a, const struct apf_guest_state *gs,
		    struct apf_event *ev)
{
	if (a->rcount == 0 || !apf_enabled(a))
		return false;
	if (apf_int_mode(a))
		return next_ready_int(a, ev);
	return next_ready_pf(a, gs, ev);
}

u32 apf_outstanding(const struct apf *a)
{
	return a->nfaults + a->rcount;
}
