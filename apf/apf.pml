/*
 * apf/apf.pml - a Promela model of the asynchronous-page-fault protocol:
 * the 64-byte shared area between one vCPU's guest and the hypervisor,
 * both "page ready" deliveries (#PF, flags = 2; interrupt, token at offset
 * 4 with the ACK MSR) and switching between them by re-enabling, and, as
 * a separate option, apfvisor's error extension (EN bit 4, ready_flags).
 * Checked by spin (tests/model/model.mk, `make model`; docs/reliability.md
 * "Model check" explains what is modelled and what is not).
 *
 * Who is who:
 *   proctype Host    before each VM entry: vmm/apfhost.c apfhost_deliver()
 *                    with apf/apf.c apf_next_event() (next_ready_pf,
 *                    next_ready_int, write_ready_flags)
 *   inline ept_violation
 *                    the EPT-violation exit: apfhost_ept_violation() with
 *                    apf_fault() (token_new, the sync reasons), the
 *                    synchronous hold (wait_for_page) and report_sync (#MC)
 *   inline h_wrmsr_en, h_ack
 *                    WRMSR exits: apfhost_wrmsr() -> apf_wrmsr()
 *                    (wrmsr_en: drop on disable, wake-all on every enable;
 *                    wrmsr_ack)
 *   proctype Pager   fetches completing at their deadlines: apf/pager.c
 *                    pager_complete() with apfhost.c complete_due() /
 *                    fetch_failed() -> apf_page_ready() / apf_page_failed()
 *   proctype Guest   guest-stub: pvapf.c pvapf_handle() (#PF handler),
 *                    int_ready() (interrupt handler), pvapf_enable() /
 *                    pvapf_disable(); sched.c sched_park() / sched_wake()
 *                    (with remember/forget) and task switching; the tasks
 *                    themselves (work.c) touching slow pages
 * One vCPU: the host runs only at VM exits, which can come between any
 * two guest steps (the preemption timer), so every host action is one
 * atomic step interleaved with the guest's steps; an event injected at a
 * VM entry is the guest's next step.
 *
 * Properties (assertions, and spin's invalid-end-state check):
 *   no overwrite   every host write of flags, token or ready_flags finds
 *                  the previous event read by the guest (ghosts un_*)
 *   no duplicate   a "ready" is only for a token handed out and not yet
 *                  readied (or wake-all); a task woken for its own token
 *                  finds its page there, or is told it failed
 *   no lost wake-up, no deadlock
 *                  the run can always end with every task done or failed:
 *                  a task parked for good leaves the guest idle with
 *                  nothing to wake it, an invalid end state. APF may be
 *                  disabled with tasks parked: the guest's next enable
 *                  (wake-all) wakes them, and a guest that disabled
 *                  always enables again (guest-stub does).
 *
 * Options (-D at spin -a):
 *   ERRORS          the error extension: fetches may fail; the guest may
 *                   opt in (EN bit 4); a failure reaches a parked task as
 *                   a "ready" with ready_flags = error, else a #MC at the
 *                   next access (vmm/abi.h, docs/apf.md)
 * Deliberately broken variants, each of which spin must catch:
 *   BUG_OVERWRITE   the host writes an event without checking that the
 *                   guest cleared its slot (flags for "not present", the
 *                   token for an interrupt "ready", trusting the ACK)
 *   BUG_NO_WAKEALL  enabling does not queue wake-all: a task parked when
 *                   APF went off stays parked (lost wake-up)
 *   BUG_LATE_RFLAGS the interrupt handler reads ready_flags after it
 *                   cleared the token and ACKed: the host may have
 *                   written the next event's by then (needs ERRORS)
 *   BUG_RFLAGS_UNGATED
 *                   apf.c before commit 2019350: ready_flags is written
 *                   when the delivering mode's own slot is free, so after
 *                   a switch to #PF mode it overwrites the error of an
 *                   interrupt "ready" not yet taken (finding M2; needs
 *                   ERRORS)
 *   STUB_CLEARS_ZERO_TOKEN
 *                   guest-stub's int_ready() as of this writing: it clears
 *                   the token and ACKs even when it read 0 (an interrupt
 *                   still pending across pvapf_disable(), which zeroed the
 *                   slot); the wake-all written meanwhile is wiped out
 *                   (finding M1 in docs/reliability.md). By default the
 *                   guest leaves the slot alone when it reads 0.
 * Bounds: 2 tasks, 2 pages, ACC accesses per task (default 2), token ids
 * 1..7 (never 0), at most MAXOUT faults and readies outstanding, TOGGLES
 * EN writes after boot (default 2) plus the re-enables that follow a
 * disable.
 */

#define T		2	/* guest tasks */
#define P		2	/* slow pages */
#ifndef ACC
#define ACC		2	/* accesses per task */
#endif
#ifndef TOGGLES
#define TOGGLES		2	/* EN writes the guest may make after boot */
#endif
#define NTOK		8	/* token ids 1..7; 0 is never a token */
#define WAKEALL		255	/* stands for 0xffffffff */
#define MAXOUT		2	/* APF_MAX_OUTSTANDING: faults + queued readies */
#define QCAP		(MAXOUT + 1)	/* the ring: plus one wake-all */

/* the shared area's flags ("reason") */
#define NP		1	/* KVM_PV_REASON_PAGE_NOT_PRESENT */
#define RDY		2	/* KVM_PV_REASON_PAGE_READY */

/* pager states (apf/pager.h) */
#define ABSENT		0
#define FETCHING	1
#define PRESENT		2
#define FAILED		3	/* fetch failed, not yet reported */

/* task states (guest-stub/sched.c) */
#define RUNNABLE	0
#define PARKED		1
#define DONE		2
#define TFAILED		3

/* guest contexts */
#define C_TASK		0	/* task cur runs, IF=1 */
#define C_IDLE		1	/* sti; hlt */
#define C_PFH		2	/* #PF handler, IF=0 */
#define C_IRQH		3	/* APF interrupt handler, IF=0 */
#define C_END		4

/* --- the hypervisor: apf/apf.c's struct apf ---------------------------- */
bool h_en;			/* EN.ENABLED */
bool h_int;			/* EN.DELIVERY_AS_INT */
bool h_err;			/* EN bit 4 (ERRORS) */
bool await_ack;			/* interrupt "ready" delivered, not ACKed */
byte h_fault[P];		/* token of the async fault on page p, 0: none */
chan rq = [QCAP] of { byte, bit };	/* ready ring: token, error */
byte next_id = 1;

/* --- the vCPU and the pager --------------------------------------------- */
byte inj;			/* event injected at the next entry: 0, NP, RDY */
byte inj_tok;			/* its CR2 */
bool irr;			/* the APF vector is pending in the LAPIC */
bool held;			/* the vCPU waits in the host (sync fault) */
byte page[P];

/* --- the shared area, and ghosts: written by the host, not yet read ------ */
byte a_flags, a_token;
bit a_rflags;
bit un_flags, un_token, un_rflags;
bit dead_tok;			/* the token slot holds an event dropped by a
				 * disable that the guest left there (Linux) */
bit rdead;			/* the handler read such a token */
byte issued;			/* bit t: token t handed out, not yet readied */

/* --- the guest (guest-stub) --------------------------------------------- */
byte ctx = C_TASK, ret_ctx, pc;
byte cur;			/* the running task */
byte tstate[T], ttok[T], tpage[T], tacc[T];
bool waiting[T];		/* its access is held in the host (sync) */
byte rem, rem_err;		/* remembered "ready" tokens (bit t), failed */
bool g_en, g_int, g_err;	/* EN as the guest last wrote it */
byte toggles = TOGGLES;
byte reason, tok;		/* the handler's reason and token */
bit rf;				/* ... and the error ready_flags reported */
byte ntok;			/* the host's new token */

/* --- host ------------------------------------------------------------------ */

/* apf.c token_new(): the next id, never 0, not in use by a fault or a
 * queued ready. apf.c's ids have 20 bits and only grow, so an id comes
 * back only after a million faults; the model's 7 ids stand for that by
 * also skipping every id with any trace left: the token in the slot or
 * being injected, a task parked on it, a "ready" the guest remembers
 * (finding M3 in docs/reliability.md: apf.c itself relies on the wide
 * id space for the token in the slot). */
inline token_new(t)
{
	byte tries = 0;
	do
	:: t = next_id; next_id = (next_id + 1) % NTOK; tries++;
	   assert(tries <= NTOK);	/* the model has ids enough */
	   if
	   :: t != 0 && h_fault[0] != t && h_fault[1] != t &&
	      !(rq ?? [eval(t), 0]) && !(rq ?? [eval(t), 1]) &&
	      a_token != t && inj_tok != t && !(rem & (1 << t)) &&
	      !(tstate[0] == PARKED && ttok[0] == t) &&
	      !(tstate[1] == PARKED && ttok[1] == t) -> break
	   :: else
	   fi
	od;
	tries = 0
}

/* A "ready" token leaves the host: it must be owed (no duplicate). */
inline readied(t)
{
	if
	:: t != WAKEALL ->
		assert(issued & (1 << t));
		issued = issued & ~(1 << t)
	:: else
	fi
}

/* May a "ready" write ready_flags now? Off: yes. On: it belongs to the
 * last "ready" until the guest is done with it in either mode - flags and
 * token cleared, the ACK in (apf.c write_ready_flags(), since 2019350;
 * BUG_RFLAGS_UNGATED is the rule before, finding M2). */
#ifndef BUG_RFLAGS_UNGATED
#define RFLAGS_FREE	(!h_err || (a_flags == 0 && a_token == 0 && !await_ack))
#else
#define RFLAGS_FREE	1
#endif

/* apf.c write_ready_flags(), with the extension on. */
inline h_write_rflags(e)
{
	if
	:: h_err ->
		assert(!un_rflags);	/* no overwrite of an unread ready_flags */
		a_rflags = e; un_rflags = 1
	:: else
	fi
}

/* wrmsr_en(): disabling drops everything; every enable queues wake-all. */
inline h_wrmsr_en(en, mode, err)
{
	h_en = en; h_int = mode; h_err = err;
	if
	:: !en ->
		h_fault[0] = 0; h_fault[1] = 0; issued = 0; await_ack = 0;
		do
		:: rq ? _, _
		:: empty(rq) -> break
		od
	:: en && !(rq ?? [WAKEALL, 0]) ->
#ifndef BUG_NO_WAKEALL
		assert(len(rq) < QCAP); rq ! WAKEALL, 0
#else
		skip
#endif
	:: else
	fi
}

inline h_ack()
{
	await_ack = 0
}

/* The EPT violation of task cur on page p (apfhost_ept_violation): the
 * page is in (the access completes), failed earlier (#MC: the task
 * fails, the failure is reported), being fetched (hold), or absent: start
 * the fetch, then "not present" if apf_fault() allows it (enabled, flags
 * cleared, fewer than MAXOUT faults and readies outstanding), else hold.
 * The guest is a user task with IF=1 here. */
inline ept_violation(p)
{
	if
	:: page[p] == PRESENT ->	/* done; the next access's page */
		tacc[cur]++; waiting[cur] = 0;
		if
		:: tpage[cur] = 0
		:: tpage[cur] = 1
		fi
	:: page[p] == FAILED ->
		page[p] = ABSENT; tstate[cur] = TFAILED; waiting[cur] = 0
	:: page[p] == FETCHING ->
		held = 1; waiting[cur] = 1
	:: page[p] == ABSENT ->
		page[p] = FETCHING;
		if
#ifndef BUG_OVERWRITE
		:: h_en && a_flags == 0 &&
#else
		:: h_en &&
#endif
		   (h_fault[0] != 0) + (h_fault[1] != 0) + len(rq) < MAXOUT ->
			token_new(ntok);
			assert(!un_flags);	/* no overwrite of unread flags */
			a_flags = NP; un_flags = 1;
			h_fault[p] = ntok; issued = issued | (1 << ntok);
			inj = NP; inj_tok = ntok; waiting[cur] = 0;
			ntok = 0
		:: else ->
			held = 1; waiting[cur] = 1
		fi
	fi
}

/* Before each VM entry (apfhost_deliver / apf_next_event): one queued
 * "ready" if the guest can take it now. #PF: IF=1 (task or idle), nothing
 * injected, flags read and cleared. Interrupt: previous token consumed
 * (0) and ACKed; the LAPIC takes the vector whatever IF is. */
proctype Host()
{
	byte t; bit e;
end:	do
	:: atomic {
		!held && inj == 0 && h_en && !h_int && len(rq) > 0 &&
		(ctx == C_TASK || ctx == C_IDLE) && a_flags == 0 && RFLAGS_FREE ->
			rq ? t, e;
			h_write_rflags(e);
			assert(!un_flags);
			a_flags = RDY; un_flags = 1;
			readied(t);
			inj = RDY; inj_tok = t;
			t = 0; e = 0
	   }
	:: atomic {
		!held && inj == 0 && h_en && h_int && len(rq) > 0 &&
#ifndef BUG_OVERWRITE
		!await_ack && a_token == 0 && RFLAGS_FREE ->
#else
		!await_ack && RFLAGS_FREE ->	/* trusts the ACK alone */
#endif
			rq ? t, e;
			h_write_rflags(e);
			assert(!un_token);	/* no overwrite of an unread token */
			a_token = t; un_token = 1; dead_tok = 0;
			readied(t);
			await_ack = 1; irr = 1;
			t = 0; e = 0
	   }
	od
}

/* A fetch ends (pager_complete + complete_due): the page arrives, or with
 * ERRORS fails; an async fault waiting on it becomes a queued "ready"
 * (with the error). A failure that reached a fault of a guest that opted
 * in is reported (pager_failure_reported): the page may be fetched again;
 * otherwise it stays FAILED and its next access takes a #MC. */
proctype Pager()
{
	byte p; bit fail;
end:	do
	:: atomic {
		(page[0] == FETCHING || page[1] == FETCHING) ->
			if
			:: page[0] == FETCHING -> p = 0
			:: page[1] == FETCHING -> p = 1
			fi;
			fail = 0;
#ifdef ERRORS
			if
			:: fail = 1
			:: skip
			fi;
#endif
			page[p] = (fail -> FAILED : PRESENT);
			if
			:: h_fault[p] != 0 ->	/* ready_push: room is kept */
				assert(len(rq) < QCAP);
				rq ! h_fault[p], fail;
				h_fault[p] = 0;
				if
				:: fail && h_err -> page[p] = ABSENT
				:: else
				fi
			:: else
			fi;
			p = 0; fail = 0
	   }
	od
}

/* --- guest ------------------------------------------------------------------ */

/* A runnable task, else idle (sched.c pick_next). */
inline pick_next()
{
	if
	:: tstate[0] == RUNNABLE -> cur = 0; ctx = C_TASK
	:: tstate[1] == RUNNABLE -> cur = 1; ctx = C_TASK
	:: tstate[0] != RUNNABLE && tstate[1] != RUNNABLE -> ctx = C_IDLE
	fi
}

/* sched_park(): a "ready" that came first is forgotten and the access
 * retried at once (or the task fails); else the task parks on the token
 * and another runs. */
inline g_park(t)
{
	if
	:: rem & (1 << t) ->
		rem = rem & ~(1 << t);
		if
		:: rem_err & (1 << t) -> tstate[cur] = TFAILED; pick_next()
		:: else -> ctx = C_TASK
		fi;
		rem_err = rem_err & ~(1 << t)
	:: else ->
		tstate[cur] = PARKED; ttok[cur] = t; pick_next()
	fi;
	pc = 0
}

/* sched_wake(): wake (or fail) the tasks parked on t, all for wake-all;
 * a "ready" nobody waits on is remembered. A task woken for its own
 * token without an error finds its page in (no early, no duplicate
 * wake-up). */
inline g_wake(t, failed)
{
	do
	:: i < T ->
		if
		:: tstate[i] == PARKED && (ttok[i] == t || t == WAKEALL) ->
			if
			:: failed && t != WAKEALL -> tstate[i] = TFAILED
			:: else ->	/* never before its fetch ended */
				assert(t == WAKEALL || rdead ||
				       page[tpage[i]] != FETCHING);
				tstate[i] = RUNNABLE
			fi;
			n++
		:: else
		fi;
		i++
	:: else -> break
	od;
	if
	:: t == WAKEALL -> rem = 0; rem_err = 0
	:: t != WAKEALL && n == 0 ->
		rem = rem | (1 << t);
		if
		:: failed -> rem_err = rem_err | (1 << t)
		:: else
		fi
	:: else
	fi;
	i = 0; n = 0
}

/* Return from a handler to the task it interrupted; from idle, to a
 * task it woke (sched_wake: load the next one). */
inline g_iret()
{
	if
	:: ret_ctx == C_IDLE -> pick_next()
	:: else -> ctx = C_TASK
	fi;
	pc = 0
}

/* An EN write (pvapf_enable, or a re-enable that switches the mode). */
inline g_write_en(en, mode, err)
{
	h_wrmsr_en(en, mode, err);
	g_en = en; g_int = mode; g_err = err;
	toggles--
}

/* Disabling: guest-stub's pvapf_disable() also clears the token and
 * ready_flags, which it then no longer reads; Linux's kvm_pv_disable_apf()
 * leaves them, and an interrupt still pending reads them later. Both. */
inline g_disable()
{
	g_write_en(0, 0, 0);
	if
	:: a_token = 0; a_rflags = 0; un_token = 0; un_rflags = 0
	:: dead_tok = a_token != 0	/* read later, like a wake-all: it
					 * may wake a task early */
	fi
}

inline g_enable()
{
#ifdef ERRORS
	if
	:: g_write_en(1, 0, 0)
	:: g_write_en(1, 1, 0)
	:: g_write_en(1, 0, 1)
	:: g_write_en(1, 1, 1)
	fi
#else
	if
	:: g_write_en(1, 0, 0)
	:: g_write_en(1, 1, 0)
	fi
#endif
}

proctype Guest()
{
	byte i, n;	/* g_wake's */
	do
	/* events come first: an exception injected at the entry, or the
	 * APF vector once IF=1 (idle: hlt wakes for it) */
	:: atomic { inj != 0 ->
		ret_ctx = ctx; ctx = C_PFH; pc = 0;
		tok = inj_tok; inj = 0; inj_tok = 0 }
	:: atomic { inj == 0 && irr && !held && (ctx == C_TASK || ctx == C_IDLE) ->
		irr = 0; ret_ctx = ctx; ctx = C_IRQH; pc = 0 }

	/* the #PF handler (pvapf_handle): read the reason, take ready_flags
	 * (before flags), clear flags first, then park or wake */
	:: atomic { inj == 0 && ctx == C_PFH && pc == 0 ->
		reason = a_flags; un_flags = 0;
		assert(reason == NP || reason == RDY);	/* an APF #PF has one */
		if
		:: reason == RDY && g_err -> rf = a_rflags; un_rflags = 0;
			a_rflags = 0
		:: reason == RDY && !g_err -> rf = 0; un_rflags = 0	/* padding
					 * to a guest not opted in: done with */
		:: else -> rf = 0
		fi;
		pc = 1 }
	:: atomic { inj == 0 && ctx == C_PFH && pc == 1 -> a_flags = 0; pc = 2 }
	:: atomic { inj == 0 && ctx == C_PFH && pc == 2 ->
		if
		:: reason == NP -> g_park(tok)	/* from a task, IF=1 */
		:: reason == RDY -> g_wake(tok, rf); g_iret()
		fi;
		reason = 0; rf = 0; tok = 0 }

	/* the interrupt handler (int_ready): EOI, token; stale if APF is
	 * not in interrupt mode; ready_flags (read, cleared) before the
	 * token is cleared and ACKed; then wake */
	:: atomic { inj == 0 && ctx == C_IRQH && pc == 0 ->
		tok = a_token; un_token = 0; rdead = dead_tok; dead_tok = 0;
		if
#ifndef STUB_CLEARS_ZERO_TOKEN
		:: g_en && g_int && tok == 0 -> g_iret()	/* nothing to consume */
		:: g_en && g_int && tok != 0 -> pc = 1
#else
		:: g_en && g_int -> pc = 1
#endif
		:: else ->	/* stale: APF went off or to #PF mode; the event
				 * is let go, its ready_flags too */
			un_rflags = 0; a_token = 0; h_ack(); tok = 0; g_iret()
		fi }
#ifndef BUG_LATE_RFLAGS
	:: atomic { inj == 0 && ctx == C_IRQH && pc == 1 ->
		if
		:: g_err -> rf = a_rflags; un_rflags = 0; a_rflags = 0
		:: else -> rf = 0; un_rflags = 0	/* not opted in: ignored */
		fi;
		pc = 2 }
	:: atomic { inj == 0 && ctx == C_IRQH && pc == 2 -> a_token = 0; pc = 3 }
	:: atomic { inj == 0 && ctx == C_IRQH && pc == 3 -> h_ack(); pc = 4 }
#else
	:: atomic { inj == 0 && ctx == C_IRQH && pc == 1 -> a_token = 0; pc = 2 }
	:: atomic { inj == 0 && ctx == C_IRQH && pc == 2 -> h_ack(); pc = 3 }
	:: atomic { inj == 0 && ctx == C_IRQH && pc == 3 ->
		if
		:: g_err -> rf = a_rflags; un_rflags = 0; a_rflags = 0
		:: else -> rf = 0; un_rflags = 0
		fi;
		pc = 4 }
#endif
	:: atomic { inj == 0 && ctx == C_IRQH && pc == 4 ->
		if
		:: tok != 0 -> g_wake(tok, rf)
		:: else
		fi;
		tok = 0; rf = 0; rdead = 0;
		g_iret() }

	/* a task: touch a slow page (an EPT-violation exit), wait out a
	 * synchronous fault, finish, be preempted, or switch APF */
	:: atomic { inj == 0 && ctx == C_TASK && !waiting[cur] &&
		tacc[cur] < ACC ->
			ept_violation(tpage[cur]);
			if
			:: tstate[cur] == TFAILED -> pick_next()
			:: else
			fi }
	:: atomic { ctx == C_TASK && waiting[cur] && page[tpage[cur]] != FETCHING ->
		held = 0; ept_violation(tpage[cur]);
		if
		:: tstate[cur] == TFAILED -> pick_next()
		:: else
		fi }
	:: atomic { inj == 0 && ctx == C_TASK && !waiting[cur] &&
		tacc[cur] == ACC -> tstate[cur] = DONE; pick_next() }
	:: atomic { inj == 0 && ctx == C_TASK && !waiting[cur] &&
		tstate[(cur + 1) % T] == RUNNABLE -> cur = (cur + 1) % T }
	:: atomic { inj == 0 && (ctx == C_TASK && !waiting[cur] || ctx == C_IDLE) &&
	   toggles > 0 && g_en -> g_disable() }
	:: atomic { inj == 0 && (ctx == C_TASK && !waiting[cur] || ctx == C_IDLE) &&
	   toggles > 0 && g_en -> g_write_en(1, !g_int, g_err) }	/* switch mode */
	:: atomic { inj == 0 && (ctx == C_TASK && !waiting[cur] || ctx == C_IDLE) &&
	   !g_en -> toggles++; g_enable() }	/* always enables again */

	/* idle with every task done or failed: the run is over */
	:: atomic { ctx == C_IDLE && g_en && inj == 0 && !irr &&
		(tstate[0] == DONE || tstate[0] == TFAILED) &&
		(tstate[1] == DONE || tstate[1] == TFAILED) -> ctx = C_END; break }
	od;
end_ok:	skip
}

init
{
	atomic {
		/* boot: the guest enables APF in some mode (a wake-all is
		 * queued, as on every enable) and starts task 0 */
#ifdef ERRORS
		if
		:: h_wrmsr_en(1, 0, 0); g_en = 1; g_int = 0; g_err = 0
		:: h_wrmsr_en(1, 1, 0); g_en = 1; g_int = 1; g_err = 0
		:: h_wrmsr_en(1, 0, 1); g_en = 1; g_int = 0; g_err = 1
		:: h_wrmsr_en(1, 1, 1); g_en = 1; g_int = 1; g_err = 1
		fi;
#else
		if
		:: h_wrmsr_en(1, 0, 0); g_en = 1; g_int = 0; g_err = 0
		:: h_wrmsr_en(1, 1, 0); g_en = 1; g_int = 1; g_err = 0
		fi;
#endif
		/* the tasks' first pages: the same or not (pages are alike,
		 * so task 0 starts on page 0) */
		if
		:: tpage[1] = 0
		:: tpage[1] = 1
		fi;
		run Host(); run Pager(); run Guest()
	}
}
