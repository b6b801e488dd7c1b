// SPDX-License-Identifier: GPL-2.0
/*
 * "bifrost_zced_gcm_aes": AES-GCM (12-byte IV) that reads each byte of its
 * source exactly once and never reads its destination.
 *
 * On a ZCED socket kTLS encrypts records straight into pool pages, which the
 * host can read and rewrite at any time, and decrypts records straight out
 * of them. The gcm(aes) template is unsafe there: it walks the source twice
 * (GHASH pass, then CTR pass) and, when encrypting, computes GHASH over the
 * ciphertext it has just written to the destination. A host that rewrites
 * the buffer between the passes gets its bytes authenticated (decrypt: the
 * tag checked covers other bytes than those decrypted; encrypt: the tag
 * covers ciphertext the host chose).
 *
 * Here an operation is one forward walk over src and one over dst, through a
 * private bounce chunk in the request context (OTTR, one-time trusted read):
 *
 *   AAD:     src -> chunk; GHASH(chunk). Not copied to dst.
 *   decrypt: src -> chunk; GHASH(chunk); CTR(chunk); chunk -> dst.
 *            The tag is copied once into the request context and compared
 *            there with crypto_memneq(); a mismatch is -EBADMSG.
 *   encrypt: src -> chunk; CTR(chunk); GHASH(chunk); chunk -> dst, then the
 *            tag, computed from private state, -> dst. dst is never read.
 *
 * src == dst works because a chunk is read before it is written back to the
 * same place and the walks only move forward. Chunks are a multiple of the
 * block size, so GHASH and CTR never carry a partial block between chunks.
 *
 * As with any GCM, decryption writes plaintext to dst before the tag is
 * checked; on -EBADMSG the caller must discard it. dst of a decryption must
 * be private memory, or the host sees the plaintext.
 *
 * Two implementations behind the one algorithm:
 *  - AES-NI + PCLMULQDQ (zced_aesni_core.h, AVX or SSE build), whenever the
 *    CPU has them and the FPU is usable: runs of whole blocks are processed
 *    straight from the mapped source page to the mapped destination page
 *    (each block loaded once into a register, see zced_aesni.h); a block
 *    that straddles a page or segment boundary, and the last partial block,
 *    go through a private 16-byte block (read once, written once).
 *  - portable C (below), for CPUs without AES-NI and for calls where the FPU
 *    cannot be used (counted: portable_ops): the private bounce chunk
 *    described above. Block cipher: crypto_cipher "aes" (the best
 *    single-block AES registered). GHASH: 8-bit tables ("4k", as lib
 *    gf128mul's lle variant), one per key, kept in CPU byte order so the
 *    multiply does no byte swapping.
 */
#define pr_fmt(fmt) "bifrost_zced_aead: " fmt

#include <crypto/aes.h>
#include <crypto/algapi.h>
#include <crypto/gcm.h>
#include <crypto/internal/aead.h>
#include <crypto/internal/cipher.h>
#include <crypto/scatterwalk.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/simd.h>
#include <asm/unaligned.h>
#include <crypto/internal/simd.h>
#include "bifrost_zced.h"
#include "zced_aead.h"
#include "zced_aesni.h"

MODULE_IMPORT_NS(CRYPTO_INTERNAL);

#define ZCED_BLOCK	16
/*
 * Bounce chunk, in the request context. 256..2048 bytes cost within 1% of
 * each other per 16 KiB record; 16 costs 20% more.
 */
#define ZCED_CHUNK	512
static_assert(ZCED_CHUNK % ZCED_BLOCK == 0);

/*
 * An element of GF(2^128) in GCM's bit order, as two CPU-endian halves:
 * hi holds bytes 0-7 of the block read big-endian, lo bytes 8-15. The
 * coefficient of x^0 is the top bit of hi; multiplying by x is a right shift.
 */
struct zced_u128 {
	u64 hi, lo;
};

/* t[b] = b * H, for the 256 polynomials b of degree < 8 (bit 7 = x^0) */
struct zced_htab {
	struct zced_u128 t[256];
};

/* x^128 reduction of a byte shifted out at the low end, in hi's top 16 bits */
static u16 zced_red[256] __read_mostly;

struct zced_gcm_ctx {
	struct crypto_cipher *aes;
	struct zced_htab *htab;		/* for the GHASH key H = E(K, 0^128) */
	struct zced_aesni_key *ak;	/* AES-NI key material (16-aligned in ak_mem) */
	void *ak_mem;
	bool ak_ready;			/* ak holds the current key */
	bool selftest;			/* the self-test's: not counted */
	bool portable;			/* the self-test's: portable C only */
};

/* the AES-NI build this CPU runs, or NULL (no AES-NI/PCLMULQDQ) */
static const struct zced_aesni_ops *zced_aesni __read_mostly;

/* Per request; the only memory the data passes through besides src/dst. */
struct zced_gcm_req {
	u8 buf[ZCED_CHUNK];	/* private copy of the current chunk */
	struct zced_u128 acc;	/* GHASH state */
	__be32 ctr[4];		/* IV || 32-bit block counter */
	u32 ctr32;		/* next counter value */
	u8 ks[ZCED_BLOCK];	/* one block of keystream */
	u8 ekj0[ZCED_BLOCK];	/* E(K, J0), masks the tag */
	u8 tag[ZCED_BLOCK];	/* computed tag */
	struct scatter_walk in, out;
};

struct zced_pcpu_stats {
	u64 enc_records;
	u64 dec_records;
	u64 dec_auth_failures;
	u64 enc_bytes;
	u64 dec_bytes;
	u64 enc_pool_bytes;
	u64 dec_pool_bytes;
	u64 portable_ops;
};

static DEFINE_PER_CPU(struct zced_pcpu_stats, zced_stats);

void bifrost_zced_aead_stats(struct bifrost_zced_aead_stats *out)
{
	int cpu;

	memset(out, 0, sizeof(*out));
	for_each_possible_cpu(cpu) {
		const struct zced_pcpu_stats *s = per_cpu_ptr(&zced_stats, cpu);

		out->enc_records += READ_ONCE(s->enc_records);
		out->dec_records += READ_ONCE(s->dec_records);
		out->dec_auth_failures += READ_ONCE(s->dec_auth_failures);
		out->enc_bytes += READ_ONCE(s->enc_bytes);
		out->dec_bytes += READ_ONCE(s->dec_bytes);
		out->enc_pool_bytes += READ_ONCE(s->enc_pool_bytes);
		out->dec_pool_bytes += READ_ONCE(s->dec_pool_bytes);
		out->portable_ops += READ_ONCE(s->portable_ops);
	}
}
EXPORT_SYMBOL_GPL(bifrost_zced_aead_stats);

enum zced_dir { ZCED_READ, ZCED_WRITE, ZCED_SKIP };

static void zced_walk_start(struct scatter_walk *w, struct scatterlist *sg)
{
	w->sg = sg;
	w->offset = sg ? sg->offset : 0;
}

/*
 * Moves the walk forward by n bytes, copying them from the scatterlist into
 * buf (ZCED_READ), from buf into the scatterlist (ZCED_WRITE), or not at
 * all (ZCED_SKIP). Each byte is touched by exactly one memcpy(). When pool
 * is set, the bytes that lay in ZCED pool pages are added to it (decided per
 * page). -EINVAL if the scatterlist ends early.
 */
static int zced_walk(struct scatter_walk *w, u8 *buf, unsigned int n,
		     enum zced_dir dir, u64 *pool)
{
	while (n) {
		unsigned int len;
		struct page *page;
		u8 *va;

		if (unlikely(!w->sg))
			return -EINVAL;
		len = scatterwalk_pagelen(w);
		if (!len) {
			zced_walk_start(w, sg_next(w->sg));
			continue;
		}
		len = min(len, n);
		if (dir != ZCED_SKIP) {
			page = scatterwalk_page(w);
			va = kmap_local_page(page);
			if (dir == ZCED_READ) {
				memcpy(buf, va + offset_in_page(w->offset), len);
			} else {
				memcpy(va + offset_in_page(w->offset), buf, len);
				flush_dcache_page(page);
			}
			kunmap_local(va);
			if (pool && bifrost_zced_page_in_pool(page))
				*pool += len;
			buf += len;
		}
		scatterwalk_advance(w, len);
		n -= len;
	}
	return 0;
}

static void zced_init_red(void)
{
	unsigned int i, k;

	for (i = 0; i < 256; i++) {
		u16 r = 0;

		for (k = 0; k < 8; k++)
			if (i & (1 << k))
				r ^= 0xe100 >> (7 - k);
		zced_red[i] = r;
	}
}

/* z = z * x^8 + e */
static __always_inline void zced_mul_step(u64 *zh, u64 *zl,
					  const struct zced_u128 *e)
{
	u64 r = zced_red[*zl & 0xff];

	*zl = ((*zl >> 8) | (*zh << 56)) ^ e->lo;
	*zh = ((*zh >> 8) ^ (r << 48)) ^ e->hi;
}

/* acc = (acc + block) * H, Horner over the 16 bytes of acc, last byte first */
static inline void zced_ghash_block(const struct zced_gcm_ctx *ctx,
				    struct zced_gcm_req *rc, const u8 *p)
{
	const struct zced_u128 *t = ctx->htab->t;
	u64 a = rc->acc.hi ^ get_unaligned_be64(p);
	u64 b = rc->acc.lo ^ get_unaligned_be64(p + 8);
	u64 zh = t[b & 0xff].hi, zl = t[b & 0xff].lo;

	/* unrolled: ~12% fewer instructions than a loop over the bytes */
	zced_mul_step(&zh, &zl, &t[(b >> 8) & 0xff]);
	zced_mul_step(&zh, &zl, &t[(b >> 16) & 0xff]);
	zced_mul_step(&zh, &zl, &t[(b >> 24) & 0xff]);
	zced_mul_step(&zh, &zl, &t[(b >> 32) & 0xff]);
	zced_mul_step(&zh, &zl, &t[(b >> 40) & 0xff]);
	zced_mul_step(&zh, &zl, &t[(b >> 48) & 0xff]);
	zced_mul_step(&zh, &zl, &t[b >> 56]);
	zced_mul_step(&zh, &zl, &t[a & 0xff]);
	zced_mul_step(&zh, &zl, &t[(a >> 8) & 0xff]);
	zced_mul_step(&zh, &zl, &t[(a >> 16) & 0xff]);
	zced_mul_step(&zh, &zl, &t[(a >> 24) & 0xff]);
	zced_mul_step(&zh, &zl, &t[(a >> 32) & 0xff]);
	zced_mul_step(&zh, &zl, &t[(a >> 40) & 0xff]);
	zced_mul_step(&zh, &zl, &t[(a >> 48) & 0xff]);
	zced_mul_step(&zh, &zl, &t[a >> 56]);
	rc->acc.hi = zh;
	rc->acc.lo = zl;
}

/* GHASH over n bytes of buf, the last block zero-padded (in buf) */
static void zced_ghash_chunk(const struct zced_gcm_ctx *ctx,
			     struct zced_gcm_req *rc, unsigned int n)
{
	u8 *p = rc->buf;

	for (; n >= ZCED_BLOCK; n -= ZCED_BLOCK, p += ZCED_BLOCK)
		zced_ghash_block(ctx, rc, p);
	if (n) {
		memset(p + n, 0, ZCED_BLOCK - n);
		zced_ghash_block(ctx, rc, p);
	}
}

static inline void zced_keystream(const struct zced_gcm_ctx *ctx,
				  struct zced_gcm_req *rc)
{
	rc->ctr[3] = cpu_to_be32(rc->ctr32++);
	crypto_cipher_encrypt_one(ctx->aes, rc->ks, (const u8 *)rc->ctr);
}

/* buf[0..n): plaintext -> ciphertext, then GHASH of the ciphertext */
static void zced_enc_chunk(const struct zced_gcm_ctx *ctx,
			   struct zced_gcm_req *rc, unsigned int n)
{
	u8 *p = rc->buf;

	for (; n >= ZCED_BLOCK; n -= ZCED_BLOCK, p += ZCED_BLOCK) {
		zced_keystream(ctx, rc);
		crypto_xor(p, rc->ks, ZCED_BLOCK);
		zced_ghash_block(ctx, rc, p);
	}
	if (n) {
		zced_keystream(ctx, rc);
		crypto_xor(p, rc->ks, n);
		memset(p + n, 0, ZCED_BLOCK - n);
		zced_ghash_block(ctx, rc, p);
	}
}

/* buf[0..n): GHASH of the ciphertext, then ciphertext -> plaintext */
static void zced_dec_chunk(const struct zced_gcm_ctx *ctx,
			   struct zced_gcm_req *rc, unsigned int n)
{
	u8 *p = rc->buf;

	for (; n >= ZCED_BLOCK; n -= ZCED_BLOCK, p += ZCED_BLOCK) {
		zced_ghash_block(ctx, rc, p);
		zced_keystream(ctx, rc);
		crypto_xor(p, rc->ks, ZCED_BLOCK);
	}
	if (n) {
		memset(p + n, 0, ZCED_BLOCK - n);
		zced_ghash_block(ctx, rc, p);
		zced_keystream(ctx, rc);
		crypto_xor(p, rc->ks, n);
	}
}

/*
 * The end of an operation, both implementations: encrypt writes the tag
 * (computed from private state) after the ciphertext; decrypt reads the
 * received tag once into private memory and compares it there (-EBADMSG on
 * a mismatch). Then the counters (not for the self-test's own operations).
 */
static int zced_tag_and_count(const struct zced_gcm_ctx *ctx,
			      struct zced_gcm_req *rc, bool enc, const u8 *tag,
			      unsigned int authsize, unsigned int cryptlen,
			      u64 pool)
{
	int err;

	if (enc) {
		err = zced_walk(&rc->out, (u8 *)tag, authsize, ZCED_WRITE, NULL);
		if (err || ctx->selftest)
			return err;
		this_cpu_inc(zced_stats.enc_records);
		this_cpu_add(zced_stats.enc_bytes, cryptlen);
		this_cpu_add(zced_stats.enc_pool_bytes, pool);
		return 0;
	}
	err = zced_walk(&rc->in, rc->buf, authsize, ZCED_READ, NULL);
	if (err)
		return err;
	if (crypto_memneq(rc->buf, tag, authsize))
		err = -EBADMSG;
	if (ctx->selftest)
		return err;
	this_cpu_add(zced_stats.dec_bytes, cryptlen);
	this_cpu_add(zced_stats.dec_pool_bytes, pool);
	if (err)
		this_cpu_inc(zced_stats.dec_auth_failures);
	else
		this_cpu_inc(zced_stats.dec_records);
	return err;
}

static int zced_gcm_crypt(struct aead_request *req, bool enc)
{
	struct crypto_aead *tfm = crypto_aead_reqtfm(req);
	const struct zced_gcm_ctx *ctx = crypto_aead_ctx(tfm);
	struct zced_gcm_req *rc = aead_request_ctx(req);
	unsigned int authsize = crypto_aead_authsize(tfm);
	unsigned int cryptlen = req->cryptlen;
	unsigned int left, n;
	u8 lens[ZCED_BLOCK];
	u64 pool = 0;
	int err;

	if (!enc) {
		if (cryptlen < authsize)
			return -EINVAL;
		cryptlen -= authsize;
	}

	/* J0 = IV || 0^31 || 1; data blocks use inc32(J0) onwards */
	memcpy(rc->ctr, req->iv, GCM_AES_IV_SIZE);
	rc->ctr[3] = cpu_to_be32(1);
	crypto_cipher_encrypt_one(ctx->aes, rc->ekj0, (const u8 *)rc->ctr);
	rc->ctr32 = 2;
	memset(&rc->acc, 0, sizeof(rc->acc));

	zced_walk_start(&rc->in, req->src);
	for (left = req->assoclen; left; left -= n) {
		n = min_t(unsigned int, left, ZCED_CHUNK);
		err = zced_walk(&rc->in, rc->buf, n, ZCED_READ, NULL);
		if (err)
			goto out;
		zced_ghash_chunk(ctx, rc, n);
	}

	zced_walk_start(&rc->out, req->dst);
	err = zced_walk(&rc->out, NULL, req->assoclen, ZCED_SKIP, NULL);
	if (err)
		goto out;

	for (left = cryptlen; left; left -= n) {
		n = min_t(unsigned int, left, ZCED_CHUNK);
		err = zced_walk(&rc->in, rc->buf, n, ZCED_READ,
				enc ? NULL : &pool);
		if (err)
			goto out;
		if (enc)
			zced_enc_chunk(ctx, rc, n);
		else
			zced_dec_chunk(ctx, rc, n);
		err = zced_walk(&rc->out, rc->buf, n, ZCED_WRITE,
				enc ? &pool : NULL);
		if (err)
			goto out;
	}

	put_unaligned_be64((u64)req->assoclen * 8, lens);
	put_unaligned_be64((u64)cryptlen * 8, lens + 8);
	zced_ghash_block(ctx, rc, lens);
	put_unaligned_be64(rc->acc.hi, rc->tag);
	put_unaligned_be64(rc->acc.lo, rc->tag + 8);
	crypto_xor(rc->tag, rc->ekj0, ZCED_BLOCK);

	err = zced_tag_and_count(ctx, rc, enc, rc->tag, authsize, cryptlen, pool);

out:
	/* the last plaintext chunk (decrypt) and the keystream */
	if (!enc)
		memzero_explicit(rc->buf, round_up(min_t(unsigned int, cryptlen,
							 ZCED_CHUNK),
						   ZCED_BLOCK));
	memzero_explicit(rc->ks, sizeof(rc->ks));
	memzero_explicit(rc->ekj0, sizeof(rc->ekj0));
	memzero_explicit(&rc->acc, sizeof(rc->acc));
	return err;
}

/* skips finished scatterlist entries; bytes left in the walk's current page */
static unsigned int zced_walk_avail(struct scatter_walk *w)
{
	while (w->sg && !scatterwalk_pagelen(w))
		zced_walk_start(w, sg_next(w->sg));
	return w->sg ? scatterwalk_pagelen(w) : 0;
}

/* whole blocks processed between two kernel_fpu_end()/begin() */
#define ZCED_FPU_SPAN	4096

/*
 * The text of an AES-NI operation: runs of whole blocks straight from the
 * source page to the destination page, a block straddling a page or segment
 * boundary (and the last partial one) through the private block blk.
 * Called and returns with the FPU held.
 */
static int zced_aesni_text(const struct zced_aesni_key *k,
			   struct zced_aesni_state *st, struct zced_gcm_req *rc,
			   u8 *blk, unsigned int left, bool enc, u64 *pool)
{
	const struct zced_aesni_ops *ops = zced_aesni;
	unsigned int n, span = 0;
	int err;

	while (left) {
		unsigned int a = zced_walk_avail(&rc->in);
		unsigned int b = zced_walk_avail(&rc->out);

		if (!a || !b)
			return -EINVAL;
		n = round_down(min3(a, b, left), ZCED_BLOCK);
		if (n) {
			struct page *sp = scatterwalk_page(&rc->in);
			struct page *dp = scatterwalk_page(&rc->out);
			u8 *s = kmap_local_page(sp), *d = kmap_local_page(dp);

			n = min_t(unsigned int, n, ZCED_FPU_SPAN);
			(enc ? ops->enc : ops->dec)(k, st,
				d + offset_in_page(rc->out.offset),
				s + offset_in_page(rc->in.offset), n / ZCED_BLOCK);
			kunmap_local(d);
			kunmap_local(s);
			flush_dcache_page(dp);
			if (bifrost_zced_page_in_pool(enc ? dp : sp))
				*pool += n;
			scatterwalk_advance(&rc->in, n);
			scatterwalk_advance(&rc->out, n);
		} else {
			n = min_t(unsigned int, left, ZCED_BLOCK);
			err = zced_walk(&rc->in, blk, n, ZCED_READ, enc ? NULL : pool);
			if (err)
				return err;
			if (n == ZCED_BLOCK)
				(enc ? ops->enc : ops->dec)(k, st, blk, blk, 1);
			else
				(enc ? ops->enc_tail : ops->dec_tail)(k, st, blk, n);
			err = zced_walk(&rc->out, blk, n, ZCED_WRITE, enc ? pool : NULL);
			if (err)
				return err;
		}
		left -= n;
		span += n;
		if (span >= ZCED_FPU_SPAN) {	/* let the scheduler in */
			kernel_fpu_end();
			kernel_fpu_begin();
			span = 0;
		}
	}
	return 0;
}

/*
 * zced_gcm_crypt() on AES-NI: the same walks, AAD through the private chunk
 * (it is small), the text as zced_aesni_text() does, the tag as below.
 */
static int zced_aesni_crypt(struct aead_request *req, bool enc)
{
	struct crypto_aead *tfm = crypto_aead_reqtfm(req);
	const struct zced_gcm_ctx *ctx = crypto_aead_ctx(tfm);
	const struct zced_aesni_ops *ops = zced_aesni;
	struct zced_gcm_req *rc = aead_request_ctx(req);
	unsigned int authsize = crypto_aead_authsize(tfm);
	unsigned int cryptlen = req->cryptlen;
	struct zced_aesni_state st;
	u8 blk[ZCED_BLOCK] __aligned(16), ekj0[ZCED_BLOCK] __aligned(16);
	u8 tag[ZCED_BLOCK] __aligned(16);
	unsigned int left, n;
	u64 pool = 0;
	int err = 0;

	if (!enc) {
		if (cryptlen < authsize)
			return -EINVAL;
		cryptlen -= authsize;
	}

	kernel_fpu_begin();
	ops->start(ctx->ak, &st, req->iv, ekj0);
	zced_walk_start(&rc->in, req->src);
	for (left = req->assoclen; left; left -= n) {
		n = min_t(unsigned int, left, ZCED_CHUNK);
		err = zced_walk(&rc->in, rc->buf, n, ZCED_READ, NULL);
		if (err)
			goto out_fpu;
		memset(rc->buf + n, 0, round_up(n, ZCED_BLOCK) - n);
		ops->ghash(ctx->ak, &st, rc->buf, DIV_ROUND_UP(n, ZCED_BLOCK));
		/* a long AAD (AF_ALG users) lets the scheduler in too */
		if (left > n && (req->assoclen - left + n) % ZCED_FPU_SPAN == 0) {
			kernel_fpu_end();
			kernel_fpu_begin();
		}
	}
	zced_walk_start(&rc->out, req->dst);
	err = zced_walk(&rc->out, NULL, req->assoclen, ZCED_SKIP, NULL);
	if (err)
		goto out_fpu;
	err = zced_aesni_text(ctx->ak, &st, rc, blk, cryptlen, enc, &pool);
	if (err)
		goto out_fpu;
	ops->finish(ctx->ak, &st, req->assoclen, cryptlen, ekj0, tag);
out_fpu:
	kernel_fpu_end();
	if (err)
		goto out;

	err = zced_tag_and_count(ctx, rc, enc, tag, authsize, cryptlen, pool);
out:
	memzero_explicit(blk, sizeof(blk));
	memzero_explicit(ekj0, sizeof(ekj0));
	memzero_explicit(tag, sizeof(tag));
	memzero_explicit(&st, sizeof(st));
	return err;
}

/* AES-NI when the CPU has it, the key is loaded and the FPU may be used */
static int zced_gcm_dispatch(struct aead_request *req, bool enc)
{
	const struct zced_gcm_ctx *ctx = crypto_aead_ctx(crypto_aead_reqtfm(req));

	if (ctx->ak_ready && !ctx->portable && crypto_simd_usable())
		return zced_aesni_crypt(req, enc);
	if (!ctx->selftest)
		this_cpu_inc(zced_stats.portable_ops);
	return zced_gcm_crypt(req, enc);
}

static int zced_gcm_encrypt(struct aead_request *req)
{
	return zced_gcm_dispatch(req, true);
}

static int zced_gcm_decrypt(struct aead_request *req)
{
	return zced_gcm_dispatch(req, false);
}

/* t[b] = b * H; bit 7 of b is x^0, so t[0x80] = H and t[0x40] = H * x */
static void zced_htab_init(struct zced_htab *h, const u8 hkey[ZCED_BLOCK])
{
	struct zced_u128 *t = h->t;
	unsigned int i, j;

	t[0].hi = 0;
	t[0].lo = 0;
	t[0x80].hi = get_unaligned_be64(hkey);
	t[0x80].lo = get_unaligned_be64(hkey + 8);
	for (i = 0x40; i; i >>= 1) {
		const struct zced_u128 *s = &t[i << 1];
		u64 carry = s->lo & 1;

		t[i].lo = (s->lo >> 1) | (s->hi << 63);
		t[i].hi = (s->hi >> 1) ^ (carry ? 0xe100000000000000ULL : 0);
	}
	for (i = 2; i < 256; i <<= 1) {
		for (j = 1; j < i; j++) {
			t[i + j].hi = t[i].hi ^ t[j].hi;
			t[i + j].lo = t[i].lo ^ t[j].lo;
		}
	}
}

static int zced_gcm_setkey(struct crypto_aead *tfm, const u8 *key,
			   unsigned int keylen)
{
	struct zced_gcm_ctx *ctx = crypto_aead_ctx(tfm);
	u8 h[ZCED_BLOCK] = {};
	int err;

	err = aes_check_keylen(keylen);
	if (err)
		return err;
	err = crypto_cipher_setkey(ctx->aes, key, keylen);
	if (err)
		return err;
	crypto_cipher_encrypt_one(ctx->aes, h, h);
	zced_htab_init(ctx->htab, h);
	memzero_explicit(h, sizeof(h));

	ctx->ak_ready = false;
	if (ctx->ak && irq_fpu_usable()) {
		struct crypto_aes_ctx aes;

		err = aes_expandkey(&aes, key, keylen);
		if (err)
			return err;
		kernel_fpu_begin();
		zced_aesni->setkey(ctx->ak, aes.key_enc, 6 + keylen / 4);
		kernel_fpu_end();
		memzero_explicit(&aes, sizeof(aes));
		ctx->ak_ready = true;
	}
	return 0;
}

static int zced_gcm_setauthsize(struct crypto_aead *tfm, unsigned int authsize)
{
	return crypto_gcm_check_authsize(authsize);
}

static int zced_gcm_init_tfm(struct crypto_aead *tfm)
{
	struct zced_gcm_ctx *ctx = crypto_aead_ctx(tfm);
	struct crypto_cipher *aes;

	/* crypto_aead_encrypt() and _decrypt() give -ENOKEY until setkey */
	ctx->htab = kzalloc(sizeof(*ctx->htab), GFP_KERNEL);
	if (!ctx->htab)
		return -ENOMEM;
	aes = crypto_alloc_cipher("aes", 0, 0);
	if (IS_ERR(aes)) {
		kfree(ctx->htab);
		return PTR_ERR(aes);
	}
	ctx->aes = aes;
	if (zced_aesni) {
		ctx->ak_mem = kzalloc(sizeof(*ctx->ak) + 15, GFP_KERNEL);
		if (!ctx->ak_mem) {
			crypto_free_cipher(aes);
			kfree(ctx->htab);
			return -ENOMEM;
		}
		ctx->ak = PTR_ALIGN(ctx->ak_mem, 16);
	}
	crypto_aead_set_reqsize(tfm, sizeof(struct zced_gcm_req));
	return 0;
}

static void zced_gcm_exit_tfm(struct crypto_aead *tfm)
{
	struct zced_gcm_ctx *ctx = crypto_aead_ctx(tfm);

	kfree_sensitive(ctx->htab);
	kfree_sensitive(ctx->ak_mem);
	crypto_free_cipher(ctx->aes);
}

static struct aead_alg zced_gcm_alg = {
	.setkey		= zced_gcm_setkey,
	.setauthsize	= zced_gcm_setauthsize,
	.encrypt	= zced_gcm_encrypt,
	.decrypt	= zced_gcm_decrypt,
	.init		= zced_gcm_init_tfm,
	.exit		= zced_gcm_exit_tfm,
	.ivsize		= GCM_AES_IV_SIZE,
	.maxauthsize	= ZCED_BLOCK,
	.chunksize	= ZCED_BLOCK,
	.base = {
		.cra_name		= BIFROST_ZCED_AEAD_NAME,
		.cra_driver_name	= BIFROST_ZCED_AEAD_NAME,
		.cra_priority		= 100,
		.cra_blocksize		= 1,
		.cra_ctxsize		= sizeof(struct zced_gcm_ctx),
		.cra_module		= THIS_MODULE,
	},
};

const char *bifrost_zced_aead_impl(void)
{
	return zced_aesni ? zced_aesni->name : "portable";
}

int bifrost_zced_aead_register(void)
{
	zced_init_red();
	zced_aesni = NULL;
	if (boot_cpu_has(X86_FEATURE_AES) && boot_cpu_has(X86_FEATURE_PCLMULQDQ) &&
	    boot_cpu_has(X86_FEATURE_XMM4_1)) {
		if (boot_cpu_has(X86_FEATURE_AVX) &&
		    cpu_has_xfeatures(XFEATURE_MASK_SSE | XFEATURE_MASK_YMM, NULL))
			zced_aesni = &zced_aesni_avx_ops;
		else
			zced_aesni = &zced_aesni_sse_ops;
	}
	pr_info("AES-GCM for ZCED sockets: %s\n", zced_aesni ?
		(zced_aesni == &zced_aesni_avx_ops ? "AES-NI + PCLMULQDQ, AVX build" :
		 "AES-NI + PCLMULQDQ, SSE build") :
		"portable C (no AES-NI/PCLMULQDQ on this CPU)");
	return crypto_register_aead(&zced_gcm_alg);
}

void bifrost_zced_aead_unregister(void)
{
	crypto_unregister_aead(&zced_gcm_alg);
}

/* ---- self-test ---- */

/*
 * Test cases 1-4, 9 and 13-16 of the GCM specification (McGrew, Viega).
 * kat_key is K of cases 3/4 twice: 16 bytes for 3/4, 24 for 9, 32 for
 * 15/16. Cases 4 and 16 use the first 60 bytes of kat_pt. Outputs are
 * ciphertext || tag.
 */
static const u8 kat_key[32] = {
	0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c,
	0x6d, 0x6a, 0x8f, 0x94, 0x67, 0x30, 0x83, 0x08,
	0xfe, 0xff, 0xe9, 0x92, 0x86, 0x65, 0x73, 0x1c,
	0x6d, 0x6a, 0x8f, 0x94, 0x67, 0x30, 0x83, 0x08,
};

static const u8 kat_iv[12] = {
	0xca, 0xfe, 0xba, 0xbe, 0xfa, 0xce, 0xdb, 0xad,
	0xde, 0xca, 0xf8, 0x88,
};

static const u8 kat_pt[64] = {
	0xd9, 0x31, 0x32, 0x25, 0xf8, 0x84, 0x06, 0xe5,
	0xa5, 0x59, 0x09, 0xc5, 0xaf, 0xf5, 0x26, 0x9a,
	0x86, 0xa7, 0xa9, 0x53, 0x15, 0x34, 0xf7, 0xda,
	0x2e, 0x4c, 0x30, 0x3d, 0x8a, 0x31, 0x8a, 0x72,
	0x1c, 0x3c, 0x0c, 0x95, 0x95, 0x68, 0x09, 0x53,
	0x2f, 0xcf, 0x0e, 0x24, 0x49, 0xa6, 0xb5, 0x25,
	0xb1, 0x6a, 0xed, 0xf5, 0xaa, 0x0d, 0xe6, 0x57,
	0xba, 0x63, 0x7b, 0x39, 0x1a, 0xaf, 0xd2, 0x55,
};

static const u8 kat_aad[20] = {
	0xfe, 0xed, 0xfa, 0xce, 0xde, 0xad, 0xbe, 0xef,
	0xfe, 0xed, 0xfa, 0xce, 0xde, 0xad, 0xbe, 0xef,
	0xab, 0xad, 0xda, 0xd2,
};

static const u8 kat_tc1_out[16] = {
	0x58, 0xe2, 0xfc, 0xce, 0xfa, 0x7e, 0x30, 0x61,
	0x36, 0x7f, 0x1d, 0x57, 0xa4, 0xe7, 0x45, 0x5a,
};

static const u8 kat_tc2_out[32] = {
	0x03, 0x88, 0xda, 0xce, 0x60, 0xb6, 0xa3, 0x92,
	0xf3, 0x28, 0xc2, 0xb9, 0x71, 0xb2, 0xfe, 0x78,
	0xab, 0x6e, 0x47, 0xd4, 0x2c, 0xec, 0x13, 0xbd,
	0xf5, 0x3a, 0x67, 0xb2, 0x12, 0x57, 0xbd, 0xdf,
};

static const u8 kat_tc3_out[80] = {
	0x42, 0x83, 0x1e, 0xc2, 0x21, 0x77, 0x74, 0x24,
	0x4b, 0x72, 0x21, 0xb7, 0x84, 0xd0, 0xd4, 0x9c,
	0xe3, 0xaa, 0x21, 0x2f, 0x2c, 0x02, 0xa4, 0xe0,
	0x35, 0xc1, 0x7e, 0x23, 0x29, 0xac, 0xa1, 0x2e,
	0x21, 0xd5, 0x14, 0xb2, 0x54, 0x66, 0x93, 0x1c,
	0x7d, 0x8f, 0x6a, 0x5a, 0xac, 0x84, 0xaa, 0x05,
	0x1b, 0xa3, 0x0b, 0x39, 0x6a, 0x0a, 0xac, 0x97,
	0x3d, 0x58, 0xe0, 0x91, 0x47, 0x3f, 0x59, 0x85,
	0x4d, 0x5c, 0x2a, 0xf3, 0x27, 0xcd, 0x64, 0xa6,
	0x2c, 0xf3, 0x5a, 0xbd, 0x2b, 0xa6, 0xfa, 0xb4,
};

static const u8 kat_tc4_out[76] = {
	0x42, 0x83, 0x1e, 0xc2, 0x21, 0x77, 0x74, 0x24,
	0x4b, 0x72, 0x21, 0xb7, 0x84, 0xd0, 0xd4, 0x9c,
	0xe3, 0xaa, 0x21, 0x2f, 0x2c, 0x02, 0xa4, 0xe0,
	0x35, 0xc1, 0x7e, 0x23, 0x29, 0xac, 0xa1, 0x2e,
	0x21, 0xd5, 0x14, 0xb2, 0x54, 0x66, 0x93, 0x1c,
	0x7d, 0x8f, 0x6a, 0x5a, 0xac, 0x84, 0xaa, 0x05,
	0x1b, 0xa3, 0x0b, 0x39, 0x6a, 0x0a, 0xac, 0x97,
	0x3d, 0x58, 0xe0, 0x91, 0x5b, 0xc9, 0x4f, 0xbc,
	0x32, 0x21, 0xa5, 0xdb, 0x94, 0xfa, 0xe9, 0x5a,
	0xe7, 0x12, 0x1a, 0x47,
};

static const u8 kat_tc9_out[80] = {
	0x39, 0x80, 0xca, 0x0b, 0x3c, 0x00, 0xe8, 0x41,
	0xeb, 0x06, 0xfa, 0xc4, 0x87, 0x2a, 0x27, 0x57,
	0x85, 0x9e, 0x1c, 0xea, 0xa6, 0xef, 0xd9, 0x84,
	0x62, 0x85, 0x93, 0xb4, 0x0c, 0xa1, 0xe1, 0x9c,
	0x7d, 0x77, 0x3d, 0x00, 0xc1, 0x44, 0xc5, 0x25,
	0xac, 0x61, 0x9d, 0x18, 0xc8, 0x4a, 0x3f, 0x47,
	0x18, 0xe2, 0x44, 0x8b, 0x2f, 0xe3, 0x24, 0xd9,
	0xcc, 0xda, 0x27, 0x10, 0xac, 0xad, 0xe2, 0x56,
	0x99, 0x24, 0xa7, 0xc8, 0x58, 0x73, 0x36, 0xbf,
	0xb1, 0x18, 0x02, 0x4d, 0xb8, 0x67, 0x4a, 0x14,
};

static const u8 kat_tc13_out[16] = {
	0x53, 0x0f, 0x8a, 0xfb, 0xc7, 0x45, 0x36, 0xb9,
	0xa9, 0x63, 0xb4, 0xf1, 0xc4, 0xcb, 0x73, 0x8b,
};

static const u8 kat_tc14_out[32] = {
	0xce, 0xa7, 0x40, 0x3d, 0x4d, 0x60, 0x6b, 0x6e,
	0x07, 0x4e, 0xc5, 0xd3, 0xba, 0xf3, 0x9d, 0x18,
	0xd0, 0xd1, 0xc8, 0xa7, 0x99, 0x99, 0x6b, 0xf0,
	0x26, 0x5b, 0x98, 0xb5, 0xd4, 0x8a, 0xb9, 0x19,
};

static const u8 kat_tc15_out[80] = {
	0x52, 0x2d, 0xc1, 0xf0, 0x99, 0x56, 0x7d, 0x07,
	0xf4, 0x7f, 0x37, 0xa3, 0x2a, 0x84, 0x42, 0x7d,
	0x64, 0x3a, 0x8c, 0xdc, 0xbf, 0xe5, 0xc0, 0xc9,
	0x75, 0x98, 0xa2, 0xbd, 0x25, 0x55, 0xd1, 0xaa,
	0x8c, 0xb0, 0x8e, 0x48, 0x59, 0x0d, 0xbb, 0x3d,
	0xa7, 0xb0, 0x8b, 0x10, 0x56, 0x82, 0x88, 0x38,
	0xc5, 0xf6, 0x1e, 0x63, 0x93, 0xba, 0x7a, 0x0a,
	0xbc, 0xc9, 0xf6, 0x62, 0x89, 0x80, 0x15, 0xad,
	0xb0, 0x94, 0xda, 0xc5, 0xd9, 0x34, 0x71, 0xbd,
	0xec, 0x1a, 0x50, 0x22, 0x70, 0xe3, 0xcc, 0x6c,
};

static const u8 kat_tc16_out[76] = {
	0x52, 0x2d, 0xc1, 0xf0, 0x99, 0x56, 0x7d, 0x07,
	0xf4, 0x7f, 0x37, 0xa3, 0x2a, 0x84, 0x42, 0x7d,
	0x64, 0x3a, 0x8c, 0xdc, 0xbf, 0xe5, 0xc0, 0xc9,
	0x75, 0x98, 0xa2, 0xbd, 0x25, 0x55, 0xd1, 0xaa,
	0x8c, 0xb0, 0x8e, 0x48, 0x59, 0x0d, 0xbb, 0x3d,
	0xa7, 0xb0, 0x8b, 0x10, 0x56, 0x82, 0x88, 0x38,
	0xc5, 0xf6, 0x1e, 0x63, 0x93, 0xba, 0x7a, 0x0a,
	0xbc, 0xc9, 0xf6, 0x62, 0x76, 0xfc, 0x6e, 0xce,
	0x0f, 0x4e, 0x17, 0x68, 0xcd, 0xdf, 0x88, 0x53,
	0xbb, 0x2d, 0x55, 0x1b,
};

static const u8 kat_zero[32];

struct zst_kat {
	const char *name;
	const u8 *key, *iv, *pt, *aad, *out;
	unsigned int klen, plen, alen;
};

static const struct zst_kat zst_kats[] = {
	{ "TC1", kat_zero, kat_zero, NULL, NULL, kat_tc1_out, 16, 0, 0 },
	{ "TC2", kat_zero, kat_zero, kat_zero, NULL, kat_tc2_out, 16, 16, 0 },
	{ "TC3", kat_key, kat_iv, kat_pt, NULL, kat_tc3_out, 16, 64, 0 },
	{ "TC4", kat_key, kat_iv, kat_pt, kat_aad, kat_tc4_out, 16, 60, 20 },
	{ "TC9", kat_key, kat_iv, kat_pt, NULL, kat_tc9_out, 24, 64, 0 },
	{ "TC13", kat_zero, kat_zero, NULL, NULL, kat_tc13_out, 32, 0, 0 },
	{ "TC14", kat_zero, kat_zero, kat_zero, NULL, kat_tc14_out, 32, 16, 0 },
	{ "TC15", kat_key, kat_iv, kat_pt, NULL, kat_tc15_out, 32, 64, 0 },
	{ "TC16", kat_key, kat_iv, kat_pt, kat_aad, kat_tc16_out, 32, 60, 20 },
};

#define ZST_AREA_ORDER	4
#define ZST_AREA	(PAGE_SIZE << ZST_AREA_ORDER)
#define ZST_MAXSEG	16
#define ZST_MAXLEN	(20 + 16401 + 16)

/* one buffer: a random scatterlist over a contiguous area, guard bytes around */
struct zst_area {
	struct page *page;
	u8 *va;
	u8 pat;			/* fill of everything outside the data */
	unsigned int nseg;
	unsigned int off[ZST_MAXSEG], len[ZST_MAXSEG];
	struct scatterlist sg[ZST_MAXSEG];
};

struct zst {
	struct crypto_aead *ours, *stock;
	struct aead_request *ro, *rs;
	struct crypto_wait wait;
	struct zst_area a[3];
	u8 *in, *exp, *out, *tmp;
	u64 seed, rng;
	unsigned int ops, badmsg;
	unsigned int klen, alen, clen, tlen;	/* current case */
};

static u32 zst_rand(struct zst *st, u32 n)
{
	/* xorshift64*, reproducible from the printed seed */
	st->rng ^= st->rng >> 12;
	st->rng ^= st->rng << 25;
	st->rng ^= st->rng >> 27;
	return (u32)((st->rng * 0x2545f4914f6cdd1dULL) >> 32) % n;
}

static void zst_fill(struct zst *st, u8 *p, unsigned int n)
{
	while (n--)
		*p++ = zst_rand(st, 256);
}

static int zst_fail(struct zst *st, const char *what, int err)
{
	pr_err("selftest: %s failed (err %d): key %u assoclen %u cryptlen %u authsize %u, seed %#llx\n",
	       what, err, st->klen, st->alen, st->clen, st->tlen, st->seed);
	return -EINVAL;
}

/*
 * Lays out len bytes as 1..ZST_MAXSEG segments of random lengths at random
 * offsets (crossing page boundaries or not) with random gaps, fills
 * everything else with a random pattern, and copies data[0..dlen) in.
 * Areas 0 and 1 serve both implementations; area 2 is only given to ours and
 * may also hold empty segments.
 */
static struct scatterlist *zst_layout(struct zst *st, int ai, unsigned int len,
				      const u8 *data, unsigned int dlen)
{
	struct zst_area *a = &st->a[ai];
	unsigned int pos, left = len, i, l;
	bool empty = ai == 2 && zst_rand(st, 2);

	a->pat = zst_rand(st, 256);
	memset(a->va, a->pat, ZST_AREA);
	a->nseg = 1 + zst_rand(st, empty ? ZST_MAXSEG :
				min_t(unsigned int, ZST_MAXSEG, max(len, 1U)));
	sg_init_table(a->sg, a->nseg);
	pos = zst_rand(st, PAGE_SIZE);
	for (i = 0; i < a->nseg; i++) {
		/* without empty segments, leave >= 1 byte for each one left */
		unsigned int room = left - (a->nseg - 1 - i);
		unsigned int pick = zst_rand(st, 4);

		if (i == a->nseg - 1)
			l = left;
		else if (empty && pick == 0)
			l = 0;
		else if (empty)
			l = zst_rand(st, left + 1);
		else if (pick < 2)
			l = 1 + zst_rand(st, min(room, 48U));
		else
			l = 1 + zst_rand(st, room);
		a->off[i] = pos;
		a->len[i] = l;
		sg_set_page(&a->sg[i], a->page + pos / PAGE_SIZE, l,
			    pos % PAGE_SIZE);
		pos += l + (zst_rand(st, 2) ? 0 : zst_rand(st, 256));
		left -= l;
	}
	if (dlen)
		scatterwalk_map_and_copy((void *)data, a->sg, 0, dlen, 1);
	return a->sg;
}

/* nothing outside the scatterlist's segments was written */
static bool zst_guards(struct zst *st, int ai)
{
	struct zst_area *a = &st->a[ai];
	unsigned int pos = 0, i;

	for (i = 0; i < a->nseg; i++) {
		if (memchr_inv(a->va + pos, a->pat, a->off[i] - pos))
			return false;
		pos = a->off[i] + a->len[i];
	}
	return !memchr_inv(a->va + pos, a->pat, ZST_AREA - pos);
}

/* bytes [start, start + n) of the area's scatterlist equal exp */
static bool zst_eq(struct zst *st, int ai, unsigned int start,
		   const u8 *exp, unsigned int n)
{
	scatterwalk_map_and_copy(st->tmp, st->a[ai].sg, start, n, 0);
	return !memcmp(st->tmp, exp, n);
}

/* bytes [start, start + n) of the area's scatterlist still hold the fill */
static bool zst_untouched(struct zst *st, int ai, unsigned int start,
			  unsigned int n)
{
	scatterwalk_map_and_copy(st->tmp, st->a[ai].sg, start, n, 0);
	return !memchr_inv(st->tmp, st->a[ai].pat, n);
}

static int zst_op(struct zst *st, bool ours, bool enc, struct scatterlist *src,
		  struct scatterlist *dst, unsigned int cryptlen, const u8 *iv)
{
	struct aead_request *r = ours ? st->ro : st->rs;
	u8 ivc[GCM_AES_IV_SIZE];

	memcpy(ivc, iv, sizeof(ivc));
	aead_request_set_callback(r, CRYPTO_TFM_REQ_MAY_SLEEP, crypto_req_done,
				  &st->wait);
	aead_request_set_ad(r, st->alen);
	aead_request_set_crypt(r, src, dst, cryptlen, ivc);
	st->ops++;
	return crypto_wait_req(enc ? crypto_aead_encrypt(r) :
				     crypto_aead_decrypt(r), &st->wait);
}

static int zst_setkey(struct zst *st, const u8 *key)
{
	if (crypto_aead_setkey(st->ours, key, st->klen) ||
	    crypto_aead_setkey(st->stock, key, st->klen) ||
	    crypto_aead_setauthsize(st->ours, st->tlen) ||
	    crypto_aead_setauthsize(st->stock, st->tlen))
		return zst_fail(st, "setkey/setauthsize", -EINVAL);
	return 0;
}

static int zst_kat(struct zst *st, const struct zst_kat *k)
{
	unsigned int inl = k->alen + k->plen, outl = inl + 16;
	struct scatterlist *src, *dst;
	int err;

	st->klen = k->klen;
	st->alen = k->alen;
	st->clen = k->plen;
	st->tlen = 16;
	err = zst_setkey(st, k->key);
	if (err)
		return err;
	if (k->alen)
		memcpy(st->in, k->aad, k->alen);
	if (k->plen)
		memcpy(st->in + k->alen, k->pt, k->plen);

	src = zst_layout(st, 0, inl, st->in, inl);
	dst = zst_layout(st, 1, outl, NULL, 0);
	err = zst_op(st, true, true, src, dst, k->plen, k->iv);
	if (err || !zst_eq(st, 1, k->alen, k->out, k->plen + 16))
		return zst_fail(st, k->name, err);

	memcpy(st->out, st->in, k->alen);
	memcpy(st->out + k->alen, k->out, k->plen + 16);
	src = zst_layout(st, 2, outl, st->out, outl);
	err = zst_op(st, true, false, src, src, k->plen + 16, k->iv);
	if (err || !zst_eq(st, 2, 0, st->in, inl))
		return zst_fail(st, k->name, err);

	/* the vector against the stock gcm(aes), to tell a bad vector apart */
	src = zst_layout(st, 0, outl, st->in, inl);
	err = zst_op(st, false, true, src, src, k->plen, k->iv);
	if (err || !zst_eq(st, 0, k->alen, k->out, k->plen + 16))
		return zst_fail(st, "stock gcm(aes) on a known answer", err);
	return 0;
}

/* decrypting st->out with one bit flipped at byte pos must fail */
static int zst_tamper(struct zst *st, const char *what, unsigned int pos,
		      bool in_place, const u8 *iv)
{
	unsigned int outl = st->alen + st->clen + st->tlen;
	struct scatterlist *src, *dst;
	u8 bit = 1 << zst_rand(st, 8);
	int err;

	st->out[pos] ^= bit;
	src = zst_layout(st, 0, outl, st->out, outl);
	dst = in_place ? src : zst_layout(st, 1, st->alen + st->clen, NULL, 0);
	err = zst_op(st, true, false, src, dst, st->clen + st->tlen, iv);
	st->out[pos] ^= bit;
	if (err != -EBADMSG)
		return zst_fail(st, what, err);
	st->badmsg++;
	return 0;
}

static int zst_case(struct zst *st)
{
	unsigned int alen = st->alen, clen = st->clen, tlen = st->tlen;
	unsigned int inl = alen + clen, outl = inl + tlen;
	struct scatterlist *src, *dst;
	u8 key[AES_MAX_KEY_SIZE], iv[GCM_AES_IV_SIZE];
	int err;

	zst_fill(st, key, st->klen);
	zst_fill(st, iv, sizeof(iv));
	zst_fill(st, st->in, inl);
	err = zst_setkey(st, key);
	if (err)
		return err;

	/* reference: stock gcm(aes), src != dst */
	src = zst_layout(st, 0, inl, st->in, inl);
	dst = zst_layout(st, 1, outl, NULL, 0);
	err = zst_op(st, false, true, src, dst, clen, iv);
	if (err)
		return zst_fail(st, "stock encrypt", err);
	scatterwalk_map_and_copy(st->exp, dst, alen, clen + tlen, 0);

	/* ours, src != dst: same output, AAD not copied, src unchanged */
	src = zst_layout(st, 0, inl, st->in, inl);
	dst = zst_layout(st, 1, outl, NULL, 0);
	err = zst_op(st, true, true, src, dst, clen, iv);
	if (err || !zst_eq(st, 1, alen, st->exp, clen + tlen) ||
	    !zst_untouched(st, 1, 0, alen) || !zst_eq(st, 0, 0, st->in, inl) ||
	    !zst_guards(st, 0) || !zst_guards(st, 1))
		return zst_fail(st, "encrypt src != dst", err);

	/* ours, in place */
	src = zst_layout(st, 2, outl, st->in, inl);
	err = zst_op(st, true, true, src, src, clen, iv);
	if (err || !zst_eq(st, 2, 0, st->in, alen) ||
	    !zst_eq(st, 2, alen, st->exp, clen + tlen) || !zst_guards(st, 2))
		return zst_fail(st, "encrypt in place", err);
	scatterwalk_map_and_copy(st->out, src, 0, outl, 0);

	/* ours decrypts stock's output, src != dst */
	memcpy(st->tmp, st->in, alen);
	memcpy(st->tmp + alen, st->exp, clen + tlen);
	src = zst_layout(st, 0, outl, st->tmp, outl);
	dst = zst_layout(st, 1, inl, NULL, 0);
	err = zst_op(st, true, false, src, dst, clen + tlen, iv);
	if (err || !zst_eq(st, 1, alen, st->in + alen, clen) ||
	    !zst_untouched(st, 1, 0, alen) || !zst_eq(st, 0, 0, st->out, outl) ||
	    !zst_guards(st, 0) || !zst_guards(st, 1))
		return zst_fail(st, "decrypt src != dst", err);

	/* ours, in place: AAD and tag left alone */
	src = zst_layout(st, 2, outl, st->out, outl);
	err = zst_op(st, true, false, src, src, clen + tlen, iv);
	if (err || !zst_eq(st, 2, 0, st->in, inl) ||
	    !zst_eq(st, 2, inl, st->out + inl, tlen) || !zst_guards(st, 2))
		return zst_fail(st, "decrypt in place", err);

	/* stock decrypts ours */
	src = zst_layout(st, 0, outl, st->out, outl);
	dst = zst_layout(st, 1, inl, NULL, 0);
	err = zst_op(st, false, false, src, dst, clen + tlen, iv);
	if (err || !zst_eq(st, 1, alen, st->in + alen, clen))
		return zst_fail(st, "stock decrypt of ours", err);

	/* one flipped bit anywhere authenticated -> -EBADMSG */
	if (clen) {
		err = zst_tamper(st, "flipped ciphertext bit",
				 alen + zst_rand(st, clen), false, iv);
		if (err)
			return err;
	}
	err = zst_tamper(st, "flipped tag bit", inl + zst_rand(st, tlen),
			 true, iv);
	if (!err && alen)
		err = zst_tamper(st, "flipped AAD bit", zst_rand(st, alen),
				 zst_rand(st, 2), iv);
	return err;
}

/* misuse gets -EINVAL, as from gcm(aes) */
static int zst_api(struct zst *st)
{
	static const unsigned int bad_tlen[] = { 0, 1, 2, 3, 5, 6, 7, 9, 10, 11, 17 };
	struct scatterlist *src;
	u8 key[AES_MAX_KEY_SIZE] = {};
	unsigned int i;
	int err;

	st->klen = 20;
	st->alen = 0;
	st->clen = 0;
	st->tlen = 16;
	if (crypto_aead_setkey(st->ours, key, 20) != -EINVAL)
		return zst_fail(st, "20-byte key accepted", 0);
	for (i = 0; i < ARRAY_SIZE(bad_tlen); i++) {
		st->tlen = bad_tlen[i];
		if (crypto_aead_setauthsize(st->ours, bad_tlen[i]) != -EINVAL)
			return zst_fail(st, "bad authsize accepted", 0);
	}
	st->klen = 16;
	st->tlen = 16;
	err = zst_setkey(st, key);
	if (err)
		return err;
	src = zst_layout(st, 0, 15, NULL, 0);
	err = zst_op(st, true, false, src, src, 15, key);
	if (err != -EINVAL)
		return zst_fail(st, "cryptlen < authsize", err);
	return 0;
}

static const unsigned int zst_klens[] = { 16, 24, 32 };
static const unsigned int zst_alens[] = { 0, 5, 13, 20 };
static const unsigned int zst_clens[] = {
	0, 1, 15, 16, 17, 255, 256, 257, 1000, 4095, 4096, 16384, 16401
};

static const unsigned int zst_tlens[] = { 16, 4, 8, 12, 13, 14, 15 };

static int zst_run(struct zst *st)
{
	struct zced_gcm_ctx *octx = crypto_aead_ctx(st->ours);
	unsigned int i, k, a, c, n = 0;
	int err;

	err = zst_api(st);
	for (i = 0; !err && i < ARRAY_SIZE(zst_kats); i++)
		err = zst_kat(st, &zst_kats[i]);
	for (k = 0; !err && k < ARRAY_SIZE(zst_klens); k++) {
		for (a = 0; !err && a < ARRAY_SIZE(zst_alens); a++) {
			for (c = 0; !err && c < ARRAY_SIZE(zst_clens); c++) {
				st->klen = zst_klens[k];
				st->alen = zst_alens[a];
				st->clen = zst_clens[c];
				st->tlen = zst_tlens[n++ % ARRAY_SIZE(zst_tlens)];
				err = zst_case(st);
				cond_resched();
			}
		}
	}
	if (err)
		return err;
	pr_info("selftest passed (%s): %zu known-answer vectors, %u random cases, %u operations, %u forgeries rejected (seed %#llx)\n",
		octx->portable || !zced_aesni ? "portable C" : zced_aesni->name,
		ARRAY_SIZE(zst_kats), n, st->ops, st->badmsg, st->seed);
	return 0;
}

int bifrost_zced_aead_selftest(void)
{
	struct zced_gcm_ctx *octx;
	struct zst *st;
	int i, err = -ENOMEM;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	crypto_init_wait(&st->wait);
	st->seed = get_random_u64() | 1;
	st->rng = st->seed;
	st->in = kvmalloc(ZST_MAXLEN, GFP_KERNEL);
	st->exp = kvmalloc(ZST_MAXLEN, GFP_KERNEL);
	st->out = kvmalloc(ZST_MAXLEN, GFP_KERNEL);
	st->tmp = kvmalloc(ZST_MAXLEN, GFP_KERNEL);
	if (!st->in || !st->exp || !st->out || !st->tmp)
		goto out;
	for (i = 0; i < ARRAY_SIZE(st->a); i++) {
		st->a[i].page = alloc_pages(GFP_KERNEL, ZST_AREA_ORDER);
		if (!st->a[i].page)
			goto out;
		st->a[i].va = page_address(st->a[i].page);
	}

	st->ours = crypto_alloc_aead(BIFROST_ZCED_AEAD_NAME, 0, 0);
	if (IS_ERR(st->ours)) {
		err = PTR_ERR(st->ours);
		st->ours = NULL;
		pr_err("selftest: cannot allocate %s: %d\n",
		       BIFROST_ZCED_AEAD_NAME, err);
		goto out;
	}
	/* its operations stay out of the counters */
	octx = crypto_aead_ctx(st->ours);
	octx->selftest = true;
	st->stock = crypto_alloc_aead("gcm(aes)", 0, 0);
	if (IS_ERR(st->stock)) {
		err = PTR_ERR(st->stock);
		st->stock = NULL;
		pr_err("selftest: cannot allocate gcm(aes): %d\n", err);
		goto out;
	}
	err = -ENOMEM;
	st->ro = aead_request_alloc(st->ours, GFP_KERNEL);
	st->rs = aead_request_alloc(st->stock, GFP_KERNEL);
	if (!st->ro || !st->rs)
		goto out;

	/* the implementation sockets get, then (on AES-NI CPUs) portable C */
	err = zst_run(st);
	if (!err && zced_aesni) {
		octx->portable = true;
		st->ops = 0;
		st->badmsg = 0;
		err = zst_run(st);
	}
out:
	if (err == -ENOMEM)
		pr_err("selftest: out of memory\n");
	aead_request_free(st->ro);
	aead_request_free(st->rs);
	if (st->ours)
		crypto_free_aead(st->ours);
	if (st->stock)
		crypto_free_aead(st->stock);
	for (i = 0; i < ARRAY_SIZE(st->a); i++)
		if (st->a[i].page)
			__free_pages(st->a[i].page, ZST_AREA_ORDER);
	kvfree(st->in);
	kvfree(st->exp);
	kvfree(st->out);
	kvfree(st->tmp);
	kfree(st);
	return err;
}
