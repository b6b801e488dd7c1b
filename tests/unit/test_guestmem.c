// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_guestmem.c - the SIGBUS guard around guest memory (guestmem.h): a
 * fault inside a guarded section over the faulting mapping jumps back (and
 * the thread can fault and recover again); a fault with no guard, a fault
 * outside the guard's mappings and a SIGBUS sent with kill() still kill
 * the process with SIGBUS (each checked in a child).
 */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include "vhost/guestmem.h"
#include "unit.h"

#define PAGE	4096

/* Two pages of a memfd, mapped; the file then shrinks to one page. */
static volatile uint8_t *shrunk_map(void)
{
	int fd = memfd_create("test-guestmem", 0);
	void *p = MAP_FAILED;

	if (fd < 0)
		return NULL;
	if (!ftruncate(fd, 2 * PAGE))
		p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED && ftruncate(fd, PAGE)) {
		munmap(p, 2 * PAGE);
		p = MAP_FAILED;
	}
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

/* Reads byte off of m under a guard over maps; 1 if it faulted. */
static int guarded_read(volatile uint8_t *m, size_t off, const struct guestmem_maps *maps,
			volatile uint8_t *out)
{
	struct guestmem_guard g;

	guestmem_enter(&g, maps);
	if (sigsetjmp(g.env, 0)) {
		guestmem_leave(&g);
		return 1;
	}
	*out = m[off];
	guestmem_leave(&g);
	return 0;
}

/* Runs what in a child; its wait status. */
static int in_child(int what, volatile uint8_t *m, const struct guestmem_maps *maps)
{
	struct guestmem_maps other = { 1, { (void *)maps }, { 1 } };
	volatile uint8_t v;
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };
		struct guestmem_guard g;

		setrlimit(RLIMIT_CORE, &no_core);	/* dying is expected */
		if (what == 0) {			/* no guard */
			v = m[PAGE];
		} else if (what == 1) {			/* guard over other memory */
			guarded_read(m, PAGE, &other, &v);
		} else {				/* sent, inside a guard */
			guestmem_enter(&g, maps);
			if (!sigsetjmp(g.env, 0))
				kill(getpid(), SIGBUS);
			guestmem_leave(&g);
		}
		(void)v;
		_exit(0);
	}
	waitpid(pid, &status, 0);
	return status;
}

int main(void)
{
	volatile uint8_t *m;
	struct guestmem_maps maps = { 0 };
	volatile uint8_t v = 0;
	int st;

	setvbuf(stdout, NULL, _IONBF, 0);
	m = shrunk_map();
	CHECK("memfd mapped, then shrunk to one page", m != NULL);
	if (!m)
		UNIT_EXIT();
	maps.n = 1;
	maps.base[0] = (void *)m;
	maps.len[0] = 2 * PAGE;
	CHECK_EQ("handler installs", guestmem_install(), 0);
	CHECK_EQ("handler installs again (idempotent)", guestmem_install(), 0);
	CHECK_EQ("guarded read inside the file: no fault", guarded_read(m, 10, &maps, &v), 0);
	CHECK_EQ("guarded read past the file's end: fault caught", guarded_read(m, PAGE, &maps, &v), 1);
	CHECK_EQ("and again (SIGBUS not left blocked)", guarded_read(m, PAGE + 8, &maps, &v), 1);
	CHECK_EQ("guarded read inside the file still works", guarded_read(m, 20, &maps, &v), 0);

	st = in_child(0, m, &maps);
	CHECK("fault without a guard: killed by SIGBUS", WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS);
	st = in_child(1, m, &maps);
	CHECK("fault outside the guard's mappings: killed by SIGBUS",
	      WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS);
	st = in_child(2, m, &maps);
	CHECK("SIGBUS sent by kill() inside a guard: killed by SIGBUS",
	      WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS);
	UNIT_EXIT();
}
