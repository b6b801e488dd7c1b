// SPDX-License-Identifier: GPL-2.0
/*
 * zced_aesni_avx.c - the AVX build of the AES-NI single-pass GCM block
 * functions (zced_aesni_core.h). The Kbuild file compiles this file with
 * -mavx -maes -mpclmul; callers hold kernel_fpu_begin().
 */
#include <linux/compiler.h>
#include <linux/types.h>

#define ZA(name)	zced_aesni_avx_##name
#define ZCED_AESNI_NAME	"avx"
#include "zced_aesni_core.h"
