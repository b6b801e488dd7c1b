/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * bf-mark.h - the phase marks of the exact instruction counter: the 32-bit
 * displacements of the x86-64 NOP "nopl disp32(%rax)" (0f 1f 80 disp32)
 * that vm/bf-mark.c executes and vm/tcg-insn-count.c recognises. They share
 * the high 24 bits BF_MARK_MAGIC, which no compiler emits as the
 * displacement of a padding NOP (those use 0).
 */
#ifndef BF_MARK_H
#define BF_MARK_H

#define BF_MARK_MAGIC 0xbf1f5a00u
#define BF_MARK_START 0xbf1f5a01
#define BF_MARK_BIT0  0xbf1f5a02
#define BF_MARK_BIT1  0xbf1f5a03
#define BF_MARK_END   0xbf1f5a04

#endif
