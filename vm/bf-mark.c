// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bf-mark - a phase mark in the guest's instruction stream, for the exact
 * instruction counter (vm/tcg-insn-count.c, a QEMU TCG plugin).
 *
 *   bf-mark ID      ID: 0 .. 4294967295 (decimal)
 *
 * Executes a sequence of NOPs whose 32-bit displacements the plugin
 * recognises when it translates them (x86-64 "nopl disp32(%rax)",
 * bytes 0f 1f 80 + disp32): one START, then 32 bits of ID, least significant
 * first, each a BIT0 or BIT1, then END. On START the plugin takes a copy of
 * its counters; on an END after 32 bits it writes "mark ID user U kernel K"
 * with that copy. Without the plugin (or on real hardware) these are NOPs
 * and the program does nothing. The constants are shared with the plugin
 * through vm/bf-mark.h.
 *
 * Exit status: 0, or 2 for a missing or malformed ID.
 */
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include "bf-mark.h"

#define BF_STR2(x) #x
#define BF_STR(x) BF_STR2(x)
/* nopl disp32(%rax): 0f 1f 80 + the displacement, little-endian */
#define BF_MARK_NOP(disp) \
	__asm__ volatile(".byte 0x0f, 0x1f, 0x80\n\t.long " BF_STR(disp) ::: "memory")

int main(int argc, char **argv)
{
	char *end;
	unsigned long long v;
	uint32_t id;
	int i;

	if (argc != 2 || !argv[1][0]) {
		fprintf(stderr, "usage: bf-mark ID (0..4294967295)\n");
		return 2;
	}
	v = strtoull(argv[1], &end, 10);
	if (*end || argv[1][0] == '-' || v > UINT32_MAX) {
		fprintf(stderr, "bf-mark: bad ID '%s'\n", argv[1]);
		return 2;
	}
	id = (uint32_t)v;
	BF_MARK_NOP(BF_MARK_START);
	for (i = 0; i < 32; i++) {
		if (id & (1u << i))
			BF_MARK_NOP(BF_MARK_BIT1);
		else
			BF_MARK_NOP(BF_MARK_BIT0);
	}
	BF_MARK_NOP(BF_MARK_END);
	return 0;
}
