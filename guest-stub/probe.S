/*
 * guest-stub/probe.S - the loads on which the APF tests take "page not
 * present" and go on without waiting for the page. Each load sits alone
 * between two labels, so the #PF hook (pvapf.c) can resume after it
 * without decoding it: RAX then keeps ~0, the value loaded before it.
 *
 * Environment: guest, 64-bit. probe_load and probe_load_irq: ring 0;
 * user_touch: ring 3, entered by user_enter().
 */
	.text

/* u64 probe_load(const volatile u64 *p): *p, interrupts left as they are. */
	.globl probe_load, probe_insn, probe_done
probe_load:
	movq $-1, %rax
probe_insn:
	movq (%rdi), %rax
probe_done:
	ret

/* u64 probe_load_irq(const volatile u64 *p): *p with IF=1 around the load
 * (so that the hypervisor may go asynchronous); returns with IF=0. */
	.globl probe_load_irq, probe_irq_insn, probe_irq_done
probe_load_irq:
	movq $-1, %rax
	sti
	nop				/* the load must not sit in STI's shadow */
probe_irq_insn:
	movq (%rdi), %rax
probe_irq_done:
	cli
	ret

/* Ring 3: load from RDI, then int $0x80 with RAX = the value. */
	.section .usertext, "ax"
	.globl user_touch, user_probe_insn, user_probe_done
user_touch:
	movq $-1, %rax
user_probe_insn:
	movq (%rdi), %rax
user_probe_done:
	int $0x80
	ud2

/* No executable stack wanted (silences ld). */
	.section .note.GNU-stack, "", @progbits
