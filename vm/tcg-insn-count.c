// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tcg-insn-count - the exact guest instruction counter of the VM tests, the
 * demo and make eval: a QEMU TCG plugin (QEMU's plugin API version 1, as in
 * QEMU 7.2's include/qemu/qemu-plugin.h, docs/devel/tcg-plugins.rst).
 *
 *   qemu-system-x86_64 ... -smp 1 -plugin PATH/bf-insn-count.so,out=FILE
 *
 * Counts every guest instruction QEMU executes, in two counters: user space
 * (translation blocks at canonical low addresses, bit 63 clear) and kernel
 * (bit 63 set: the x86-64 kernel half). The count is added when a
 * translation block starts (an inline add of its instruction count), so it
 * is exact but for blocks an exception leaves early (a page fault, a
 * #GP): their remaining instructions count too, a few per exception.
 *
 * A REP string instruction counts once per iteration in U and K (as
 * -icount counts it). Two more counters, RU and RK, count the executions
 * of a REP instruction's block after its first (its further iterations and
 * QEMU's last pass that finds RCX = 0; see on_rep_block): U - RU and K - RK
 * count each REP instruction once, as a hardware count of instructions
 * retired does.
 *
 * Phase marks: vm/bf-mark.c executes NOPs that carry a 32-bit mark ID
 * (vm/bf-mark.h). For each complete mark the plugin appends to FILE
 *
 *   mark ID user U kernel K rep_user RU rep_kernel RK
 *
 * the counters when the mark started (since the guest's first
 * instruction). At exit it appends "total user U kernel K rep_user RU
 * rep_kernel RK".
 *
 * Profile (optional): profile=PFILE,from=A,to=B also counts the
 * instructions of every translation block start address, and writes to
 * PFILE, when mark B starts, "ADDR N E" (hex guest address, instructions
 * executed in blocks starting there and times such a block was entered,
 * since mark A started) for every address with N > 0; the E of a
 * function's first address is its calls (and jumps back to its start).
 * Leaf attribution, no call chains: map the addresses
 * with the guest's /proc/kallsyms (eval/insn-profile.sh does).
 *
 * Arguments: out=FILE (required), profile=PFILE, from=ID, to=ID. Refuses to
 * load (non-zero from qemu_plugin_install) without out=, with profile=
 * but not from= and to=, if a file cannot be opened, for a guest that is
 * not x86-64, or with more than one vCPU (the counters are plain 64-bit
 * adds; one vCPU runs in one TCG thread, and -icount implies it).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qemu-plugin.h>
#include "bf-mark.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

enum { CNT_USER, CNT_KERNEL, CNT_REP_USER, CNT_REP_KERNEL, CNT_N };
enum mark_kind { MARK_START = 1, MARK_BIT0, MARK_BIT1, MARK_END };

static uint64_t counts[CNT_N];
static FILE *out;

/* the profile: an open-addressing table of block start addresses */
#define PROF_SLOTS (1u << 20)
struct prof_slot {
	uint64_t addr;	/* 0: free */
	uint64_t n;	/* instructions executed in blocks starting here */
	uint64_t execs;	/* times such a block was entered */
	uint64_t at_from, execs_at_from;	/* n and execs when mark "from" started */
};
static struct prof_slot *prof;
static unsigned int prof_used;
static FILE *prof_out;
static uint32_t prof_from, prof_to;

/* prof_slot_of - the slot of block address ADDR, NULL when the table is full */
static struct prof_slot *prof_slot_of(uint64_t addr)
{
	uint32_t h = (uint32_t)((addr * 0x9e3779b97f4a7c15ull) >> 44) & (PROF_SLOTS - 1);
	unsigned int i;

	for (i = 0; i < PROF_SLOTS; i++, h = (h + 1) & (PROF_SLOTS - 1)) {
		if (prof[h].addr == addr)
			return &prof[h];
		if (!prof[h].addr) {
			if (prof_used >= PROF_SLOTS / 2)
				return NULL;
			prof[h].addr = addr;
			prof_used++;
			return &prof[h];
		}
	}
	return NULL;
}

static void prof_mark(uint32_t id)
{
	unsigned int i;

	if (id == prof_from) {
		for (i = 0; i < PROF_SLOTS; i++) {
			prof[i].at_from = prof[i].n;
			prof[i].execs_at_from = prof[i].execs;
		}
	}
	if (id == prof_to && prof_out) {
		for (i = 0; i < PROF_SLOTS; i++)
			if (prof[i].addr && prof[i].n > prof[i].at_from)
				fprintf(prof_out, "%" PRIx64 " %" PRIu64 " %" PRIu64 "\n",
					prof[i].addr, prof[i].n - prof[i].at_from,
					prof[i].execs - prof[i].execs_at_from);
		fclose(prof_out);
		prof_out = NULL;
	}
}

/* the mark being read: counters copied at its START, the ID's bits so far */
static struct {
	bool open;
	unsigned int nbits;
	uint32_t id;
	uint64_t at[CNT_N];
} mark;

/* mark_kind_of - the mark a translated instruction is, or 0 */
static int mark_kind_of(const struct qemu_plugin_insn *insn)
{
	const uint8_t *b = qemu_plugin_insn_data(insn);
	uint32_t disp;

	if (qemu_plugin_insn_size(insn) != 7 || b[0] != 0x0f || b[1] != 0x1f || b[2] != 0x80)
		return 0;
	disp = (uint32_t)b[3] | (uint32_t)b[4] << 8 | (uint32_t)b[5] << 16 | (uint32_t)b[6] << 24;
	switch (disp) {
	case BF_MARK_START: return MARK_START;
	case BF_MARK_BIT0: return MARK_BIT0;
	case BF_MARK_BIT1: return MARK_BIT1;
	case BF_MARK_END: return MARK_END;
	}
	return 0;
}

static void on_mark(unsigned int vcpu_index, void *udata)
{
	int kind = (int)(uintptr_t)udata;

	(void)vcpu_index;
	switch (kind) {
	case MARK_START:
		mark.open = true;
		mark.nbits = 0;
		mark.id = 0;
		memcpy(mark.at, counts, sizeof(counts));
		break;
	case MARK_BIT0:
	case MARK_BIT1:
		if (!mark.open || mark.nbits >= 32) {
			mark.open = false;
			break;
		}
		if (kind == MARK_BIT1)
			mark.id |= 1u << mark.nbits;
		mark.nbits++;
		break;
	case MARK_END:
		if (mark.open && mark.nbits == 32) {
			fprintf(out, "mark %" PRIu32 " user %" PRIu64 " kernel %" PRIu64
				" rep_user %" PRIu64 " rep_kernel %" PRIu64 "\n",
				mark.id, mark.at[CNT_USER], mark.at[CNT_KERNEL],
				mark.at[CNT_REP_USER], mark.at[CNT_REP_KERNEL]);
			fflush(out);
			if (prof)
				prof_mark(mark.id);
		}
		mark.open = false;
		break;
	}
}

/*
 * is_rep_string - whether INSN is a string instruction with a REP, REPE or
 * REPNE prefix (MOVS, STOS, LODS, CMPS, SCAS, INS, OUTS: opcodes 6C-6F,
 * A4-A7, AA-AF after legacy prefixes and an optional REX; Intel SDM vol. 2,
 * 2.1 and 4.2 "REP/REPE/REPZ/REPNE/REPNZ").
 */
static bool is_rep_string(const struct qemu_plugin_insn *insn)
{
	const uint8_t *b = qemu_plugin_insn_data(insn);
	size_t i, n = qemu_plugin_insn_size(insn);
	bool rep = false;

	for (i = 0; i < n; i++) {
		switch (b[i]) {
		case 0xf2: case 0xf3:			/* REPNE, REP/REPE */
			rep = true;
			continue;
		case 0x26: case 0x2e: case 0x36: case 0x3e:	/* segment, */
		case 0x64: case 0x65: case 0x66: case 0x67:	/* size, */
		case 0xf0:					/* LOCK */
			continue;
		}
		break;
	}
	if (i < n && (b[i] & 0xf0) == 0x40)	/* REX */
		i++;
	if (!rep || i >= n)
		return false;
	return (b[i] >= 0x6c && b[i] <= 0x6f) || (b[i] >= 0xa4 && b[i] <= 0xa7) ||
	       (b[i] >= 0xaa && b[i] <= 0xaf);
}

/*
 * REP string instructions, as QEMU 7.2's x86 translator runs them: one
 * iteration, then a jump back to the instruction, which ends its block;
 * every further iteration, and a last pass that finds RCX = 0 and goes on
 * (QEMU's repz_opt is off), is a block of that one instruction at its
 * address. Those blocks count once each, as -icount counts them; a
 * hardware count of instructions retired counts the REP instruction once.
 * The blocks that end with a REP instruction get a callback with udata
 * packed by rep_udata(); a one-instruction block at the REP address of the
 * block that ran just before it, with nothing run between them, is such a
 * further pass and counts in CNT_REP_*. So U - RU counts each REP once. An
 * interrupt or exception (a page fault) between two iterations makes the
 * next one a new start: such a REP instruction counts once more. Another
 * QEMU may translate REP otherwise (later ones loop inside the block) or
 * order callbacks otherwise: the test in t_vm_insn_count checks the count.
 */
#define REP_ADDR_MASK	((1ull << 48) - 1)
#define REP_N_SHIFT	48
#define REP_KERNEL	(1ull << 63)

/*
 * rep_udata - the callback data of a block of N instructions whose last is
 * the REP instruction at ADDR: the address's low 48 bits, N (at most 512,
 * TCG's limit) from bit 48, the block's kernel half in bit 63.
 */
static void *rep_udata(uint64_t addr, size_t n, bool kernel)
{
	return (void *)(uintptr_t)((addr & REP_ADDR_MASK) | (uint64_t)n << REP_N_SHIFT |
				   (kernel ? REP_KERNEL : 0));
}

static struct {
	uint64_t addr;	/* REP address (low 48 bits) of the last REP block run, or ~0 */
	uint64_t total;	/* counts[CNT_USER] + counts[CNT_KERNEL] at its callback */
	uint64_t n;	/* its instructions */
} rep_last = { .addr = ~0ull };

static void on_rep_block(unsigned int vcpu_index, void *udata)
{
	uint64_t packed = (uint64_t)(uintptr_t)udata;
	uint64_t addr = packed & REP_ADDR_MASK;
	uint64_t n = (packed & ~REP_KERNEL) >> REP_N_SHIFT;
	uint64_t total = counts[CNT_USER] + counts[CNT_KERNEL];

	(void)vcpu_index;
	/*
	 * QEMU 7.2 runs a block's callbacks before its inline adds: nothing
	 * ran between the two blocks when the counters grew by exactly the
	 * last block's instructions.
	 */
	if (n == 1 && addr == rep_last.addr && total - rep_last.total == rep_last.n)
		counts[packed & REP_KERNEL ? CNT_REP_KERNEL : CNT_REP_USER]++;
	rep_last.addr = addr;
	rep_last.total = total;
	rep_last.n = n;
}

static void on_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t i, n = qemu_plugin_tb_n_insns(tb);
	bool kernel = qemu_plugin_tb_vaddr(tb) >> 63;

	(void)id;
	if (n) {
		struct qemu_plugin_insn *last = qemu_plugin_tb_get_insn(tb, n - 1);

		if (is_rep_string(last))
			qemu_plugin_register_vcpu_tb_exec_cb(tb, on_rep_block, QEMU_PLUGIN_CB_NO_REGS,
				rep_udata(qemu_plugin_insn_vaddr(last), n, kernel));
	}
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &counts[kernel ? CNT_KERNEL : CNT_USER], n);
	if (prof) {
		struct prof_slot *ps = prof_slot_of(qemu_plugin_tb_vaddr(tb));

		if (ps) {
			qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
								 &ps->n, n);
			qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
								 &ps->execs, 1);
		}
	}
	if (kernel)
		return;
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		int kind = mark_kind_of(insn);

		if (kind)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_mark,
							       QEMU_PLUGIN_CB_NO_REGS,
							       (void *)(uintptr_t)kind);
	}
}

static void on_qemu_exit(qemu_plugin_id_t id, void *udata)
{
	(void)id;
	(void)udata;
	fprintf(out, "total user %" PRIu64 " kernel %" PRIu64 " rep_user %" PRIu64
		" rep_kernel %" PRIu64 "\n", counts[CNT_USER], counts[CNT_KERNEL],
		counts[CNT_REP_USER], counts[CNT_REP_KERNEL]);
	fclose(out);
	out = NULL;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	const char *path = NULL, *ppath = NULL;
	bool have_from = false, have_to = false;
	char *end;
	int i;

	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4) && argv[i][4]) {
			path = argv[i] + 4;
		} else if (!strncmp(argv[i], "profile=", 8) && argv[i][8]) {
			ppath = argv[i] + 8;
		} else if (!strncmp(argv[i], "from=", 5) && argv[i][5]) {
			prof_from = (uint32_t)strtoul(argv[i] + 5, &end, 10);
			have_from = !*end;
		} else if (!strncmp(argv[i], "to=", 3) && argv[i][3]) {
			prof_to = (uint32_t)strtoul(argv[i] + 3, &end, 10);
			have_to = !*end;
		} else {
			fprintf(stderr, "bf-insn-count: unknown argument '%s' (out=FILE [profile=PFILE from=ID to=ID])\n",
				argv[i]);
			return -1;
		}
	}
	if (!path) {
		fprintf(stderr, "bf-insn-count: out=FILE is required\n");
		return -1;
	}
	if (info->system_emulation && info->system.max_vcpus > 1) {
		fprintf(stderr, "bf-insn-count: %d vCPUs: counts only one (-smp 1)\n",
			info->system.max_vcpus);
		return -1;
	}
	if (strcmp(info->target_name, "x86_64")) {
		fprintf(stderr, "bf-insn-count: target %s: x86_64 only\n", info->target_name);
		return -1;
	}
	if (ppath && (!have_from || !have_to)) {
		fprintf(stderr, "bf-insn-count: profile= needs from=ID and to=ID (mark IDs)\n");
		return -1;
	}
	out = fopen(path, "w");
	if (!out) {
		perror(path);
		return -1;
	}
	if (ppath) {
		prof = calloc(PROF_SLOTS, sizeof(*prof));
		prof_out = fopen(ppath, "w");
		if (!prof || !prof_out) {
			perror(ppath);
			return -1;
		}
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_trans);
	qemu_plugin_register_atexit_cb(id, on_qemu_exit, NULL);
	return 0;
}
