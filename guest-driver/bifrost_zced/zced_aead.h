/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Single-pass AES-GCM for ZCED sockets (OTTR).
 *
 * kTLS on a ZCED socket encrypts records straight into shared pool pages and
 * decrypts them straight out of shared pool pages. This AEAD reads every
 * byte of a shared source exactly once and never reads its destination, so
 * a host that rewrites shared memory during an operation cannot get data
 * authenticated that the guest did not see (see zced_aead.c).
 */
#ifndef _BIFROST_ZCED_AEAD_H
#define _BIFROST_ZCED_AEAD_H

#include <linux/types.h>

/* cra_name and cra_driver_name; kTLS asks for it by this name on ZCED sockets */
#define BIFROST_ZCED_AEAD_NAME	"bifrost_zced_gcm_aes"

/* Totals since load, summed over all CPUs. */
struct bifrost_zced_aead_stats {
	u64 enc_records;	/* successful encryptions */
	u64 dec_records;	/* decryptions whose tag matched */
	u64 dec_auth_failures;	/* decryptions that returned -EBADMSG */
	u64 enc_bytes;		/* ciphertext bytes written (tag excluded) */
	u64 dec_bytes;		/* ciphertext bytes read (tag excluded) */
	u64 enc_pool_bytes;	/* ... of enc_bytes, written into pool pages */
	u64 dec_pool_bytes;	/* ... of dec_bytes, read from pool pages */
	u64 portable_ops;	/* operations done in portable C, not AES-NI */
};

/*
 * Registers the AEAD; picks its implementation from the CPU's features:
 * AES-NI + PCLMULQDQ (AVX build, or SSE build without AVX), else portable C.
 * ottr false (bifrost-no-ottr): the kernel's own AES-GCM instead, reading
 * shared memory as it likes (see zced_aead.c).
 */
int bifrost_zced_aead_register(bool ottr);
/* "avx", "sse" (the AES-NI builds), "portable", or "kernel" (ottr false) */
const char *bifrost_zced_aead_impl(void);
void bifrost_zced_aead_unregister(void);
void bifrost_zced_aead_stats(struct bifrost_zced_aead_stats *out);

/*
 * Known-answer tests, then randomized comparison with the kernel's
 * "gcm(aes)". Needs bifrost_zced_aead_register() first. Returns 0 or -errno.
 * Its own operations are not counted in the stats.
 */
int bifrost_zced_aead_selftest(void);

/* zced_aead.c: controls for zced_aead_selftest.c */
struct crypto_aead;
/* the tfm's operations are not counted; portable: portable C only */
void zced_aead_test_mode(struct crypto_aead *tfm, bool portable);
/* "avx", "sse", "portable C", or the kernel driver's name (ottr=0) */
const char *zced_aead_tfm_impl(struct crypto_aead *tfm);
bool zced_aead_has_aesni(void);
/* whether @tfm is an instance of this AEAD (a pointer comparison) */
bool zced_aead_is_ours(const struct crypto_aead *tfm);

#endif /* _BIFROST_ZCED_AEAD_H */
