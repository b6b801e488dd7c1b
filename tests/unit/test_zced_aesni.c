// SPDX-License-Identifier: GPL-2.0
/*
 * test_zced_aesni - the guest's AES-NI single-pass GCM block functions
 * (guest-driver/bifrost_zced/zced_aesni_core.h), every build (VAES where this
 * CPU has it, AVX and SSE), compiled for user space and checked against
 * OpenSSL's AES-GCM: AES-128,
 * AES-192 and AES-256, AAD of 0..33 bytes, text lengths 0..300 and a 16 KiB
 * + 5 byte TLS record, processed in random block-run sizes (as the kernel
 * glue's scatterlist walk does), in place and from src to another dst, at
 * odd addresses. Also: a flipped ciphertext bit changes the tag.
 *
 * And OTTR, which equal outputs cannot show (a second load of an unchanged
 * block returns the same bytes): every access to src and dst is traced
 * (their pages PROT_NONE, SIGSEGV unprotects for one single-stepped
 * instruction): each src block is loaded exactly once, dst is never loaded,
 * each dst block is stored once, nothing else in their pages is touched.
 * The kernel glue (scatterlists, partial blocks across pages) is checked in
 * the guest by bifrost_zced's self-test (selftest=1, tests/guest/t_vm_zced_module.sh).
 */
#include <openssl/evp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>
#include "unit.h"

typedef uint8_t u8;
typedef uint32_t u32;
typedef uint64_t u64;
#define __aligned(x) __attribute__((aligned(x)))
#undef __always_inline
#define __always_inline inline __attribute__((always_inline))

#pragma GCC push_options
#pragma GCC target("avx2,vaes,aes,pclmul")
#define ZA(n) zced_aesni_vaes_##n
#define ZCED_AESNI_NAME "vaes"
#define ZCED_AESNI_VAES 1
#include "../../guest-driver/bifrost_zced/zced_aesni_core.h"
#undef ZA
#undef ZCED_AESNI_NAME
#undef ZCED_AESNI_VAES
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx,aes,pclmul")
#define ZA(n) zced_aesni_avx_##n
#define ZCED_AESNI_NAME "avx"
#include "../../guest-driver/bifrost_zced/zced_aesni_core.h"
#undef ZA
#undef ZCED_AESNI_NAME
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("sse4.1,aes,pclmul")
#define ZA(n) zced_aesni_sse_##n
#define ZCED_AESNI_NAME "sse"
#include "../../guest-driver/bifrost_zced/zced_aesni_core.h"
#pragma GCC pop_options

/* the AES key schedule as the kernel's aes_expandkey() leaves it (FIPS-197) */
static const u8 sbox[256] = {
	0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b, 0xfe, 0xd7, 0xab, 0x76,
	0xca, 0x82, 0xc9, 0x7d, 0xfa, 0x59, 0x47, 0xf0, 0xad, 0xd4, 0xa2, 0xaf, 0x9c, 0xa4, 0x72, 0xc0,
	0xb7, 0xfd, 0x93, 0x26, 0x36, 0x3f, 0xf7, 0xcc, 0x34, 0xa5, 0xe5, 0xf1, 0x71, 0xd8, 0x31, 0x15,
	0x04, 0xc7, 0x23, 0xc3, 0x18, 0x96, 0x05, 0x9a, 0x07, 0x12, 0x80, 0xe2, 0xeb, 0x27, 0xb2, 0x75,
	0x09, 0x83, 0x2c, 0x1a, 0x1b, 0x6e, 0x5a, 0xa0, 0x52, 0x3b, 0xd6, 0xb3, 0x29, 0xe3, 0x2f, 0x84,
	0x53, 0xd1, 0x00, 0xed, 0x20, 0xfc, 0xb1, 0x5b, 0x6a, 0xcb, 0xbe, 0x39, 0x4a, 0x4c, 0x58, 0xcf,
	0xd0, 0xef, 0xaa, 0xfb, 0x43, 0x4d, 0x33, 0x85, 0x45, 0xf9, 0x02, 0x7f, 0x50, 0x3c, 0x9f, 0xa8,
	0x51, 0xa3, 0x40, 0x8f, 0x92, 0x9d, 0x38, 0xf5, 0xbc, 0xb6, 0xda, 0x21, 0x10, 0xff, 0xf3, 0xd2,
	0xcd, 0x0c, 0x13, 0xec, 0x5f, 0x97, 0x44, 0x17, 0xc4, 0xa7, 0x7e, 0x3d, 0x64, 0x5d, 0x19, 0x73,
	0x60, 0x81, 0x4f, 0xdc, 0x22, 0x2a, 0x90, 0x88, 0x46, 0xee, 0xb8, 0x14, 0xde, 0x5e, 0x0b, 0xdb,
	0xe0, 0x32, 0x3a, 0x0a, 0x49, 0x06, 0x24, 0x5c, 0xc2, 0xd3, 0xac, 0x62, 0x91, 0x95, 0xe4, 0x79,
	0xe7, 0xc8, 0x37, 0x6d, 0x8d, 0xd5, 0x4e, 0xa9, 0x6c, 0x56, 0xf4, 0xea, 0x65, 0x7a, 0xae, 0x08,
	0xba, 0x78, 0x25, 0x2e, 0x1c, 0xa6, 0xb4, 0xc6, 0xe8, 0xdd, 0x74, 0x1f, 0x4b, 0xbd, 0x8b, 0x8a,
	0x70, 0x3e, 0xb5, 0x66, 0x48, 0x03, 0xf6, 0x0e, 0x61, 0x35, 0x57, 0xb9, 0x86, 0xc1, 0x1d, 0x9e,
	0xe1, 0xf8, 0x98, 0x11, 0x69, 0xd9, 0x8e, 0x94, 0x9b, 0x1e, 0x87, 0xe9, 0xce, 0x55, 0x28, 0xdf,
	0x8c, 0xa1, 0x89, 0x0d, 0xbf, 0xe6, 0x42, 0x68, 0x41, 0x99, 0x2d, 0x0f, 0xb0, 0x54, 0xbb, 0x16,
};

static unsigned int expand_key(u32 *w, const u8 *key, unsigned int keylen)
{
	unsigned int nk = keylen / 4, rounds = nk + 6, i;
	u8 rcon = 1;

	for (i = 0; i < nk; i++)
		w[i] = key[4 * i] | key[4 * i + 1] << 8 | key[4 * i + 2] << 16 |
		       (u32)key[4 * i + 3] << 24;
	for (i = nk; i < 4 * (rounds + 1); i++) {
		u32 t = w[i - 1];

		if (i % nk == 0) {
			t = (t >> 8) | (t << 24);
			t = sbox[t & 0xff] | sbox[(t >> 8) & 0xff] << 8 |
			    sbox[(t >> 16) & 0xff] << 16 | (u32)sbox[t >> 24] << 24;
			t ^= rcon;
			rcon = (rcon << 1) ^ ((rcon & 0x80) ? 0x1b : 0);
		} else if (nk > 6 && i % nk == 4) {
			t = sbox[t & 0xff] | sbox[(t >> 8) & 0xff] << 8 |
			    sbox[(t >> 16) & 0xff] << 16 | (u32)sbox[t >> 24] << 24;
		}
		w[i] = w[i - nk] ^ t;
	}
	return rounds;
}

static bool openssl_gcm(bool enc, const u8 *key, int keylen, const u8 *iv,
			const u8 *aad, int alen, const u8 *in, int len, u8 *out,
			u8 *tag)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n, ok;

	ok = EVP_CipherInit_ex(c, keylen == 16 ? EVP_aes_128_gcm() :
			       keylen == 24 ? EVP_aes_192_gcm() : EVP_aes_256_gcm(),
			       NULL, key, iv, enc) &&
	     (!alen || EVP_CipherUpdate(c, NULL, &n, aad, alen)) &&
	     (!len || EVP_CipherUpdate(c, out, &n, in, len));
	if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag);
	ok = ok && EVP_CipherFinal_ex(c, out + len, &n);
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag);
	EVP_CIPHER_CTX_free(c);
	return ok;
}

/*
 * ours: AAD, then the text src -> dst in runs of random numbers of blocks,
 * then the tail through a private block (tag: the glue's is 16-aligned too)
 */
static void ours(const struct zced_aesni_ops *ops, bool enc, const u8 *key,
		 unsigned int keylen, const u8 *iv, const u8 *aad, unsigned int alen,
		 u8 *dst, const u8 *src, unsigned int len, u8 *tag)
{
	static struct zced_aesni_key k;
	struct zced_aesni_state st;
	u8 ekj0[16] __aligned(16), blk[16] __aligned(16), t[16] __aligned(16);
	u32 w[60];
	unsigned int off = 0, nb;

	ops->setkey(&k, w, expand_key(w, key, keylen));
	ops->start(&k, &st, iv, ekj0);
	if (alen >= 16)
		ops->ghash(&k, &st, aad, alen / 16);
	if (alen % 16) {
		memset(blk, 0, 16);
		memcpy(blk, aad + alen / 16 * 16, alen % 16);
		ops->ghash(&k, &st, blk, 1);
	}
	while (len - off >= 16) {
		nb = 1 + (unsigned int)rand() % 40;
		if (nb > (len - off) / 16)
			nb = (len - off) / 16;
		if (enc)
			ops->enc(&k, &st, dst + off, src + off, nb);
		else
			ops->dec(&k, &st, dst + off, src + off, nb);
		off += nb * 16;
	}
	if (len - off) {
		memcpy(blk, src + off, len - off);
		if (enc)
			ops->enc_tail(&k, &st, blk, len - off);
		else
			ops->dec_tail(&k, &st, blk, len - off);
		memcpy(dst + off, blk, len - off);
	}
	ops->finish(&k, &st, alen, len, ekj0, t);
	memcpy(tag, t, 16);
}

#define MAXLEN (16384 + 5 + 64)

static int check_one(const struct zced_aesni_ops *ops, unsigned int keylen,
		     unsigned int alen, unsigned int len)
{
	static u8 key[32], iv[12], aad[64], pt[MAXLEN], ref[MAXLEN + 16];
	static u8 raw[MAXLEN + 1], raw2[MAXLEN + 7];
	/* odd addresses: unaligned loads and stores */
	u8 *buf = raw + 1, *out = raw2 + 7, reftag[16], tag[16];
	unsigned int i;

	for (i = 0; i < keylen; i++)
		key[i] = (u8)rand();
	for (i = 0; i < 12; i++)
		iv[i] = (u8)rand();
	for (i = 0; i < alen; i++)
		aad[i] = (u8)rand();
	for (i = 0; i < len; i++)
		pt[i] = (u8)rand();
	if (!openssl_gcm(true, key, keylen, iv, aad, alen, pt, len, ref, reftag))
		return -1;
	/* in place */
	memcpy(buf, pt, len);
	ours(ops, true, key, keylen, iv, aad, alen, buf, buf, len, tag);
	if (memcmp(buf, ref, len) || memcmp(tag, reftag, 16))
		return 1;
	ours(ops, false, key, keylen, iv, aad, alen, buf, buf, len, tag);
	if (memcmp(buf, pt, len) || memcmp(tag, reftag, 16))
		return 2;
	/* src -> another dst: dst's old bytes must not matter */
	memset(out, 0xa5, len);
	ours(ops, true, key, keylen, iv, aad, alen, out, buf, len, tag);
	if (memcmp(out, ref, len) || memcmp(buf, pt, len) ||
	    memcmp(tag, reftag, 16))
		return 1;
	memset(buf, 0x5a, len);
	ours(ops, false, key, keylen, iv, aad, alen, buf, out, len, tag);
	if (memcmp(buf, pt, len) || memcmp(out, ref, len) ||
	    memcmp(tag, reftag, 16))
		return 2;
	if (len) {	/* a flipped ciphertext bit: another tag */
		memcpy(buf, ref, len);
		buf[rand() % len] ^= (u8)(1 << (rand() % 8));
		ours(ops, false, key, keylen, iv, aad, alen, buf, buf, len, tag);
		if (!memcmp(tag, reftag, 16))
			return 3;
	}
	return 0;
}

static void check_ops(const struct zced_aesni_ops *ops)
{
	static const unsigned int keylens[] = { 16, 24, 32 };
	static const unsigned int alens[] = { 0, 5, 13, 16, 20, 33 };
	char name[160];
	unsigned int k, a, len;
	int bad = 0, err = 0;

	for (k = 0; k < 3; k++) {
		for (a = 0; a < sizeof(alens) / sizeof(alens[0]); a++) {
			for (len = 0; len <= 300 && !bad; len++)
				bad = check_one(ops, keylens[k], alens[a], len);
			if (bad && !err) {
				snprintf(name, sizeof(name),
					 "%s: AES-%u-GCM, AAD %u B, text %u B: %s", ops->name,
					 keylens[k] * 8, alens[a], len - 1,
					 bad < 0 ? "OpenSSL failed" : bad == 1 ? "encryption differs" :
					 bad == 2 ? "decryption differs" : "tampered text, same tag");
				CHECK(name, 0);
				err = 1;
			}
		}
		snprintf(name, sizeof(name),
			 "%s: AES-%u-GCM equals OpenSSL's for AAD 0..33 B x text 0..300 B, encrypt and decrypt, in place and src -> dst",
			 ops->name, keylens[k] * 8);
		if (!err)
			CHECK(name, 1);
		snprintf(name, sizeof(name), "%s: AES-%u-GCM, 16389-byte TLS 1.3 record (AAD 5 B)",
			 ops->name, keylens[k] * 8);
		CHECK_EQ(name, check_one(ops, keylens[k], 5, 16389), 0);
		snprintf(name, sizeof(name), "%s: AES-%u-GCM, 16384-byte TLS 1.2 record (AAD 13 B)",
			 ops->name, keylens[k] * 8);
		CHECK_EQ(name, check_one(ops, keylens[k], 13, 16384), 0);
	}
}

/*
 * OTTR: every access to the pages of src and dst traced. Both are PROT_NONE
 * during the operation; a fault is counted (per 16-byte block of src or dst,
 * read or write from the fault's error code), unprotects its page and sets
 * the trap flag; the trap after that one instruction protects the pages
 * again. An access counts for the blocks it covers from its first byte:
 * 16 bytes, or 32 for a VEX.256 instruction (the VAES build's pairs; the
 * block functions only access whole blocks at block starts); one that
 * straddles two pages faults twice at the same instruction: counted once.
 */
#define TR_PAGES	6	/* a 16 KiB + 5 byte record at an odd offset */
#define TR_LEN		(TR_PAGES * 4096)
#define TR_BLOCKS	(16384 / 16)

static struct {
	u8 *area[2];			/* src's and dst's pages */
	const u8 *src;
	u8 *dst;
	unsigned int nblocks;
	unsigned short rd[2][TR_BLOCKS], wr[2][TR_BLOCKS];	/* src, dst */
	unsigned int stray;		/* accesses outside src/dst's blocks */
	u8 *open[4];			/* pages unprotected for one insn */
	unsigned int nopen;
	greg_t rip;			/* of the instruction being let through */
} tr;

/* the width of the access an instruction makes: 32 bytes if VEX.256, else 16 */
static unsigned int tr_width(const u8 *ip)
{
	while (*ip == 0x66 || *ip == 0xf2 || *ip == 0xf3 || (*ip & 0xf0) == 0x40)
		ip++;	/* legacy and REX prefixes */
	if (ip[0] == 0xc5)	/* 2-byte VEX: L is bit 2 of its second byte */
		return ip[1] & 4 ? 32 : 16;
	if (ip[0] == 0xc4)	/* 3-byte VEX: L is bit 2 of its third byte */
		return ip[2] & 4 ? 32 : 16;
	return 16;
}

static void tr_count1(const u8 *p, bool write)
{
	bool hit = false;
	int w;

	for (w = 0; w < 2; w++) {
		const u8 *base = w ? tr.dst : tr.src;

		if (p >= base && p < base + 16 * tr.nblocks) {
			if (write)
				tr.wr[w][(p - base) / 16]++;
			else
				tr.rd[w][(p - base) / 16]++;
			hit = true;
		}
	}
	if (!hit)
		tr.stray++;
}

static void tr_count(const u8 *p, bool write, unsigned int width)
{
	unsigned int o;

	for (o = 0; o < width; o += 16)
		tr_count1(p + o, write);
}

static void tr_segv(int sig, siginfo_t *si, void *ucp)
{
	ucontext_t *uc = ucp;
	u8 *p = si->si_addr, *page;
	int a;

	(void)sig;
	for (a = 0; a < 2; a++)
		if (p >= tr.area[a] && p < tr.area[a] + TR_LEN)
			break;
	if (a == 2 || tr.nopen == 4) {	/* a real crash */
		signal(SIGSEGV, SIG_DFL);
		return;
	}
	if (!tr.nopen || uc->uc_mcontext.gregs[REG_RIP] != tr.rip)
		tr_count(p, uc->uc_mcontext.gregs[REG_ERR] & 2,
			 tr_width((const u8 *)uc->uc_mcontext.gregs[REG_RIP]));
	tr.rip = uc->uc_mcontext.gregs[REG_RIP];
	page = (u8 *)((uintptr_t)p & ~(uintptr_t)4095);
	mprotect(page, 4096, PROT_READ | PROT_WRITE);
	tr.open[tr.nopen++] = page;
	uc->uc_mcontext.gregs[REG_EFL] |= 0x100;	/* TF: trap after it */
}

static void tr_trap(int sig, siginfo_t *si, void *ucp)
{
	ucontext_t *uc = ucp;

	(void)sig;
	(void)si;
	while (tr.nopen)
		mprotect(tr.open[--tr.nopen], 4096, PROT_NONE);
	uc->uc_mcontext.gregs[REG_EFL] &= ~(greg_t)0x100;
}

/* 0 if ok, else how many blocks or stray accesses were wrong */
static unsigned int check_trace(const struct zced_aesni_ops *ops, bool enc,
				bool in_place, unsigned int keylen)
{
	static struct zced_aesni_key k;
	struct zced_aesni_state st;
	u8 key[32], iv[12], ekj0[16] __aligned(16);
	unsigned int i, w, off = 0, nb, bad;
	u32 rk[60];

	for (i = 0; i < sizeof(key); i++)
		key[i] = (u8)rand();
	for (i = 0; i < sizeof(iv); i++)
		iv[i] = (u8)rand();
	tr.nblocks = TR_BLOCKS;
	tr.src = tr.area[0] + 1 + 16 * (unsigned int)(rand() % 64);
	tr.dst = in_place ? (u8 *)tr.src : tr.area[1] + 3 + 16 * (unsigned int)(rand() % 64);
	memset(tr.rd, 0, sizeof(tr.rd));
	memset(tr.wr, 0, sizeof(tr.wr));
	tr.stray = 0;
	for (i = 0; i < 2; i++) {
		memset(tr.area[i], (u8)rand(), TR_LEN);
		mprotect(tr.area[i], TR_LEN, PROT_NONE);
	}
	ops->setkey(&k, rk, expand_key(rk, key, keylen));
	ops->start(&k, &st, iv, ekj0);
	while (off < tr.nblocks) {
		nb = 1 + (unsigned int)rand() % 300;
		if (nb > tr.nblocks - off)
			nb = tr.nblocks - off;
		if (enc)
			ops->enc(&k, &st, tr.dst + 16 * off, tr.src + 16 * off, nb);
		else
			ops->dec(&k, &st, tr.dst + 16 * off, tr.src + 16 * off, nb);
		off += nb;
	}
	for (i = 0; i < 2; i++)
		mprotect(tr.area[i], TR_LEN, PROT_READ | PROT_WRITE);
	bad = tr.stray;
	for (i = 0; i < tr.nblocks; i++)
		for (w = 0; w < 2; w++)	/* src: 1 load (1 store in place) */
			if (tr.rd[w][i] != (w == 0 || in_place) ||
			    tr.wr[w][i] != (w == 1 || in_place))
				bad++;
	return bad;
}

static void check_ottr(const struct zced_aesni_ops *ops)
{
	static const unsigned int keylens[] = { 16, 24, 32 };
	char name[160];
	unsigned int k, enc, ip;

	for (k = 0; k < 3; k++) {
		for (enc = 0; enc < 2; enc++) {
			for (ip = 0; ip < 2; ip++) {
				snprintf(name, sizeof(name),
					 "%s: AES-%u-GCM %s%s, 16 KiB: each src block loaded once, dst never loaded, each dst block stored once",
					 ops->name, keylens[k] * 8,
					 enc ? "encrypt" : "decrypt",
					 ip ? " in place" : "");
				CHECK_EQ(name, check_trace(ops, enc, ip, keylens[k]), 0);
			}
		}
	}
}

/* the tracer sees a second load and a load from dst (else it proves nothing) */
static void bad_dec(const struct zced_aesni_key *k, struct zced_aesni_state *st,
		    u8 *dst, const u8 *src, unsigned int nblocks)
{
	volatile u8 sink;

	(void)k;
	(void)st;
	sink = src[16];
	sink = dst[32];
	(void)sink;
	memmove(dst, src, 16 * nblocks);
}

static void check_tracer(void)
{
	struct zced_aesni_ops bad = zced_aesni_sse_ops;

	bad.name = "deliberately bad";
	bad.dec = bad_dec;
	CHECK("the access tracer catches a second source load and a load from dst",
	      check_trace(&bad, false, false, 16) >= 2);
}

static void tracer_init(void)
{
	struct sigaction sa;
	int i;

	for (i = 0; i < 2; i++)
		tr.area[i] = mmap(NULL, TR_LEN, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_flags = SA_SIGINFO;
	sa.sa_sigaction = tr_segv;
	sigaction(SIGSEGV, &sa, NULL);
	sa.sa_sigaction = tr_trap;
	sigaction(SIGTRAP, &sa, NULL);
}

int main(void)
{
	bool vaes;

	srand(12345);
	__builtin_cpu_init();
	if (!__builtin_cpu_supports("aes") || !__builtin_cpu_supports("pclmul")) {
		printf("FAIL: this CPU has no AES-NI/PCLMULQDQ: the AES-NI GCM cannot be checked here\n");
		return 1;
	}
	vaes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("vaes");
	check_ops(&zced_aesni_sse_ops);
	if (__builtin_cpu_supports("avx"))
		check_ops(&zced_aesni_avx_ops);
	else
		printf("FAIL: this CPU has no AVX: the AVX build cannot be checked here\n");
	if (vaes)
		check_ops(&zced_aesni_vaes_ops);
	else
		printf("NOTE: this CPU has no AVX2+VAES: the VAES build is not checked here\n");
	tracer_init();
	check_tracer();
	check_ottr(&zced_aesni_sse_ops);
	if (__builtin_cpu_supports("avx"))
		check_ottr(&zced_aesni_avx_ops);
	if (vaes)
		check_ottr(&zced_aesni_vaes_ops);
	UNIT_EXIT();
}
