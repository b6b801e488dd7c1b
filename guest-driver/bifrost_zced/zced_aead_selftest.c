// SPDX-License-Identifier: GPL-2.0
/*
 * zced_aead_selftest.c - the self-test of bifrost_zced_gcm_aes (module
 * parameter selftest=1): known answers of the GCM specification, API misuse,
 * and randomized comparison with the kernel's gcm(aes) over random
 * scatterlists (both directions, src == dst and not, tags of 4..16 bytes,
 * forgeries), on the implementation sockets get and then, on AES-NI CPUs,
 * on the portable C path. Its operations are not counted.
 */
#define pr_fmt(fmt) "bifrost_zced_aead: " fmt

#include <crypto/aead.h>
#include <crypto/aes.h>
#include <crypto/gcm.h>
#include <crypto/scatterwalk.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "zced_aead.h"
#include "zced_internal.h"

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
		zced_aead_tfm_impl(st->ours),
		ARRAY_SIZE(zst_kats), n, st->ops, st->badmsg, st->seed);
	return 0;
}

int bifrost_zced_aead_selftest(void)
{
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
	zced_aead_test_mode(st->ours, false);
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

	/*
	 * the implementation sockets get (AES-NI, portable C, or with ottr=0
	 * the forwarding to the kernel's AES-GCM), then (on AES-NI CPUs) the
	 * portable C they fall back to where the FPU cannot be used
	 */
	err = zst_run(st);
	if (!err && zced_aead_has_aesni()) {
		zced_aead_test_mode(st->ours, true);
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
