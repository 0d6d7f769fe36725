/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * rseq.h - per-CPU operations through restartable sequences: the userspace
 * image of the kernel's preempt-disabled this_cpu access (context mode
 * PB_MODE_RSEQ).
 *
 * A restartable sequence is a short run of instructions on the data of the
 * CPU the thread runs on, ending in one committing store. The kernel
 * aborts it, sending the thread to its abort handler instead of letting
 * it go on, whenever the thread is preempted, migrated or signalled
 * between its start and that store: so the store happens on the CPU whose
 * data was read, with nothing of that CPU's run in between, or not at all.
 * The caller then reads the CPU again and retries.
 *
 * The ABI used, and only it (the kernel's Documentation/userspace-api/
 * rseq.rst, the rseq(2) man page; Linux 4.18+):
 *   - the area is glibc's: glibc 2.35+ registers a struct rseq for every
 *     thread at thread pointer + __rseq_offset (<sys/rseq.h>); we never
 *     register a second one. __rseq_size == 0: not registered (an old
 *     kernel, GLIBC_TUNABLES=glibc.pthread.rseq=0);
 *   - cpu_id_start: the CPU to act on, read before the sequence;
 *   - cpu_id: compared with it inside the sequence (a mismatch: abort);
 *   - rseq_cs: the address of the sequence's descriptor (struct rseq_cs:
 *     version 0, flags 0, start_ip, post_commit_offset, abort_ip), stored
 *     by the sequence itself before its start_ip; the kernel clears it;
 *   - the signature: the 4 bytes before abort_ip are RSEQ_SIG (glibc's
 *     value for the architecture, which it registered the area with).
 * No other field (node_id, mm_cid, flags, anything past them) is read.
 *
 * The sequences are written here as x86-64 inline assembly: a descriptor
 * in section __rseq_cs (with its address in __rseq_cs_ptr_array, as the
 * kernel's selftests and librseq keep them, for debuggers), the abort
 * handler in __rseq_failure behind a ud1 instruction whose last 4 bytes
 * are the signature, so that a stray jump there faults. Other
 * architectures: pb_rseq_available() says the mode is not implemented.
 *
 * Two operations on a ring of pointers with 32-bit free-running indices
 * (prod: one past the last element, cons: the first one; mask + 1 slots),
 * the shape of both qmempool's localq and objpool's per-CPU ring:
 *   pb_rseq_ring_pop()   up to n elements off the front, committed by one
 *                        store of cons;
 *   pb_rseq_ring_push()  n elements at the back, all or none, committed by
 *                        one store of prod (the slot stores before it are
 *                        invisible until then: past prod nobody reads).
 * Both return PB_RSEQ_ABORT when the sequence was aborted (or the thread
 * was already on another CPU than @cpu): nothing was stored that anybody
 * reads, read the CPU again and retry.
 *
 * Concurrency contract: a ring given to these functions for CPU c is only
 * ever changed by them (through its prod and cons) with @cpu == c, and
 * read by anybody; every thread may call them, pinned or not, any number
 * of threads per CPU.
 *
 * Sanitizers: ThreadSanitizer does not see the stores in the assembly;
 * the callers tell it of the synchronisation they make (pb_rseq_tsan_*).
 */
#ifndef PB_ALLOCATORS_RSEQ_RSEQ_H
#define PB_ALLOCATORS_RSEQ_RSEQ_H

#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__) && __has_include(<sys/rseq.h>)
#include <sys/rseq.h>
#define PB_RSEQ_ARCH 1
#else
#define PB_RSEQ_ARCH 0
#endif

/* A sequence's answer: aborted (or not on @cpu), nothing done. */
#define PB_RSEQ_ABORT (-1)

/**
 * pb_rseq_available() - whether this thread can run restartable sequences
 * @why: receives the reason when not (may be NULL)
 * @len: its size
 *
 * Checks the architecture, glibc's registration (__rseq_size) and that
 * the calling thread's area holds a CPU number. Any thread.
 *
 * Return: 1 when available, 0 with the reason in @why otherwise.
 */
int pb_rseq_available(char *why, size_t len);

/**
 * pb_rseq_nr_cpu_ids() - how many CPU numbers the kernel may give
 *
 * Per-CPU state indexed by cpu_id needs this many slots: one past the
 * highest possible CPU (/sys/devices/system/cpu/possible), or the
 * configured CPUs where that cannot be read. Any thread.
 *
 * Return: at least 1.
 */
unsigned int pb_rseq_nr_cpu_ids(void);

#if PB_RSEQ_ARCH

#if defined(__SANITIZE_THREAD__)
#define PB_RSEQ_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PB_RSEQ_TSAN 1
#endif
#endif

#ifdef PB_RSEQ_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
/* The assembly's committing store releases @addr; tell ThreadSanitizer. */
static inline void pb_rseq_tsan_release(void *addr) { __tsan_release(addr); }
/* A load of @addr acquired what the assembly published there. */
static inline void pb_rseq_tsan_acquire(void *addr) { __tsan_acquire(addr); }
#else
static inline void pb_rseq_tsan_release(void *addr) { (void)addr; }
static inline void pb_rseq_tsan_acquire(void *addr) { (void)addr; }
#endif

/* The calling thread's area, registered by glibc. */
static inline volatile struct rseq *pb_rseq_area(void)
{
	/* Through void *: glibc aligns the area (32 bytes), as the ABI wants. */
	return (volatile struct rseq *)(void *)((char *)__builtin_thread_pointer() +
						__rseq_offset);
}

/**
 * pb_rseq_cpu() - the CPU to act on: the area's cpu_id_start
 *
 * Only meaningful where pb_rseq_available() said so. The thread may move
 * at once: a sequence started for this CPU aborts if it does.
 *
 * Return: the CPU number.
 */
static inline unsigned int pb_rseq_cpu(void)
{
	return pb_rseq_area()->cpu_id_start;
}

/**
 * pb_rseq_note_cpu() - record the CPU an operation acts on
 * @cpu: that CPU (pb_rseq_cpu())
 * @last: the CPU of the caller's previous operation; updated
 * @changes: counts the operations that found the thread moved
 *
 * Return: @cpu.
 */
static inline unsigned int pb_rseq_note_cpu(unsigned int cpu,
					    unsigned int *last,
					    uint64_t *changes)
{
	if (__builtin_expect(cpu != *last, 0)) {
		(*changes)++;
		*last = cpu;
	}
	return cpu;
}

/*
 * The frame every sequence shares. Operands it names: [off] __rseq_offset,
 * [cpu] the expected CPU, and @scratch, a register it may clobber before
 * the body (to store the descriptor's address). Local labels: 1 start_ip,
 * 2 post-commit, 3 the descriptor, 4 abort_ip, 5 the abort answer (the
 * body's caller defines it), 6 the end of a committed sequence (likewise).
 * The body goes between PB_RSEQ_START and PB_RSEQ_COMMITTED and ends in
 * the committing store.
 */
#define PB_RSEQ_STR_(x) #x
#define PB_RSEQ_STR(x) PB_RSEQ_STR_(x)
#define PB_RSEQ_START(scratch)						\
	".pushsection __rseq_cs, \"aw\"\n\t"				\
	".balign 32\n"							\
	"3:\n\t"							\
	".long 0x0, 0x0\n\t"						\
	".quad 1f, (2f - 1f), 4f\n\t"					\
	".popsection\n\t"						\
	".pushsection __rseq_cs_ptr_array, \"aw\"\n\t"			\
	".quad 3b\n\t"							\
	".popsection\n\t"						\
	"leaq 3b(%%rip), %[" #scratch "]\n\t"				\
	"movq %[" #scratch "], %%fs:"					\
		PB_RSEQ_STR(PB_RSEQ_OFF_RSEQ_CS) "(%[off])\n"		\
	"1:\n\t"							\
	"cmpl %[cpu], %%fs:" PB_RSEQ_STR(PB_RSEQ_OFF_CPU_ID) "(%[off])\n\t" \
	"jnz 5f\n\t"
#define PB_RSEQ_COMMITTED						\
	"\n2:\n\t"							\
	"jmp 6f\n\t"							\
	".pushsection __rseq_failure, \"ax\"\n\t"			\
	".byte 0x0f, 0xb9, 0x3d\n\t"					\
	".long " PB_RSEQ_STR(PB_RSEQ_SIG) "\n"				\
	"4:\n\t"							\
	"jmp 5f\n\t"							\
	".popsection\n"

/* struct rseq's fields, for the assembly (the documented ABI layout). */
#define PB_RSEQ_OFF_CPU_ID 4
#define PB_RSEQ_OFF_RSEQ_CS 8
#define PB_RSEQ_SIG 0x53053053
_Static_assert(offsetof(struct rseq, cpu_id) == PB_RSEQ_OFF_CPU_ID,
	       "struct rseq: cpu_id");
_Static_assert(offsetof(struct rseq, rseq_cs) == PB_RSEQ_OFF_RSEQ_CS,
	       "struct rseq: rseq_cs");
_Static_assert(RSEQ_SIG == PB_RSEQ_SIG, "the signature glibc registered");

/**
 * pb_rseq_ring_pop() - take up to @n elements off the front of CPU @cpu's
 * ring, if the thread is on @cpu
 * @cpu: the CPU read with pb_rseq_cpu()
 * @cons: the ring's first element (committed: cons + the count)
 * @prod: one past its last element (read only)
 * @slots: the ring's mask + 1 slots
 * @mask: slots - 1 (a power of two minus 1)
 * @out: receives the elements, oldest first
 * @n: at most this many, >= 1
 *
 * Return: how many were taken (0: the ring was empty), or PB_RSEQ_ABORT.
 */
static inline int pb_rseq_ring_pop(unsigned int cpu, uint32_t *cons,
				   const uint32_t *prod, void *const *slots,
				   uint32_t mask, void **out, uint32_t n)
{
	uint64_t c, i, k, v;
	int got;

	__asm__ __volatile__(
		PB_RSEQ_START(v)
		"movl (%[cons]), %k[c]\n\t"
		"movl (%[prod]), %k[got]\n\t"
		"subl %k[c], %k[got]\n\t"	/* available */
		"cmpl %[n], %k[got]\n\t"
		"cmoval %[n], %k[got]\n\t"	/* at most n */
		"testl %k[got], %k[got]\n\t"
		"jz 6f\n\t"			/* empty: nothing to commit */
		"xorl %k[i], %k[i]\n"
		"7:\n\t"
		"movl %k[c], %k[k]\n\t"
		"addl %k[i], %k[k]\n\t"
		"andl %[mask], %k[k]\n\t"
		"movq (%[slots], %[k], 8), %[v]\n\t"
		"movq %[v], (%[out], %[i], 8)\n\t"
		"incl %k[i]\n\t"
		"cmpl %k[got], %k[i]\n\t"
		"jb 7b\n\t"
		"addl %k[got], %k[c]\n\t"
		"movl %k[c], (%[cons])"		/* commit */
		PB_RSEQ_COMMITTED
		"5:\n\t"
		"movl $-1, %k[got]\n"
		"6:\n"
		: [got] "=&r"(got), [c] "=&r"(c), [i] "=&r"(i),
		  [k] "=&r"(k), [v] "=&r"(v)
		: [off] "r"(__rseq_offset), [cpu] "r"(cpu), [cons] "r"(cons),
		  [prod] "r"(prod), [slots] "r"(slots), [out] "r"(out),
		  [mask] "rm"(mask), [n] "rm"(n)
		: "memory", "cc");
	return got;
}

/**
 * pb_rseq_ring_push() - put @n elements at the back of CPU @cpu's ring,
 * all or none, if the thread is on @cpu
 * @cpu: the CPU read with pb_rseq_cpu()
 * @prod: one past the ring's last element (committed: prod + @n)
 * @cons: its first element (read only: a bound for the room)
 * @slots: the ring's @size slots
 * @mask: @size - 1
 * @size: slots, a power of two
 * @in: the elements
 * @n: how many, >= 1
 *
 * Return: @n, 0 when they do not all fit, or PB_RSEQ_ABORT.
 */
static inline int pb_rseq_ring_push(unsigned int cpu, uint32_t *prod,
				    const uint32_t *cons, void **slots,
				    uint32_t mask, uint32_t size,
				    void *const *in, uint32_t n)
{
	uint64_t p, i, k, v;
	int done;

	__asm__ __volatile__(
		PB_RSEQ_START(v)
		"movl (%[prod]), %k[p]\n\t"
		"movl %k[p], %k[k]\n\t"
		"subl (%[cons]), %k[k]\n\t"	/* used */
		"addl %[n], %k[k]\n\t"
		"cmpl %[size], %k[k]\n\t"
		"ja 8f\n\t"			/* no room for all n */
		"xorl %k[i], %k[i]\n"
		"7:\n\t"
		"movl %k[p], %k[k]\n\t"
		"addl %k[i], %k[k]\n\t"
		"andl %[mask], %k[k]\n\t"
		"movq (%[in], %[i], 8), %[v]\n\t"
		"movq %[v], (%[slots], %[k], 8)\n\t"
		"incl %k[i]\n\t"
		"cmpl %[n], %k[i]\n\t"
		"jb 7b\n\t"
		"addl %[n], %k[p]\n\t"
		"movl %k[p], (%[prod])"		/* commit */
		PB_RSEQ_COMMITTED
		"8:\n\t"
		"xorl %k[done], %k[done]\n\t"
		"jmp 9f\n"
		"5:\n\t"
		"movl $-1, %k[done]\n\t"
		"jmp 9f\n"
		"6:\n\t"
		"movl %[n], %k[done]\n"
		"9:\n"
		: [done] "=&r"(done), [p] "=&r"(p), [i] "=&r"(i),
		  [k] "=&r"(k), [v] "=&r"(v)
		: [off] "r"(__rseq_offset), [cpu] "r"(cpu), [prod] "r"(prod),
		  [cons] "r"(cons), [slots] "r"(slots), [in] "r"(in),
		  [mask] "rm"(mask), [size] "rm"(size), [n] "rm"(n)
		: "memory", "cc");
	return done;
}

#endif /* PB_RSEQ_ARCH */

#endif /* PB_ALLOCATORS_RSEQ_RSEQ_H */
