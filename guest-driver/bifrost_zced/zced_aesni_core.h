/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zced_aesni_core.h - the block functions of the AES-NI single-pass GCM,
 * included once per instruction set by zced_aesni_avx.c and zced_aesni_sse.c
 * (compiled with -mavx / -msse4.1 plus -maes -mpclmul, see the Kbuild file),
 * which define ZA(name) to give the functions their suffix.
 *
 * GCM (NIST SP 800-38D) with a 96-bit IV: CTR mode from inc32(J0), GHASH
 * over AAD || C || lengths in GF(2^128). GHASH works on byte-reversed
 * blocks, so that the CPU's bit order within the 128-bit register matches
 * GCM's reflected one; a product of two such elements is the carry-less
 * product shifted left by one bit, then reduced modulo
 * x^128 + x^7 + x^2 + x + 1 (the method of Gueron and Kounavis, "Intel
 * Carry-Less Multiplication Instruction and its Usage for Computing the GCM
 * Mode", rev. 2.02, 2014, Algorithm 5; written here from its description).
 * Eight blocks are hashed per reduction: acc' = (acc + X0) H^8 + X1 H^7 +
 * ... + X7 H, products summed unreduced (the shift and the reduction are
 * linear).
 *
 * The VAES build (ZCED_AESNI_VAES) runs the groups of eight blocks as four
 * pairs in 256-bit registers: one VAESENC does the round of two blocks, and
 * a pair is loaded and stored with one 32-byte access. GHASH stays on
 * 128-bit lanes (PCLMULQDQ; the CPUs here need not have VPCLMULQDQ).
 *
 * One-time trusted read: every source block is read by exactly one
 * zced_load() (a volatile 16-byte load; in the VAES build's groups, one
 * volatile 32-byte load per pair of blocks), and everything done with the
 * block (XOR with the keystream, GHASH, the store) uses that register value.
 * Nothing is ever loaded from a destination. So a host rewriting a shared
 * source or destination during the operation cannot make the tag cover other
 * bytes than the ones decrypted (or encrypted and written).
 */
#include "zced_aesni.h"

/* the helpers get the build's suffix too: both builds may share a unit */
#define zced_load ZA(load)
#define zced_store ZA(store)
#define zced_ld ZA(ld)
#define zced_st ZA(st)
#define zced_bswap ZA(bswap)
#define zced_reduce ZA(reduce)
#define zced_gfmul ZA(gfmul)
#define zced_mac ZA(mac)
#define zced_aes ZA(aes)
#define zced_ctr_next ZA(ctr_next)
#define zced_blocks ZA(blocks)
#define zced_tail ZA(tail)
#define zced_blocks8 ZA(blocks8)

#ifndef ZCED_AESNI_TYPES
#define ZCED_AESNI_TYPES
typedef long long zv2di __attribute__((vector_size(16)));
typedef unsigned int zv4su __attribute__((vector_size(16)));
typedef int zv4si __attribute__((vector_size(16)));
typedef char zv16qi __attribute__((vector_size(16)));
typedef long long zv2di_u __attribute__((vector_size(16))) __aligned(1);
typedef long long zv4di __attribute__((vector_size(32)));
typedef int zv8si __attribute__((vector_size(32)));
typedef char zv32qi __attribute__((vector_size(32)));
typedef long long zv4di_u __attribute__((vector_size(32))) __aligned(1);
#endif

/* the one read of a source block */
static __always_inline zv2di zced_load(const u8 *p)
{
	return *(const volatile zv2di_u *)p;
}

static __always_inline void zced_store(u8 *p, zv2di v)
{
	*(volatile zv2di_u *)p = v;
}

static __always_inline zv2di zced_ld(const u8 *p)	/* aligned, private */
{
	return *(const zv2di *)p;
}

static __always_inline void zced_st(u8 *p, zv2di v)	/* aligned, private */
{
	*(zv2di *)p = v;
}

static __always_inline zv2di zced_bswap(zv2di v)
{
	const zv16qi rev = { 15, 14, 13, 12, 11, 10, 9, 8,
			     7, 6, 5, 4, 3, 2, 1, 0 };

	return (zv2di)__builtin_ia32_pshufb128((zv16qi)v, rev);
}

#define zced_clmul(a, b, imm)	__builtin_ia32_pclmulqdq128((a), (b), (imm))
#define zced_shl_bytes(v, n)	__builtin_ia32_pslldqi128((v), (n) * 8)
#define zced_shr_bytes(v, n)	__builtin_ia32_psrldqi128((v), (n) * 8)

/*
 * The unreduced 256-bit product hi:lo plus the middle terms, shifted left
 * by one bit and reduced: the GHASH product of the byte-reversed inputs.
 */
static __always_inline zv2di zced_reduce(zv2di lo, zv2di mid, zv2di hi)
{
	zv4su l, h, c7, c8, c9, r;

	lo ^= zced_shl_bytes(mid, 8);
	hi ^= zced_shr_bytes(mid, 8);

	/* hi:lo <<= 1 */
	l = (zv4su)lo;
	h = (zv4su)hi;
	c7 = l >> 31;
	c8 = h >> 31;
	l <<= 1;
	h <<= 1;
	c9 = (zv4su)zced_shr_bytes((zv2di)c7, 12);
	c8 = (zv4su)zced_shl_bytes((zv2di)c8, 4);
	c7 = (zv4su)zced_shl_bytes((zv2di)c7, 4);
	l |= c7;
	h |= c8 | c9;

	/* fold the low 128 bits into the high ones */
	c7 = (l << 31) ^ (l << 30) ^ (l << 25);
	c8 = (zv4su)zced_shr_bytes((zv2di)c7, 4);
	c7 = (zv4su)zced_shl_bytes((zv2di)c7, 12);
	l ^= c7;
	r = (l >> 1) ^ (l >> 2) ^ (l >> 7) ^ c8;
	l ^= r;
	return (zv2di)(h ^ l);
}

/* a * b in GF(2^128), both byte-reversed */
static __always_inline zv2di zced_gfmul(zv2di a, zv2di b)
{
	zv2di lo = zced_clmul(a, b, 0x00);
	zv2di hi = zced_clmul(a, b, 0x11);
	zv2di mid = zced_clmul(a, b, 0x01) ^ zced_clmul(a, b, 0x10);

	return zced_reduce(lo, mid, hi);
}

/* lo/mid/hi += x * h, unreduced */
static __always_inline void zced_mac(zv2di x, zv2di h, zv2di *lo, zv2di *mid,
				     zv2di *hi)
{
	*lo ^= zced_clmul(x, h, 0x00);
	*hi ^= zced_clmul(x, h, 0x11);
	*mid ^= zced_clmul(x, h, 0x01) ^ zced_clmul(x, h, 0x10);
}

static __always_inline zv2di zced_aes(const struct zced_aesni_key *k, zv2di b)
{
	unsigned int r;

	b ^= zced_ld(k->rk[0]);
	for (r = 1; r < k->rounds; r++)
		b = __builtin_ia32_aesenc128(b, zced_ld(k->rk[r]));
	return __builtin_ia32_aesenclast128(b, zced_ld(k->rk[k->rounds]));
}

/* the counter block for *ctr (byte-reversed), and *ctr += 1 */
static __always_inline zv2di zced_ctr_next(zv2di *ctr)
{
	const zv4si one = { 1, 0, 0, 0 };
	zv2di blk = zced_bswap(*ctr);

	*ctr = (zv2di)((zv4si)*ctr + one);
	return blk;
}

/*
 * n (1..8) blocks: keystream, then for each block one load of the source,
 * XOR, store, and its term of the aggregated GHASH. @enc: the GHASH input is
 * the result (ciphertext), else the loaded source (ciphertext). @rounds is a
 * constant where the caller wants the rounds unrolled.
 */
static __always_inline void zced_blocks(const struct zced_aesni_key *k,
					zv2di *acc, zv2di *ctr, u8 *dst,
					const u8 *src, const unsigned int n,
					const bool enc, const unsigned int rounds)
{
	zv2di ks[ZCED_AESNI_HPOWERS], lo = { 0, 0 }, mid = { 0, 0 }, hi = { 0, 0 };
	zv2di rk0 = zced_ld(k->rk[0]), rkl = zced_ld(k->rk[rounds]);
	unsigned int i, r;

	_Pragma("GCC unroll 8")
	for (i = 0; i < n; i++)
		ks[i] = zced_ctr_next(ctr) ^ rk0;
	_Pragma("GCC unroll 14")
	for (r = 1; r < rounds; r++) {
		zv2di rk = zced_ld(k->rk[r]);

		_Pragma("GCC unroll 8")
		for (i = 0; i < n; i++)
			ks[i] = __builtin_ia32_aesenc128(ks[i], rk);
	}
	_Pragma("GCC unroll 8")
	for (i = 0; i < n; i++)
		ks[i] = __builtin_ia32_aesenclast128(ks[i], rkl);
	/* the source blocks: one load each, then only registers */
	_Pragma("GCC unroll 8")
	for (i = 0; i < n; i++) {
		zv2di in = zced_load(src + 16 * i);
		zv2di out = ks[i] ^ in;
		zv2di x = zced_bswap(enc ? out : in);

		zced_store(dst + 16 * i, out);
		if (i == 0)
			x ^= *acc;
		zced_mac(x, zced_ld(k->hp[n - 1 - i]), &lo, &mid, &hi);
		/*
		 * sum as we go: without this barrier GCC keeps all 32
		 * products alive and spills them to the stack
		 */
		asm("" : "+x" (lo), "+x" (mid), "+x" (hi));
	}
	*acc = zced_reduce(lo, mid, hi);
}

#ifdef ZCED_AESNI_VAES
/* the one read of a pair of source blocks */
static __always_inline zv4di zced_load2(const u8 *p)
{
	return *(const volatile zv4di_u *)p;
}

static __always_inline void zced_store2(u8 *p, zv4di v)
{
	*(volatile zv4di_u *)p = v;
}

/* both lanes byte-reversed */
static __always_inline zv4di zced_bswap2(zv4di v)
{
	const zv32qi rev = { 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0,
			     15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 };

	return (zv4di)__builtin_ia32_pshufb256((zv32qi)v, rev);
}

static __always_inline zv4di zced_dup(zv2di v)
{
	return __builtin_shufflevector(v, v, 0, 1, 0, 1);
}

static __always_inline zv2di zced_lane(zv4di v, const int hi)
{
	return hi ? __builtin_shufflevector(v, v, 2, 3) :
		    __builtin_shufflevector(v, v, 0, 1);
}

/*
 * Eight blocks as four pairs: the keystream of two blocks per VAESENC, one
 * 32-byte load per pair of source blocks, then the same register-only XOR,
 * store and GHASH terms as zced_blocks() (each lane its own term).
 */
static __always_inline void zced_blocks8(const struct zced_aesni_key *k,
					 zv2di *acc, zv2di *ctr, u8 *dst,
					 const u8 *src, const bool enc,
					 const unsigned int rounds)
{
	const zv4si one = { 1, 0, 0, 0 };
	const zv8si two = { 2, 0, 0, 0, 2, 0, 0, 0 };
	zv4di ks[4], c, rk0 = zced_dup(zced_ld(k->rk[0]));
	zv4di rkl = zced_dup(zced_ld(k->rk[rounds]));
	zv2di lo = { 0, 0 }, mid = { 0, 0 }, hi = { 0, 0 };
	unsigned int i, r;

	/* counters c, c + 1 in the two lanes; each pair adds 2 to both */
	c = __builtin_shufflevector(*ctr, (zv2di)((zv4si)*ctr + one), 0, 1, 2, 3);
	_Pragma("GCC unroll 4")
	for (i = 0; i < 4; i++) {
		ks[i] = zced_bswap2(c) ^ rk0;
		c = (zv4di)((zv8si)c + two);
	}
	*ctr = zced_lane(c, 0);
	_Pragma("GCC unroll 14")
	for (r = 1; r < rounds; r++) {
		zv4di rk = zced_dup(zced_ld(k->rk[r]));

		_Pragma("GCC unroll 4")
		for (i = 0; i < 4; i++)
			ks[i] = (zv4di)__builtin_ia32_vaesenc_v32qi((zv32qi)ks[i], (zv32qi)rk);
	}
	_Pragma("GCC unroll 4")
	for (i = 0; i < 4; i++)
		ks[i] = (zv4di)__builtin_ia32_vaesenclast_v32qi((zv32qi)ks[i], (zv32qi)rkl);
	/* the source pairs: one load each, then only registers */
	_Pragma("GCC unroll 4")
	for (i = 0; i < 4; i++) {
		zv4di in = zced_load2(src + 32 * i);
		zv4di out = ks[i] ^ in;
		zv4di x = zced_bswap2(enc ? out : in);
		zv2di x0 = zced_lane(x, 0), x1 = zced_lane(x, 1);

		zced_store2(dst + 32 * i, out);
		if (i == 0)
			x0 ^= *acc;
		zced_mac(x0, zced_ld(k->hp[7 - 2 * i]), &lo, &mid, &hi);
		zced_mac(x1, zced_ld(k->hp[6 - 2 * i]), &lo, &mid, &hi);
		asm("" : "+x" (lo), "+x" (mid), "+x" (hi));
	}
	*acc = zced_reduce(lo, mid, hi);
}

/* whole groups of 8 blocks with the rounds unrolled for one key size */
#define ZCED_GROUPS(rounds)						\
	for (; nblocks >= 8; nblocks -= 8, src += 128, dst += 128)	\
		zced_blocks8(k, &acc, &ctr, dst, src, enc, (rounds))
#else
/* whole groups of 8 blocks with the rounds unrolled for one key size */
#define ZCED_GROUPS(rounds)						\
	for (; nblocks >= 8; nblocks -= 8, src += 128, dst += 128)	\
		zced_blocks(k, &acc, &ctr, dst, src, 8, enc, (rounds))
#endif

static __always_inline void ZA(crypt)(const struct zced_aesni_key *k,
				      struct zced_aesni_state *st, u8 *dst,
				      const u8 *src, unsigned int nblocks,
				      const bool enc)
{
	zv2di acc = zced_ld(st->acc), ctr = zced_ld(st->ctr);
	const unsigned int rounds = k->rounds;

	if (rounds == 10)
		ZCED_GROUPS(10);
	else if (rounds == 12)
		ZCED_GROUPS(12);
	else
		ZCED_GROUPS(14);
	/* the last 1..7 blocks, rounds not unrolled */
	switch (nblocks) {
	case 7:
		zced_blocks(k, &acc, &ctr, dst, src, 7, enc, rounds);
		break;
	case 6:
		zced_blocks(k, &acc, &ctr, dst, src, 6, enc, rounds);
		break;
	case 5:
		zced_blocks(k, &acc, &ctr, dst, src, 5, enc, rounds);
		break;
	case 4:
		zced_blocks(k, &acc, &ctr, dst, src, 4, enc, rounds);
		break;
	case 3:
		zced_blocks(k, &acc, &ctr, dst, src, 3, enc, rounds);
		break;
	case 2:
		zced_blocks(k, &acc, &ctr, dst, src, 2, enc, rounds);
		break;
	case 1:
		zced_blocks(k, &acc, &ctr, dst, src, 1, enc, rounds);
		break;
	}
	zced_st(st->acc, acc);
	zced_st(st->ctr, ctr);
}

static void ZA(enc)(const struct zced_aesni_key *k, struct zced_aesni_state *st,
		    u8 *dst, const u8 *src, unsigned int nblocks)
{
	ZA(crypt)(k, st, dst, src, nblocks, true);
}

static void ZA(dec)(const struct zced_aesni_key *k, struct zced_aesni_state *st,
		    u8 *dst, const u8 *src, unsigned int nblocks)
{
	ZA(crypt)(k, st, dst, src, nblocks, false);
}

static void ZA(ghash)(const struct zced_aesni_key *k,
		      struct zced_aesni_state *st, const u8 *p,
		      unsigned int nblocks)
{
	zv2di acc = zced_ld(st->acc), h = zced_ld(k->hp[0]);

	for (; nblocks; nblocks--, p += 16)
		acc = zced_gfmul(acc ^ zced_bswap(zced_load(p)), h);
	zced_st(st->acc, acc);
}

/* the last n (1..15) bytes, in the private block blk */
static __always_inline void zced_tail(const struct zced_aesni_key *k,
				      struct zced_aesni_state *st, u8 *blk,
				      unsigned int n, const bool enc)
{
	zv2di ctr = zced_ld(st->ctr), acc = zced_ld(st->acc);
	zv2di in, out, ks = zced_aes(k, zced_ctr_next(&ctr));
	unsigned int i;

	for (i = n; i < 16; i++)
		blk[i] = 0;
	in = zced_ld(blk);
	out = in ^ ks;
	zced_st(blk, out);
	for (i = n; i < 16; i++)
		blk[i] = 0;
	/* GHASH of the ciphertext, zero-padded */
	acc = zced_gfmul(acc ^ zced_bswap(enc ? zced_ld(blk) : in), zced_ld(k->hp[0]));
	zced_st(st->acc, acc);
	zced_st(st->ctr, ctr);
}

static void ZA(enc_tail)(const struct zced_aesni_key *k,
			 struct zced_aesni_state *st, u8 *blk, unsigned int n)
{
	zced_tail(k, st, blk, n, true);
}

static void ZA(dec_tail)(const struct zced_aesni_key *k,
			 struct zced_aesni_state *st, u8 *blk, unsigned int n)
{
	zced_tail(k, st, blk, n, false);
}

static void ZA(setkey)(struct zced_aesni_key *k, const u32 *key_enc, u32 rounds)
{
	zv2di h, p;
	unsigned int i;

	k->rounds = rounds;
	for (i = 0; i <= rounds; i++)
		zced_st(k->rk[i], zced_load((const u8 *)&key_enc[4 * i]));
	h = zced_bswap(zced_aes(k, (zv2di){ 0, 0 }));
	p = h;
	zced_st(k->hp[0], h);
	for (i = 1; i < ZCED_AESNI_HPOWERS; i++) {
		p = zced_gfmul(p, h);
		zced_st(k->hp[i], p);
	}
}

static void ZA(start)(const struct zced_aesni_key *k,
		      struct zced_aesni_state *st, const u8 *iv, u8 *ekj0)
{
	u8 j0[16] __aligned(16);
	zv2di ctr;
	unsigned int i;

	for (i = 0; i < 12; i++)
		j0[i] = iv[i];
	j0[12] = 0;
	j0[13] = 0;
	j0[14] = 0;
	j0[15] = 1;
	ctr = zced_bswap(zced_ld(j0));
	zced_st(ekj0, zced_aes(k, zced_ctr_next(&ctr)));
	zced_st(st->ctr, ctr);
	zced_st(st->acc, (zv2di){ 0, 0 });
}

static void ZA(finish)(const struct zced_aesni_key *k,
		       struct zced_aesni_state *st, u64 alen, u64 clen,
		       const u8 *ekj0, u8 *tag)
{
	/* len(A) || len(C) in bits, big-endian: byte-reversed, C is the low lane */
	zv2di lens = { (long long)(clen * 8), (long long)(alen * 8) };
	zv2di acc = zced_gfmul(zced_ld(st->acc) ^ lens, zced_ld(k->hp[0]));

	zced_st(tag, zced_bswap(acc) ^ zced_ld(ekj0));
	zced_st(st->acc, (zv2di){ 0, 0 });
}

const struct zced_aesni_ops ZA(ops) = {
	.name		= ZCED_AESNI_NAME,
	.setkey		= ZA(setkey),
	.start		= ZA(start),
	.ghash		= ZA(ghash),
	.enc		= ZA(enc),
	.dec		= ZA(dec),
	.enc_tail	= ZA(enc_tail),
	.dec_tail	= ZA(dec_tail),
	.finish		= ZA(finish),
};

#undef zced_load
#undef zced_store
#undef zced_ld
#undef zced_st
#undef zced_bswap
#undef zced_reduce
#undef zced_gfmul
#undef zced_mac
#undef zced_aes
#undef zced_ctr_next
#undef zced_blocks
#undef zced_tail
#undef zced_blocks8
#undef ZCED_GROUPS
