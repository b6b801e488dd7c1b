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
 *
 * Module parameter ottr=0 ("kernel", bifrost-no-ottr: what OTTR costs)
 * replaces both by the kernel's own AES-GCM, the implementation stock kTLS
 * gets, run on the same scatterlists (pool pages included): each tfm
 * forwards its requests to a child tfm through a sub-request in the request
 * context. The child is synchronous: the AES-NI driver's inner "__gcm(aes)"
 * (what its simd wrapper generic-gcm-aesni calls directly whenever the FPU
 * is usable; its AVX decrypt loads each ciphertext block twice), else, on a
 * CPU without AES-NI, the synchronous gcm(aes) (the generic template). We
 * chose it over the async wrapper plus a wait because our callers cannot be
 * assumed to sleep; when the FPU is not usable the operation takes the
 * portable C path above instead (counted in portable_ops, as with ottr=1).
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
/* moved from asm/ in 6.12 (quoted: checkpatch.pl takes <> here for comparisons) */
#if __has_include("linux/unaligned.h")
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif
#include <crypto/internal/simd.h>
#include "bifrost_zced.h"
#include "zced_aead.h"
#include "zced_aesni.h"

MODULE_IMPORT_NS(CRYPTO_INTERNAL);

#define ZCED_BLOCK	16
/*
 * Bounce chunk of the portable C path, in the request context. kTLS
 * allocates a record with the request context in it (kzalloc, so zeroed)
 * for every record: 128 bytes keep that allocation in kmalloc-2k on 6.12
 * (512 took it to kmalloc-4k: ~350 more guest instructions per record
 * zeroing it, measured in a memcached4k profile counting every REP
 * iteration). The portable path pays
 * 2-2.5 % more per 16 KiB record for it (make bench-guest with --cpu
 * noaesni); AES-NI uses it only for the AAD.
 */
#define ZCED_CHUNK	128
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
	struct crypto_aead *child;	/* ottr=0: the kernel's AES-GCM */
	bool child_simd;		/* child needs crypto_simd_usable() */
	struct zced_htab *htab;		/* for the GHASH key H = E(K, 0^128) */
	struct zced_aesni_key *ak;	/* AES-NI key material (16-aligned in ak_mem) */
	void *ak_mem;
	bool ak_ready;			/* ak holds the current key */
	bool selftest;			/* the self-test's: not counted */
	bool portable;			/* the self-test's: portable C only (no child) */
};

/* the AES-NI build this CPU runs, or NULL (no AES-NI/PCLMULQDQ) */
static const struct zced_aesni_ops *zced_aesni __read_mostly;
/* ottr=0: ZCED sockets run the kernel's AES-GCM (child tfm) */
static bool zced_kernel_gcm __read_mostly;

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

/**
 * bifrost_zced_aead_stats() - Read the single-pass AEAD's counters.
 * @out: filled with the totals since the module was loaded, summed over
 *       every possible CPU.
 *
 * The per-CPU counters are read without stopping their writers, so a total
 * may miss operations that run concurrently.
 *
 * Context: Any context.
 */
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
 * page, from the page pointer: ZCED_SKIP reads no data). -EINVAL if the
 * scatterlist ends early.
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
			buf += len;
		}
		if (pool && bifrost_zced_page_in_pool(scatterwalk_page(w)))
			*pool += len;
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
 * The counters of a finished operation (0, or -EBADMSG for a decryption),
 * every implementation; not for the self-test's own operations.
 */
static void zced_count_op(const struct zced_gcm_ctx *ctx, bool enc, int err,
			  unsigned int cryptlen, u64 pool)
{
	if (ctx->selftest)
		return;
	if (enc) {
		this_cpu_inc(zced_stats.enc_records);
		this_cpu_add(zced_stats.enc_bytes, cryptlen);
		this_cpu_add(zced_stats.enc_pool_bytes, pool);
		return;
	}
	this_cpu_add(zced_stats.dec_bytes, cryptlen);
	this_cpu_add(zced_stats.dec_pool_bytes, pool);
	if (err)
		this_cpu_inc(zced_stats.dec_auth_failures);
	else
		this_cpu_inc(zced_stats.dec_records);
}

/*
 * The end of an operation, both OTTR implementations: encrypt writes the
 * tag (computed from private state) after the ciphertext; decrypt reads the
 * received tag once into private memory and compares it there (-EBADMSG on
 * a mismatch). Then the counters.
 */
static int zced_tag_and_count(const struct zced_gcm_ctx *ctx,
			      struct zced_gcm_req *rc, bool enc, const u8 *tag,
			      unsigned int authsize, unsigned int cryptlen,
			      u64 pool)
{
	int err;

	if (enc) {
		err = zced_walk(&rc->out, (u8 *)tag, authsize, ZCED_WRITE, NULL);
		if (!err)
			zced_count_op(ctx, enc, 0, cryptlen, pool);
		return err;
	}
	err = zced_walk(&rc->in, rc->buf, authsize, ZCED_READ, NULL);
	if (err)
		return err;
	if (crypto_memneq(rc->buf, tag, authsize))
		err = -EBADMSG;
	zced_count_op(ctx, enc, err, cryptlen, pool);
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

/* ottr=0: the child's sub-request, after our own request context */
static struct aead_request *zced_subreq(struct aead_request *req)
{
	return (void *)((u8 *)aead_request_ctx(req) +
			ALIGN(sizeof(struct zced_gcm_req), crypto_tfm_ctx_alignment()));
}

/*
 * ottr=0: the request as it is to the kernel's AES-GCM (the child), which
 * reads the shared scatterlists as it likes. Only the counters are ours:
 * the text's pool bytes (dst when encrypting, src when decrypting) are
 * found from its page pointers; no data is read here.
 */
static int zced_kernel_crypt(struct aead_request *req, bool enc)
{
	struct crypto_aead *tfm = crypto_aead_reqtfm(req);
	const struct zced_gcm_ctx *ctx = crypto_aead_ctx(tfm);
	struct zced_gcm_req *rc = aead_request_ctx(req);
	struct aead_request *sub = zced_subreq(req);
	unsigned int cryptlen = req->cryptlen;
	u64 pool = 0;
	int err;

	if (!enc) {
		if (cryptlen < crypto_aead_authsize(tfm))
			return -EINVAL;
		cryptlen -= crypto_aead_authsize(tfm);
	}
	aead_request_set_tfm(sub, ctx->child);
	aead_request_set_callback(sub, req->base.flags, NULL, NULL);
	aead_request_set_crypt(sub, req->src, req->dst, req->cryptlen, req->iv);
	aead_request_set_ad(sub, req->assoclen);
	err = enc ? crypto_aead_encrypt(sub) : crypto_aead_decrypt(sub);
	if (err && (enc || err != -EBADMSG))
		return err;
	zced_walk_start(&rc->in, enc ? req->dst : req->src);
	if (!zced_walk(&rc->in, NULL, req->assoclen, ZCED_SKIP, NULL))
		zced_walk(&rc->in, NULL, cryptlen, ZCED_SKIP, &pool);
	zced_count_op(ctx, enc, err, cryptlen, pool);
	return err;
}

/*
 * ottr=0: the kernel's AES-GCM when it can run here. Else AES-NI when the
 * CPU has it, the key is loaded and the FPU may be used. Else portable C.
 */
static int zced_gcm_dispatch(struct aead_request *req, bool enc)
{
	const struct zced_gcm_ctx *ctx = crypto_aead_ctx(crypto_aead_reqtfm(req));

	if (ctx->child && !ctx->portable &&
	    (!ctx->child_simd || crypto_simd_usable()))
		return zced_kernel_crypt(req, enc);
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
	if (ctx->child) {
		crypto_aead_clear_flags(ctx->child, CRYPTO_TFM_REQ_MASK);
		crypto_aead_set_flags(ctx->child,
				      crypto_aead_get_flags(tfm) & CRYPTO_TFM_REQ_MASK);
		err = crypto_aead_setkey(ctx->child, key, keylen);
		if (err)
			return err;
	}
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
	struct zced_gcm_ctx *ctx = crypto_aead_ctx(tfm);
	int err = crypto_gcm_check_authsize(authsize);

	if (err || !ctx->child)
		return err;
	return crypto_aead_setauthsize(ctx->child, authsize);
}

/*
 * ottr=0: a synchronous kernel AES-GCM (see the top of this file): the
 * AES-NI driver's inner one, which needs the FPU (simd), else gcm(aes).
 */
static struct crypto_aead *zced_kernel_alloc(bool *simd)
{
	struct crypto_aead *child;

	*simd = true;
	child = crypto_alloc_aead("__gcm(aes)", CRYPTO_ALG_INTERNAL,
				  CRYPTO_ALG_INTERNAL | CRYPTO_ALG_ASYNC);
	if (!IS_ERR(child) || PTR_ERR(child) != -ENOENT)
		return child;
	*simd = false;
	return crypto_alloc_aead("gcm(aes)", 0, CRYPTO_ALG_ASYNC);
}

static int zced_gcm_init_tfm(struct crypto_aead *tfm)
{
	struct zced_gcm_ctx *ctx = crypto_aead_ctx(tfm);
	unsigned int reqsize = sizeof(struct zced_gcm_req);
	struct crypto_cipher *aes;
	int err;

	if (zced_kernel_gcm) {
		ctx->child = zced_kernel_alloc(&ctx->child_simd);
		if (IS_ERR(ctx->child))
			return PTR_ERR(ctx->child);
		pr_info_once("ottr=0: ZCED sockets' AES-GCM is the kernel's %s\n",
			     crypto_tfm_alg_driver_name(crypto_aead_tfm(ctx->child)));
		reqsize = ALIGN(reqsize, crypto_tfm_ctx_alignment()) +
			  sizeof(struct aead_request) + crypto_aead_reqsize(ctx->child);
	}

	/* crypto_aead_encrypt() and _decrypt() give -ENOKEY until setkey */
	err = -ENOMEM;
	ctx->htab = kzalloc(sizeof(*ctx->htab), GFP_KERNEL);
	if (!ctx->htab)
		goto out_child;
	aes = crypto_alloc_cipher("aes", 0, 0);
	if (IS_ERR(aes)) {
		err = PTR_ERR(aes);
		goto out_htab;
	}
	ctx->aes = aes;
	if (zced_aesni) {
		ctx->ak_mem = kzalloc(sizeof(*ctx->ak) + 15, GFP_KERNEL);
		if (!ctx->ak_mem) {
			crypto_free_cipher(aes);
			goto out_htab;
		}
		ctx->ak = PTR_ALIGN(ctx->ak_mem, 16);
	}
	crypto_aead_set_reqsize(tfm, reqsize);
	return 0;

out_htab:
	kfree(ctx->htab);
out_child:
	if (ctx->child)
		crypto_free_aead(ctx->child);
	return err;
}

static void zced_gcm_exit_tfm(struct crypto_aead *tfm)
{
	struct zced_gcm_ctx *ctx = crypto_aead_ctx(tfm);

	kfree_sensitive(ctx->htab);
	kfree_sensitive(ctx->ak_mem);
	crypto_free_cipher(ctx->aes);
	if (ctx->child)
		crypto_free_aead(ctx->child);
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
	if (zced_kernel_gcm)
		return "kernel";
	return zced_aesni ? zced_aesni->name : "portable";
}

/*
 * The VAES build, checked against the AVX build before it is used: the same
 * keys (AES-128 and AES-256), IV and 256 bytes (whole groups of eight
 * blocks, where the two builds differ), ciphertext and tag compared. QEMU
 * 7.2's TCG advertises VAES but its 256-bit VAESENC computes the upper lane
 * from the lower one; a CPU (or emulator) that gets it wrong keeps the AVX
 * build. Returns 1 when they agree, 0 when they do not, -ENOMEM, or
 * aes_expandkey()'s error.
 */
static int zced_vaes_agrees(void)
{
	static const u8 iv[12] = { 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 1 };
	struct zced_vaes_check {
		struct zced_aesni_key k[2];
		struct zced_aesni_state st;
		u8 text[2][256], tag[2][16], ekj0[16], key[32];
	} *t;
	const struct zced_aesni_ops *ops[2] = { &zced_aesni_vaes_ops, &zced_aesni_avx_ops };
	struct crypto_aes_ctx aes;
	unsigned int i, b, keylen;
	void *mem;
	int same = 1, err;

	/* the vector code stores to these with aligned moves */
	mem = kzalloc(sizeof(*t) + 15, GFP_KERNEL);
	if (!mem)
		return -ENOMEM;
	t = PTR_ALIGN(mem, 16);
	for (b = 0; b < sizeof(t->key); b++)
		t->key[b] = b * 7 + 1;
	for (keylen = 16; keylen <= 32 && same; keylen += 16) {
		err = aes_expandkey(&aes, t->key, keylen);
		if (err) {	/* not for 16 and 32 bytes: say so if it does */
			same = err;
			break;
		}
		kernel_fpu_begin();
		for (i = 0; i < 2; i++) {
			for (b = 0; b < sizeof(t->text[i]); b++)
				t->text[i][b] = b * 29 + 3;
			ops[i]->setkey(&t->k[i], aes.key_enc, 6 + keylen / 4);
			ops[i]->start(&t->k[i], &t->st, iv, t->ekj0);
			ops[i]->enc(&t->k[i], &t->st, t->text[i], t->text[i],
				    sizeof(t->text[i]) / 16);
			ops[i]->finish(&t->k[i], &t->st, 0, sizeof(t->text[i]),
				       t->ekj0, t->tag[i]);
		}
		kernel_fpu_end();
		same = !memcmp(t->text[0], t->text[1], sizeof(t->text[0])) &&
		       !memcmp(t->tag[0], t->tag[1], sizeof(t->tag[0]));
	}
	memzero_explicit(&aes, sizeof(aes));
	kfree_sensitive(mem);
	return same;
}

int bifrost_zced_aead_register(bool ottr)
{
	zced_init_red();
	zced_kernel_gcm = !ottr;
	zced_aesni = NULL;
	if (boot_cpu_has(X86_FEATURE_AES) && boot_cpu_has(X86_FEATURE_PCLMULQDQ) &&
	    boot_cpu_has(X86_FEATURE_XMM4_1)) {
		bool ymm = cpu_has_xfeatures(XFEATURE_MASK_SSE | XFEATURE_MASK_YMM, NULL);

		if (ymm && boot_cpu_has(X86_FEATURE_AVX))
			zced_aesni = &zced_aesni_avx_ops;
		else
			zced_aesni = &zced_aesni_sse_ops;
		if (zced_aesni == &zced_aesni_avx_ops && boot_cpu_has(X86_FEATURE_AVX2) &&
		    boot_cpu_has(X86_FEATURE_VAES)) {
			int agrees = zced_vaes_agrees();

			if (agrees == 1)
				zced_aesni = &zced_aesni_vaes_ops;
			else if (agrees == 0)
				pr_warn("this CPU's VAES disagrees with AES-NI (an emulator's 256-bit VAESENC?): AVX build used\n");
			else
				pr_warn("could not check the VAES build (%d): AVX build used\n",
					agrees);
		}
	}
	if (!ottr)
		pr_info("AES-GCM for ZCED sockets: the kernel's gcm(aes) (ottr=0, no OTTR)\n");
	else if (zced_aesni)
		pr_info("AES-GCM for ZCED sockets: AES-NI + PCLMULQDQ, %s build\n",
			zced_aesni->name);
	else
		pr_info("AES-GCM for ZCED sockets: portable C (no AES-NI/PCLMULQDQ on this CPU)\n");
	return crypto_register_aead(&zced_gcm_alg);
}

void bifrost_zced_aead_unregister(void)
{
	crypto_unregister_aead(&zced_gcm_alg);
}

/* the self-test's controls (zced_aead_selftest.c, zced_internal.h) */
void zced_aead_test_mode(struct crypto_aead *tfm, bool portable)
{
	struct zced_gcm_ctx *ctx = crypto_aead_ctx(tfm);

	ctx->selftest = true;
	ctx->portable = portable;
}

const char *zced_aead_tfm_impl(struct crypto_aead *tfm)
{
	const struct zced_gcm_ctx *ctx = crypto_aead_ctx(tfm);

	if (ctx->portable)
		return "portable C";
	if (ctx->child)
		return crypto_tfm_alg_driver_name(crypto_aead_tfm(ctx->child));
	return zced_aesni ? zced_aesni->name : "portable C";
}

bool zced_aead_has_aesni(void)
{
	return zced_aesni;
}

/*
 * kTLS asks on every record whether its AEAD is this one: the algorithm's
 * identity, not its name (a strcmp() cost ~130 instructions per record).
 */
bool zced_aead_is_ours(const struct crypto_aead *tfm)
{
	return crypto_aead_alg((struct crypto_aead *)tfm) == &zced_gcm_alg;
}
