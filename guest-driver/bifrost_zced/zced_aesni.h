/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Single-pass AES-GCM on AES-NI and PCLMULQDQ for ZCED sockets (OTTR).
 *
 * The block functions load every 16-byte block of their source exactly once
 * (a volatile load into a vector register) and never load from their
 * destination: the keystream XOR, the GHASH update and the store are all
 * done from that one register copy. See zced_aesni_core.h for the
 * algorithm and zced_aead.c for the glue (scatterlist walk, partial
 * blocks, the tag).
 *
 * Three builds of the same code: zced_aesni_vaes.o (AVX2 and VAES: the
 * groups of eight blocks as pairs in 256-bit registers, for CPUs with VAES),
 * zced_aesni_avx.o (VEX-encoded, for CPUs with AVX) and zced_aesni_sse.o
 * (SSE4.1, for AES-NI CPUs without AVX). Callers
 * hold kernel_fpu_begin() around every call and use the ops of
 * zced_aesni_ops(), which is NULL on a CPU without AES-NI or PCLMULQDQ.
 */
#ifndef _BIFROST_ZCED_AESNI_H
#define _BIFROST_ZCED_AESNI_H

#include <linux/types.h>

#define ZCED_AESNI_MAXROUNDS	14
#define ZCED_AESNI_HPOWERS	8	/* blocks hashed per reduction */

/**
 * struct zced_aesni_key - expanded key material of one AES-GCM key
 * @rk: AES round keys 0..@rounds, in the byte order AESENC takes (that of
 *      struct crypto_aes_ctx.key_enc)
 * @hp: H^1 .. H^8 (H = E(K, 0^128)), each block byte-reversed (GHASH is
 *      computed on byte-reversed blocks, so that CPU bit order is GCM's)
 * @rounds: 10, 12 or 14
 */
struct zced_aesni_key {
	u8 rk[ZCED_AESNI_MAXROUNDS + 1][16];
	u8 hp[ZCED_AESNI_HPOWERS][16];
	u32 rounds;
} __aligned(16);

/**
 * struct zced_aesni_state - one GCM operation in progress
 * @acc: GHASH accumulator, byte-reversed
 * @ctr: the next counter block, byte-reversed (its 32-bit counter is the
 *       low lane)
 */
struct zced_aesni_state {
	u8 acc[16];
	u8 ctr[16];
} __aligned(16);

/**
 * struct zced_aesni_ops - one build (VAES, AVX or SSE) of the block functions
 * @name: "vaes", "avx" or "sse", for sysfs
 * @setkey: fill @k from the expanded encryption key @key_enc (as
 *          aes_expandkey() leaves it) of @rounds rounds: round keys, H and
 *          its powers
 * @start: begin an operation with the 96-bit @iv: counter at inc32(J0),
 *         GHASH 0; writes E(K, J0) (which masks the tag) to @ekj0
 * @ghash: GHASH @nblocks full blocks at @p (the AAD; private memory)
 * @enc: encrypt @nblocks full blocks @src -> @dst, GHASH of the ciphertext
 *       computed from registers; @src may equal @dst
 * @dec: decrypt @nblocks full blocks @src -> @dst, GHASH of the ciphertext
 *       as loaded; @src may equal @dst
 * @enc_tail: encrypt the last @n (1..15) bytes, in place in the private
 *            block @blk; bytes @n..15 of @blk become 0
 * @dec_tail: the same for decryption
 * @finish: fold in the lengths (bytes of AAD and of text), write the tag
 */
struct zced_aesni_ops {
	const char *name;
	void (*setkey)(struct zced_aesni_key *k, const u32 *key_enc, u32 rounds);
	void (*start)(const struct zced_aesni_key *k, struct zced_aesni_state *st,
		      const u8 *iv, u8 *ekj0);
	void (*ghash)(const struct zced_aesni_key *k, struct zced_aesni_state *st,
		      const u8 *p, unsigned int nblocks);
	void (*enc)(const struct zced_aesni_key *k, struct zced_aesni_state *st,
		    u8 *dst, const u8 *src, unsigned int nblocks);
	void (*dec)(const struct zced_aesni_key *k, struct zced_aesni_state *st,
		    u8 *dst, const u8 *src, unsigned int nblocks);
	void (*enc_tail)(const struct zced_aesni_key *k, struct zced_aesni_state *st,
			 u8 *blk, unsigned int n);
	void (*dec_tail)(const struct zced_aesni_key *k, struct zced_aesni_state *st,
			 u8 *blk, unsigned int n);
	void (*finish)(const struct zced_aesni_key *k, struct zced_aesni_state *st,
		       u64 alen, u64 clen, const u8 *ekj0, u8 *tag);
};

extern const struct zced_aesni_ops zced_aesni_vaes_ops;
extern const struct zced_aesni_ops zced_aesni_avx_ops;
extern const struct zced_aesni_ops zced_aesni_sse_ops;

#endif /* _BIFROST_ZCED_AESNI_H */
