/*
 * tests/guests/apf-linux-style/traps.S - the 256 interrupt entry stubs,
 * their common path into trap() (vectors.c), the jump into ring 3, and the
 * ring-3 code itself (SDM Vol. 3A, "Interrupt and Exception Handling",
 * "Exception and Interrupt Handling in 32-bit mode").
 *
 * Every stub is 16 bytes, so the IDT is built from isr_stubs + 16 * vector.
 * Vectors without a CPU error code push a 0 in its place, so every frame
 * looks alike: pushal's eight registers, vector, error code, then what the
 * CPU pushed (EIP, CS, EFLAGS, and from ring 3 also ESP, SS).
 */
#define STUB_SIZE	16
#define SEL_UDATA	0x23

/* Vectors with a CPU error code: #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP,
 * #VC, #SX. */
#define HAS_ERROR(v)	((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
			 (v) == 21 || (v) == 29 || (v) == 30)

	.text
	.code32
	.balign STUB_SIZE
	.globl isr_stubs
isr_stubs:
	.set vec, 0
	.rept 256
	.balign STUB_SIZE
	.if !HAS_ERROR(vec)
	pushl	$0
	.endif
	pushl	$vec
	jmp	isr_common
	.set vec, vec + 1
	.endr

isr_common:
	pushal
	pushl	%esp		/* struct frame * */
	call	trap
	addl	$4, %esp
	popal
	addl	$8, %esp	/* vector, error code */
	iret

/* enter_user(eip, esp, table, count, results): iret to ring 3 with IF=1,
 * ESI/ECX/EDI set up for user_main; never returns (user_main ends with
 * int $0x80, whose handler does not go back). Data segments become the
 * ring-3 ones first: an iret to ring 3 would null DPL-0 ones. */
	.globl enter_user
enter_user:
	movl	$SEL_UDATA, %eax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	movl	4(%esp), %edx	/* eip */
	movl	8(%esp), %ebx	/* esp */
	movl	12(%esp), %esi
	movl	16(%esp), %ecx
	movl	20(%esp), %edi
	pushl	$SEL_UDATA	/* ss */
	pushl	%ebx		/* esp */
	pushl	$0x202		/* eflags: IF */
	pushl	$0x1b		/* cs: ring-3 code */
	pushl	%edx		/* eip */
	iret

/*
 * Ring 3, on its own user page: for each of ECX page addresses at ESI,
 * copy the page's first and last 8 bytes to EDI (16 bytes per page), then
 * int $0x80 to hand back to the kernel. The first load from each slow page
 * is where the "page not present" #PF lands; the retry after "page ready"
 * finds it present.
 */
	.section .user.text, "ax"
	.globl user_main
user_main:
1:	movl	(%esi), %ebx
	movl	(%ebx), %eax
	movl	%eax, (%edi)
	movl	4(%ebx), %eax
	movl	%eax, 4(%edi)
	movl	0xff8(%ebx), %eax
	movl	%eax, 8(%edi)
	movl	0xffc(%ebx), %eax
	movl	%eax, 12(%edi)
	addl	$4, %esi
	addl	$16, %edi
	decl	%ecx
	jnz	1b
	int	$0x80
	ud2
