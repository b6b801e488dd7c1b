// SPDX-License-Identifier: GPL-2.0
/*
 * zced_aesni_vaes.c - the VAES build of the AES-NI single-pass GCM block
 * functions (zced_aesni_core.h): AVX2 with VAES, whose groups of eight
 * blocks run as four pairs in 256-bit registers. The Kbuild file compiles
 * this file with -mavx2 -mvaes -maes -mpclmul; callers hold
 * kernel_fpu_begin().
 */
#include <linux/compiler.h>
#include <linux/types.h>

#define ZA(name)	zced_aesni_vaes_##name
#define ZCED_AESNI_NAME	"vaes"
#define ZCED_AESNI_VAES	1
#include "zced_aesni_core.h"
