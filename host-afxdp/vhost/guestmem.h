/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * guestmem.h - surviving guest memory that its front-end takes away.
 *
 * Guest memory is a shared mapping of a file the front-end (QEMU, or a
 * hostile process posing as it) handed us. Regions larger than their file
 * are refused when the memory table arrives, but a file that is not sealed
 * against shrinking (F_SEAL_SHRINK) can still be truncated later; the next
 * touch of a page past its new end raises SIGBUS. The worker touches guest
 * memory only inside guarded sections:
 *
 *	struct guestmem_guard g;
 *
 *	guestmem_enter(&g, &dev->maps);
 *	if (sigsetjmp(g.env, 0)) {
 *		guestmem_leave(&g);
 *		... the front-end's memory faulted: drop that device ...
 *	}
 *	... copies to and from guest memory ...
 *	guestmem_leave(&g);
 *
 * The SIGBUS handler (guestmem_install()) jumps back to the innermost
 * guard of the faulting thread when the fault address lies inside one of
 * that guard's mappings. Any other SIGBUS (outside a guard, outside the
 * guard's mappings, or sent by kill/sigqueue) kills the process with the
 * default action, as if there were no handler.
 */
#ifndef BIFROST_GUESTMEM_H
#define BIFROST_GUESTMEM_H

#include <setjmp.h>
#include <stdint.h>
#include "vhost/virtq.h"

/* Our mappings of one device's guest memory (whole files from offset 0). */
struct guestmem_maps {
	unsigned int n;
	void *base[VQ_MAX_REGIONS];
	uint64_t len[VQ_MAX_REGIONS];
};

struct guestmem_guard {
	sigjmp_buf env;
	const struct guestmem_maps *maps;
	struct guestmem_guard *prev;	/* enclosing guard of this thread */
};

/*
 * Installs the process-wide SIGBUS handler (SA_SIGINFO | SA_NODEFER, so
 * the signal is not left blocked after the jump). Idempotent. Only the
 * backend program's ports call it, never a library constructor: fuzzers
 * and sanitizers keep their own handlers. 0 or -errno.
 */
int guestmem_install(void);

/* Makes g the calling thread's innermost guard over maps; the caller must
 * sigsetjmp(g->env, 0) right after, in the same function. */
void guestmem_enter(struct guestmem_guard *g, const struct guestmem_maps *maps);

/* Ends guard g (also after a jump back to it). */
void guestmem_leave(struct guestmem_guard *g);

#endif /* BIFROST_GUESTMEM_H */
