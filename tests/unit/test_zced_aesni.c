// SPDX-License-Identifier: GPL-2.0
/*
 * test_zced_aesni - the guest's AES-NI single-pass GCM block functions
 * (guest-driver/bifrost_zced/zced_aesni_core.h), both builds (AVX and SSE),
 * compiled for user space and checked against OpenSSL's AES-GCM: AES-128 and
 * AES-256, AAD and text lengths 0..300 and a 16 KiB + 5 byte TLS record,
 * processed in random block-run sizes (as the kernel glue's scatterlist walk
 * does) and in place. Also: a flipped ciphertext bit changes the tag.
 * The kernel glue (scatterlists, partial blocks across pages) is checked in
 * the guest by bifrost_zced's self-test (selftest=1, tests/t_guest_patches.sh).
 */
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include "unit.h"

typedef uint8_t u8;
typedef uint32_t u32;
typedef uint64_t u64;
#define __aligned(x) __attribute__((aligned(x)))
#undef __always_inline
#define __always_inline inline __attribute__((always_inline))

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

	ok = EVP_CipherInit_ex(c, keylen == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm(),
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

/* ours: AAD, then the text in runs of random numbers of blocks, then the tail */
static void ours(const struct zced_aesni_ops *ops, bool enc, const u8 *key,
		 unsigned int keylen, const u8 *iv, const u8 *aad, unsigned int alen,
		 u8 *buf, unsigned int len, u8 *tag)
{
	static struct zced_aesni_key k;
	struct zced_aesni_state st;
	u8 ekj0[16], blk[16] __aligned(16);
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
		/* in place, at an odd address (unaligned loads and stores) */
		if (enc)
			ops->enc(&k, &st, buf + off, buf + off, nb);
		else
			ops->dec(&k, &st, buf + off, buf + off, nb);
		off += nb * 16;
	}
	if (len - off) {
		memcpy(blk, buf + off, len - off);
		if (enc)
			ops->enc_tail(&k, &st, blk, len - off);
		else
			ops->dec_tail(&k, &st, blk, len - off);
		memcpy(buf + off, blk, len - off);
	}
	ops->finish(&k, &st, alen, len, ekj0, tag);
}

#define MAXLEN (16384 + 5 + 64)

static int check_one(const struct zced_aesni_ops *ops, unsigned int keylen,
		     unsigned int alen, unsigned int len)
{
	static u8 key[32], iv[12], aad[64], pt[MAXLEN], ref[MAXLEN + 16];
	static u8 raw[MAXLEN + 1];
	u8 *buf = raw + 1, reftag[16], tag[16];
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
	memcpy(buf, pt, len);
	ours(ops, true, key, keylen, iv, aad, alen, buf, len, tag);
	if (memcmp(buf, ref, len) || memcmp(tag, reftag, 16))
		return 1;
	ours(ops, false, key, keylen, iv, aad, alen, buf, len, tag);
	if (memcmp(buf, pt, len) || memcmp(tag, reftag, 16))
		return 2;
	if (len) {	/* a flipped ciphertext bit: another tag */
		memcpy(buf, ref, len);
		buf[rand() % len] ^= (u8)(1 << (rand() % 8));
		ours(ops, false, key, keylen, iv, aad, alen, buf, len, tag);
		if (!memcmp(tag, reftag, 16))
			return 3;
	}
	return 0;
}

static void check_ops(const struct zced_aesni_ops *ops)
{
	static const unsigned int keylens[] = { 16, 32 };
	static const unsigned int alens[] = { 0, 5, 13, 16, 20, 33 };
	char name[160];
	unsigned int k, a, len;
	int bad = 0, err = 0;

	for (k = 0; k < 2; k++) {
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
			 "%s: AES-%u-GCM equals OpenSSL's for AAD 0..33 B x text 0..300 B, encrypt and decrypt, in place",
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

int main(void)
{
	srand(12345);
	__builtin_cpu_init();
	if (!__builtin_cpu_supports("aes") || !__builtin_cpu_supports("pclmul")) {
		printf("FAIL: this CPU has no AES-NI/PCLMULQDQ: the AES-NI GCM cannot be checked here\n");
		return 1;
	}
	check_ops(&zced_aesni_sse_ops);
	if (__builtin_cpu_supports("avx"))
		check_ops(&zced_aesni_avx_ops);
	else
		printf("FAIL: this CPU has no AVX: the AVX build cannot be checked here\n");
	UNIT_EXIT();
}
