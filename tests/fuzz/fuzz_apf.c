/*
 * tests/fuzz/fuzz_apf.c - libFuzzer target for apf/apf.c, the APF protocol
 * state machine. The input is a program for one vCPU: guest WRMSRs of the
 * three APF MSRs, slow-page faults and fetch completions or failures (the
 * error extension, EN bit 4, vmm/abi.h), "may an event be delivered?"
 * before entries, the guest's own writes to the shared area (clearing
 * flags/token as a good guest does, or junk), and "age": the token
 * counter jumps, as after a million faults, so ids wrap while tokens
 * wait. A shadow of the protocol, kept here from the ABI alone, is
 * checked after every step.
 *
 * Invariants (any violation is __builtin_trap, so libFuzzer keeps the input):
 *  - every "ready" token was handed out by apf_fault() and its fetch has
 *    ended, or is the wake-all owed since an enabling write; its error
 *    bit is the fetch's outcome, and with the extension on, ready_flags
 *    is written (0 or APFV_READY_ERROR) before the event's own slot, and
 *    only once the guest is done with the previous one in either mode
 *    (flags and token cleared, the ACK in: finding M2's fix);
 *  - no token is delivered twice; tokens in flight are unique, never 0 or
 *    0xffffffff; at most APF_MAX_OUTSTANDING faults are in flight (with
 *    FUZZ_STRICT, also distinct from a token delivered and not ACKed:
 *    finding M3, docs/reliability.md);
 *  - the module writes the shared area only where the guest left 0 (no
 *    "not present" while flags != 0, no "ready" while its slot is busy),
 *    and only flags = 1/2 or token = the event's token;
 *  - "not present" and #PF "ready" only when the guest can take them
 *    (enabled, IF=1, no shadow, nothing injected; CPL>0 or SEND_ALWAYS);
 *    the sync reason is the first rule that applies (apf.h's order);
 *  - interrupt "ready" only after the previous one was ACKed, with the
 *    programmed vector (>= 32);
 *  - a WRMSR that #GPs changes nothing; reserved EN bits always #GP;
 *    disabling drops everything (apf_outstanding() == 0);
 *  - apf_outstanding() equals the shadow's count (no event lost or made
 *    up), and a deliverable event is delivered when the guest can take
 *    it; at the end, with the slot cleared, every owed event drains.
 *
 * Environment: host fuzzing (clang, libFuzzer, ASan+UBSan).
 */
#include "fuzz.h"
#include "../../apf/apf.h"
#include "../../vmm/abi.h"

#define RAM_MAX		8192u	/* guest RAM holding the shared area */
#define NGFN		128u	/* slow pages: more than APF_MAX_OUTSTANDING */
#define SHADOW_MAX	(APF_MAX_OUTSTANDING + 1)
#define DRAIN_STEPS	(4 * SHADOW_MAX)
#define FIRST_INT_VEC	32u
#define GUEST_VEC	0xecu	/* the vector the drain programs if needed */
#define MAX_WRITES	4
#define AREA_WORDS	3	/* flags, token, ready_flags */

enum op {
	OP_WR_EN, OP_WR_INT, OP_WR_ACK, OP_WR_OTHER, OP_RDMSR, OP_FAULT,
	OP_READY, OP_NEXT, OP_CLEAR_FLAGS, OP_CLEAR_TOKEN, OP_GUEST_JUNK,
	OP_PF_HANDLER, OP_INT_HANDLER, OP_FAILED, OP_AGE, OP_COUNT,
};

/* A token handed out by apf_fault() and not yet delivered as "ready". */
struct tok {
	u32 token;
	u64 gfn;
	bool ready;	/* its fetch ended: apf_page_ready/_failed(gfn) */
	bool error;	/* ... by apf_page_failed() */
};

/* What the ABI says the module must hold, kept independently. */
struct shadow {
	struct tok t[SHADOW_MAX];
	u32 n;
	bool wakeall;	/* an enabling write owes one wake-all */
	bool await_ack;	/* interrupt "ready" delivered, not yet ACKed */
	u64 en, vec;
	bool offer_int, offer_errors;
};

/* One area write the module made during the current step. */
struct wr {
	u64 gpa;
	u32 val;
};

static struct apf A;
static struct shadow S;
static u8 ram[RAM_MAX];
static u64 ram_size;
static struct wr writes[MAX_WRITES];
static u32 nwrites;

static u64 area(void)
{
	return S.en & KVM_ASYNC_PF_ADDR_MASK;
}

static u32 ram_get(u64 gpa)
{
	u32 v;

	memcpy(&v, ram + gpa, sizeof(v));
	return v;
}

static void ram_put(u64 gpa, u32 v)
{
	memcpy(ram + gpa, &v, sizeof(v));
}

static bool rd(void *ctx, u64 gpa, u32 *val)
{
	(void)ctx;
	if (gpa > ram_size - sizeof(u32))
		return false;
	*val = ram_get(gpa);
	return true;
}

static bool reports_errors(void)
{
	return S.offer_errors && (S.en & APFV_ASYNC_PF_SEND_ERROR);
}

/* Every write the module makes: inside the area, into a cleared slot.
 * ready_flags goes with a "ready" and is written just before its slot
 * (flags or token), which is the one checked for being consumed. */
static bool wr(void *ctx, u64 gpa, u32 val)
{
	(void)ctx;
	FUZZ_CHECK(gpa + sizeof(u32) <= ram_size);
	if (gpa == area() + APFV_AREA_READY_FLAGS) {
		FUZZ_CHECK(reports_errors());
		FUZZ_CHECK(val == 0 || val == APFV_READY_ERROR);
	} else {
		FUZZ_CHECK(gpa == area() + APF_AREA_FLAGS ||
			   gpa == area() + APF_AREA_TOKEN);
		FUZZ_CHECK(ram_get(gpa) == 0);	/* never overwrite an unread event */
	}
	FUZZ_CHECK(nwrites < MAX_WRITES);
	writes[nwrites++] = (struct wr){ gpa, val };
	ram_put(gpa, val);
	return true;
}

/* --- the shadow ------------------------------------------------------- */

static int tok_find(u32 token)
{
	for (u32 i = 0; i < S.n; i++)
		if (S.t[i].token == token)
			return (int)i;
	return -1;
}

static bool gfn_in_flight(u64 gfn)
{
	for (u32 i = 0; i < S.n; i++)
		if (S.t[i].gfn == gfn && !S.t[i].ready)
			return true;
	return false;
}

static bool any_ready(void)
{
	for (u32 i = 0; i < S.n; i++)
		if (S.t[i].ready)
			return true;
	return S.wakeall;
}

static bool enabled(void)
{
	return S.en & KVM_ASYNC_PF_ENABLED;
}

static bool int_mode(void)
{
	return S.en & KVM_ASYNC_PF_DELIVERY_AS_INT;
}

static void drop_all(void)
{
	S.n = 0;
	S.wakeall = false;
	S.await_ack = false;
}

/* After every step: the module's count is the shadow's. */
static void check_counts(void)
{
	FUZZ_CHECK(S.n <= APF_MAX_OUTSTANDING);
	FUZZ_CHECK(apf_outstanding(&A) == S.n + (S.wakeall ? 1 : 0));
	FUZZ_CHECK(apf_outstanding(&A) <= APF_MAX_OUTSTANDING + 1);
	if (!enabled())
		FUZZ_CHECK(apf_outstanding(&A) == 0);
}

/* --- MSRs ------------------------------------------------------------- */

/* The ABI's #GP rules for MSR_KVM_ASYNC_PF_EN (kvm-apf-abi.md). */
static bool en_must_gp(u64 val)
{
	u64 gpa = val & KVM_ASYNC_PF_ADDR_MASK;

	u64 reserved = KVM_ASYNC_PF_RESERVED | KVM_ASYNC_PF_DELIVERY_AS_PF_VMEXIT;

	if (S.offer_errors)	/* bit 4 (reserved upstream) opts in to errors */
		reserved &= ~APFV_ASYNC_PF_SEND_ERROR;
	if (val & reserved)
		return true;
	if ((val & KVM_ASYNC_PF_DELIVERY_AS_INT) && !S.offer_int)
		return true;
	return (val & KVM_ASYNC_PF_ENABLED) &&
	       (gpa >= ram_size || ram_size - gpa < 64);
}

/* WRMSR: a #GP must leave the module exactly as it was. */
static int wrmsr(u32 msr, u64 val)
{
	struct apf before;
	int rc;

	memcpy(&before, &A, sizeof(A));
	rc = apf_wrmsr(&A, msr, val);
	FUZZ_CHECK(rc == 0 || rc == -1);
	FUZZ_CHECK(nwrites == 0);	/* an MSR write never touches the area */
	if (rc)
		FUZZ_CHECK(!memcmp(&before, &A, sizeof(A)));
	return rc;
}

static void wr_en(u64 val)
{
	bool gp = en_must_gp(val);
	int rc = wrmsr(MSR_KVM_ASYNC_PF_EN, val);

	FUZZ_TRACE("  EN <- %#llx: %s\n", (unsigned long long)val,
		   rc ? "#GP" : "ok");
	FUZZ_CHECK(rc == (gp ? -1 : 0));
	if (rc)
		return;
	S.en = val;
	if (!enabled())
		drop_all();
	else
		S.wakeall = true;	/* every enabling write: wake all */
}

static void wr_int(u64 val)
{
	int rc = wrmsr(MSR_KVM_ASYNC_PF_INT, val);

	if (!S.offer_int || (val & ~KVM_ASYNC_PF_VEC_MASK))
		FUZZ_CHECK(rc == -1);
	if (!rc)
		S.vec = val;
}

static void wr_ack(u64 val)
{
	int rc = wrmsr(MSR_KVM_ASYNC_PF_ACK, val);

	if (!S.offer_int)
		FUZZ_CHECK(rc == -1);
	if (!rc && (val & 1))
		S.await_ack = false;
}

/* Any MSR in KVM's range: the three APF ones, or one that must #GP. */
static void wr_any(u32 msr, u64 val)
{
	if (msr == MSR_KVM_ASYNC_PF_EN)
		wr_en(val);
	else if (msr == MSR_KVM_ASYNC_PF_INT)
		wr_int(val);
	else if (msr == MSR_KVM_ASYNC_PF_ACK)
		wr_ack(val);
	else
		FUZZ_CHECK(wrmsr(msr, val) == -1);
}

static void do_rdmsr(u32 msr)
{
	u64 v = 0x5a5a;
	int rc = apf_rdmsr(&A, msr, &v);

	if (msr == MSR_KVM_ASYNC_PF_EN) {
		FUZZ_CHECK(rc == 0 && v == S.en);
	} else if (!S.offer_int || !apf_msr_known(msr)) {
		FUZZ_CHECK(rc == -1);
	} else {
		FUZZ_CHECK(rc == 0);
		FUZZ_CHECK(v == (msr == MSR_KVM_ASYNC_PF_INT ? S.vec : 0));
	}
}

/* --- faults and events ----------------------------------------------- */

static u32 area_word(u32 off);

static void guest_state(u8 b, struct apf_guest_state *gs)
{
	*gs = (struct apf_guest_state){
		.if_set = b & 1, .shadow = b & 2, .injecting = b & 4,
		.cpl = (b & 8) ? 3 : 0,
	};
}

static bool can_take(const struct apf_guest_state *gs)
{
	return gs->if_set && !gs->shadow && !gs->injecting;
}

/* apf.h's order of reasons, from the ABI rules alone. */
static enum apf_sync_reason expected_reason(const struct apf_guest_state *gs)
{
	if (!enabled())
		return APF_SYNC_DISABLED;
	if (gs->injecting)
		return APF_SYNC_INJECTING;
	if (!gs->if_set)
		return APF_SYNC_IF_OFF;
	if (gs->shadow)
		return APF_SYNC_SHADOW;
	if (gs->cpl == 0 && !(S.en & KVM_ASYNC_PF_SEND_ALWAYS))
		return APF_SYNC_CPL0;
	if (S.n + (S.wakeall ? 1 : 0) >= APF_MAX_OUTSTANDING)
		return APF_SYNC_QUEUE_FULL;
	if (ram_get(area() + APF_AREA_FLAGS))
		return APF_SYNC_SLOT_BUSY;
	return APF_SYNC_NONE;
}

/* The fetch of gfn ended (error: it failed); the faults still waiting
 * on gfn become owed "ready" events. Returns whether there was one. */
static bool fetch_done(u64 gfn, bool error)
{
	bool any = false, r;

	if (error) {
		r = apf_page_failed(&A, gfn);
	} else {
		apf_page_ready(&A, gfn);
		r = true;
	}
	FUZZ_CHECK(nwrites == 0);
	for (u32 i = 0; i < S.n; i++)
		if (S.t[i].gfn == gfn && !S.t[i].ready) {
			S.t[i].ready = true;
			S.t[i].error = error;
			any = true;
		}
	if (error)
		FUZZ_CHECK(r == any);
	return any;
}

static void ready(u64 gfn)
{
	fetch_done(gfn, false);
}

/* An EPT violation on a slow page. A page already being fetched is held
 * by the caller (apfhost), never passed here; a synchronous fault waits
 * for its page, whose arrival then reaches apf_page_ready(). */
static void fault(u64 gfn, u8 gsb)
{
	struct apf_guest_state gs;
	enum apf_sync_reason want, r;
	u32 token = 0;

	if (gfn_in_flight(gfn))
		return;
	guest_state(gsb, &gs);
	want = expected_reason(&gs);
	r = apf_fault(&A, gfn, &gs, &token);
	FUZZ_TRACE("  gfn %llu gs=%#x: reason %d (want %d) token %#x\n",
		   (unsigned long long)gfn, gsb, r, want, token);
	FUZZ_CHECK(r == want);
	if (r != APF_SYNC_NONE) {
		FUZZ_CHECK(nwrites == 0);
		/* the vCPU waits for the fetch; nothing is owed for it */
		FUZZ_CHECK(!fetch_done(gfn, gsb & 0x80));
		return;
	}
	FUZZ_CHECK(token != 0 && token != KVM_APF_WAKE_ALL_TOKEN);
	FUZZ_CHECK(tok_find(token) < 0);	/* unique among those in flight */
	/* Finding M3 (docs/reliability.md, fixed): nor the token of an
	 * interrupt "ready" delivered and not yet consumed by the guest. */
	if (int_mode() && S.await_ack)
		FUZZ_CHECK(token != area_word(APF_AREA_TOKEN));
	FUZZ_CHECK(nwrites == 1 && writes[0].gpa == area() + APF_AREA_FLAGS &&
		   writes[0].val == KVM_PV_REASON_PAGE_NOT_PRESENT);
	FUZZ_CHECK(S.n < APF_MAX_OUTSTANDING);
	S.t[S.n++] = (struct tok){ token, gfn, false, false };
}

/* The delivered token must be owed; it is then no longer owed. Its
 * error bit must be its fetch's outcome (wake-all: none). */
static void consume(u32 token, bool error)
{
	int i;

	if (token == KVM_APF_WAKE_ALL_TOKEN) {
		FUZZ_CHECK(S.wakeall && !error);
		S.wakeall = false;
		return;
	}
	i = tok_find(token);
	FUZZ_CHECK(i >= 0);		/* handed out, not delivered before */
	FUZZ_CHECK(S.t[i].ready);	/* and its fetch has ended */
	FUZZ_CHECK(S.t[i].error == error);
	S.t[i] = S.t[--S.n];
}

/* With the extension on, ready_flags belongs to the last "ready" until
 * the guest is done with it in either mode: flags and token cleared, the
 * ACK in (so a mode switch cannot overwrite an unread error). */
static bool ready_flags_free(void)
{
	return !reports_errors() ||
	       (ram_get(area() + APF_AREA_FLAGS) == 0 &&
		ram_get(area() + APF_AREA_TOKEN) == 0 && !S.await_ack);
}

/* Could an event be delivered now, by the ABI's rules? */
static bool deliverable(const struct apf_guest_state *gs)
{
	if (!enabled() || !any_ready() || !ready_flags_free())
		return false;
	if (int_mode())
		return !S.await_ack && S.vec >= FIRST_INT_VEC &&
		       ram_get(area() + APF_AREA_TOKEN) == 0;
	return can_take(gs) && ram_get(area() + APF_AREA_FLAGS) == 0;
}

static void next_event(u8 gsb)
{
	struct apf_guest_state gs;
	struct apf_event ev = { 0 };
	const struct wr *last;
	bool want, got;

	guest_state(gsb, &gs);
	want = deliverable(&gs);
	got = apf_next_event(&A, &gs, &ev);
	FUZZ_TRACE("  gs=%#x: %s kind %d token %#x vector %u\n", gsb,
		   got ? "event" : "none", ev.kind, ev.token, ev.vector);
	FUZZ_CHECK(got == want);	/* nothing lost, nothing early */
	if (!got) {
		FUZZ_CHECK(nwrites == 0);
		return;
	}
	if (reports_errors()) {	/* ready_flags first, then the slot */
		FUZZ_CHECK(nwrites == 2);
		FUZZ_CHECK(writes[0].gpa == area() + APFV_AREA_READY_FLAGS);
		FUZZ_CHECK(writes[0].val == (ev.error ? APFV_READY_ERROR : 0));
	} else {
		FUZZ_CHECK(nwrites == 1);
	}
	last = &writes[nwrites - 1];
	if (int_mode()) {
		FUZZ_CHECK(ev.kind == APF_EV_READY_INT);
		FUZZ_CHECK(ev.vector == S.vec && ev.vector >= FIRST_INT_VEC);
		FUZZ_CHECK(last->gpa == area() + APF_AREA_TOKEN &&
			   last->val == ev.token);
		S.await_ack = true;
	} else {
		FUZZ_CHECK(ev.kind == APF_EV_READY_PF);
		FUZZ_CHECK(can_take(&gs));
		FUZZ_CHECK(last->gpa == area() + APF_AREA_FLAGS &&
			   last->val == KVM_PV_REASON_PAGE_READY);
	}
	consume(ev.token, ev.error);
}

/* --- the guest's side of the area ------------------------------------ */

/* The guest writes its area whether APF is on or not (it may keep an
 * old value there across a disable); an area outside RAM is not written. */
static void guest_write(u32 off, u32 val)
{
	u64 gpa = area() + off;

	if (gpa < ram_size && ram_size - gpa >= sizeof(u32))
		ram_put(gpa, val);
}

/* An MSR_KVM_ASYNC_PF_EN value: mostly a plausible area and bits. */
static u64 en_value(struct fz *f)
{
	u8 sel = fz_u8(f);

	if (sel & 0x80)
		return fz_u64(f);
	return (u64)fz_u8(f) * 64 | (sel & 0x3f);
}

/* The area word at off as the guest sees it (0 outside RAM). */
static u32 area_word(u32 off)
{
	u64 gpa = area() + off;

	return gpa < ram_size && ram_size - gpa >= sizeof(u32) ? ram_get(gpa) : 0;
}

/* A page whose fetch ends: bit 7 set, any page (b % NGFN); else one of
 * the faults in flight, so that completions find their fault often. */
static u64 pick_gfn(u8 b)
{
	if ((b & 0x80) || !S.n)
		return b % NGFN;
	return S.t[b % S.n].gfn;
}

static const char *const op_names[OP_COUNT] = {
	"wrmsr EN", "wrmsr INT", "wrmsr ACK", "wrmsr other", "rdmsr", "fault",
	"page ready", "next event", "guest clears flags", "guest clears token",
	"guest writes junk", "guest #PF handler", "guest IRQ handler",
	"fetch failed", "age",
};

static void step(struct fz *f)
{
	u8 op = fz_u8(f) % OP_COUNT, b;

	FUZZ_TRACE("%s\n", op_names[op]);

	nwrites = 0;
	switch (op) {
	case OP_WR_EN: wr_en(en_value(f)); break;
	case OP_WR_INT:
		b = fz_u8(f);
		wr_int(b & 0x80 ? fz_u64(f) : fz_u8(f));
		break;
	case OP_WR_ACK:
		b = fz_u8(f);
		wr_ack(b % 4 == 3 ? fz_u64(f) : b & 1);
		break;
	case OP_WR_OTHER: wr_any(0x4b564d00u + fz_u8(f), fz_u64(f)); break;
	case OP_RDMSR: do_rdmsr(0x4b564d00u + fz_u8(f) % 8); break;
	case OP_FAULT: b = fz_u8(f); fault(b % NGFN, fz_u8(f)); break;
	case OP_READY: ready(pick_gfn(fz_u8(f))); break;
	case OP_NEXT: next_event(fz_u8(f)); break;
	case OP_CLEAR_FLAGS: guest_write(APF_AREA_FLAGS, 0); break;
	case OP_CLEAR_TOKEN: guest_write(APF_AREA_TOKEN, 0); break;
	case OP_GUEST_JUNK:
		b = fz_u8(f);
		guest_write(4 * (b % AREA_WORDS), fz_u32(f));
		break;
	case OP_PF_HANDLER:	/* read the reason, clear it first */
		guest_write(APF_AREA_FLAGS, 0);
		guest_write(APFV_AREA_READY_FLAGS, 0);
		break;
	case OP_INT_HANDLER:	/* consume the token, then ACK */
		guest_write(APFV_AREA_READY_FLAGS, 0);
		guest_write(APF_AREA_TOKEN, 0);
		if (S.offer_int)
			wr_ack(1);
		break;
	case OP_FAILED: fetch_done(pick_gfn(fz_u8(f)), true); break;
	case OP_AGE:	/* a long run: ids wrap at 20 bits while these wait */
		A.next_id = fz_u32(f);
		break;
	}
	FUZZ_TRACE("  -> en=%#llx vec=%#llx inflight=%u wakeall=%d await=%d "
		   "outstanding=%u flags=%u token=%#x\n",
		   (unsigned long long)S.en, (unsigned long long)S.vec, S.n,
		   S.wakeall, S.await_ack, apf_outstanding(&A),
		   area_word(APF_AREA_FLAGS), area_word(APF_AREA_TOKEN));
	check_counts();
}

/* A well-behaved guest from here on: every page arrives, the slots are
 * cleared, the vector is valid; every owed event must come out. */
static void drain(void)
{
	struct apf_guest_state gs = { .if_set = true, .cpl = 3 };
	struct apf_event ev;

	if (!enabled())
		return;
	for (u64 g = 0; g < NGFN; g++)
		ready(g);
	nwrites = 0;
	if (int_mode() && S.vec < FIRST_INT_VEC)
		wr_int(GUEST_VEC);
	for (u32 i = 0; i < DRAIN_STEPS && (S.n || S.wakeall); i++) {
		nwrites = 0;
		guest_write(APF_AREA_FLAGS, 0);
		guest_write(APF_AREA_TOKEN, 0);
		if (S.offer_int)
			wr_ack(1);
		next_event(0x9);	/* IF=1, CPL 3 */
	}
	FUZZ_CHECK(S.n == 0 && !S.wakeall);
	FUZZ_CHECK(!apf_next_event(&A, &gs, &ev));
	FUZZ_CHECK(apf_outstanding(&A) == 0);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const struct apf_ops ops = { rd, wr, NULL };
	struct fz f;
	u8 cfg;

	fz_init(&f, data, size);
	cfg = fz_u8(&f);	/* bit 0: INT offered, bit 1: errors offered */
	memset(&S, 0, sizeof(S));
	memset(ram, 0, sizeof(ram));
	S.offer_int = cfg & 1;
	S.offer_errors = cfg & 2;
	ram_size = 64 * (1 + fz_u8(&f) % (RAM_MAX / 64));
	apf_init(&A, &ops, S.offer_int, ram_size);
	A.offer_errors = S.offer_errors;	/* as apfhost_init() sets it */
	while (fz_more(&f))
		step(&f);
	nwrites = 0;
	drain();
	return 0;
}
