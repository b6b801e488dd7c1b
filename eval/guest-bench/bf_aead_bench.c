// SPDX-License-Identifier: GPL-2.0
/*
 * bf_aead_bench - guest benchmark (make bench-guest): the single-pass
 * bifrost_zced_gcm_aes against the kernel's gcm(aes), side by side in one
 * boot, on 16 KiB TLS-sized records whose ciphertext lives in ZCED pool
 * pages. Run under QEMU -icount, guest nanoseconds are instructions.
 * Prints one "bf_aead_bench: ..." line per round and one per check.
 */
#define pr_fmt(fmt) "bf_aead_bench: " fmt
#include <crypto/aead.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include "bifrost_zced.h"
#include "zced_aead.h"

#define NPG	4			/* 16 KiB of record payload */
#define ALEN	13			/* TLS 1.2 AAD */
#define TLEN	16
#define RECLEN	(NPG * PAGE_SIZE)

static int nrec = 200;
module_param(nrec, int, 0444);
MODULE_PARM_DESC(nrec, "records per measurement");
static int rounds = 2;
module_param(rounds, int, 0444);
MODULE_PARM_DESC(rounds, "measurement rounds");

static struct page *pt[NPG], *out[NPG], *ct[NPG];	/* ct: pool pages */
static u8 *aad, *aad2, *tag;

static void sg_record(struct scatterlist *sg, u8 *a, struct page **pg, u8 *t)
{
	int i;

	sg_init_table(sg, NPG + 1 + !!t);
	sg_set_buf(&sg[0], a, ALEN);
	for (i = 0; i < NPG; i++)
		sg_set_page(&sg[1 + i], pg[i], PAGE_SIZE, 0);
	if (t)
		sg_set_buf(&sg[NPG + 1], t, TLEN);
}

/* n operations (plaintext -> pool, or pool -> private); ns per record */
static u64 run(struct crypto_aead *tfm, bool enc, int n, int *errp)
{
	struct scatterlist src[NPG + 2], dst[NPG + 2];
	struct aead_request *req;
	u8 iv[12];
	u64 t0, t1;
	int i, err = 0;

	req = aead_request_alloc(tfm, GFP_KERNEL);
	if (!req) {
		*errp = -ENOMEM;
		return 0;
	}
	memset(iv, 7, sizeof(iv));
	sg_record(src, aad, enc ? pt : ct, enc ? NULL : tag);
	sg_record(dst, aad2, enc ? ct : out, enc ? tag : NULL);
	aead_request_set_callback(req, 0, NULL, NULL);
	aead_request_set_ad(req, ALEN);
	aead_request_set_crypt(req, src, dst, RECLEN + (enc ? 0 : TLEN), iv);
	t0 = ktime_get_ns();
	for (i = 0; i < n && !err; i++)
		err = enc ? crypto_aead_encrypt(req) : crypto_aead_decrypt(req);
	t1 = ktime_get_ns();
	aead_request_free(req);
	*errp = err;
	return n ? (t1 - t0) / n : 0;
}

/* one key size: warm-up, rounds, then a tampered record */
static int bench_key(struct crypto_aead *ours, struct crypto_aead *stock,
		     unsigned int klen)
{
	u64 eo, es, dox, ds;
	int i, err, e[4];
	u8 key[32];

	get_random_bytes(key, sizeof(key));
	err = crypto_aead_setkey(ours, key, klen) ?: crypto_aead_setkey(stock, key, klen);
	if (err)
		return err;
	/* warm up; the last encryption leaves a valid record in the pool */
	run(stock, true, 5, &e[0]);
	run(ours, true, 5, &e[1]);
	run(stock, false, 5, &e[2]);
	run(ours, false, 5, &e[3]);
	if (e[0] || e[1] || e[2] || e[3]) {
		pr_err("warm-up failed: %d %d %d %d\n", e[0], e[1], e[2], e[3]);
		return -EIO;
	}
	for (i = 0; i < rounds; i++) {
		eo = run(ours, true, nrec, &e[0]);
		es = run(stock, true, nrec, &e[1]);
		ds = run(stock, false, nrec, &e[2]);
		dox = run(ours, false, nrec, &e[3]);
		pr_info("round %d key %u records %d ns_per_record enc_ours %llu enc_stock %llu dec_ours %llu dec_stock %llu errors %d\n",
			i, klen * 8, nrec, eo, es, dox, ds, e[0] | e[1] | e[2] | e[3]);
	}
	/* a record changed in the pool after encryption is refused */
	((u8 *)page_address(ct[1]))[100] ^= 1;
	run(ours, false, 1, &e[0]);
	((u8 *)page_address(ct[1]))[100] ^= 1;
	pr_info("tampered record refused key %u %d\n", klen * 8, e[0] == -EBADMSG);
	return 0;
}

static int bench(void)
{
	struct crypto_aead *ours = NULL, *stock = NULL;
	int i, err = 0;

	for (i = 0; i < NPG; i++) {
		pt[i] = alloc_page(GFP_KERNEL);
		out[i] = alloc_page(GFP_KERNEL);
		ct[i] = bifrost_zced_alloc_page();
		if (!pt[i] || !out[i] || !ct[i])
			return -ENOMEM;
		get_random_bytes(page_address(pt[i]), PAGE_SIZE);
	}
	aad = kmalloc(ALEN, GFP_KERNEL);
	aad2 = kmalloc(ALEN, GFP_KERNEL);
	tag = kmalloc(TLEN, GFP_KERNEL);
	if (!aad || !aad2 || !tag)
		return -ENOMEM;
	get_random_bytes(aad, ALEN);
	ours = crypto_alloc_aead(BIFROST_ZCED_AEAD_NAME, 0, 0);
	stock = crypto_alloc_aead("gcm(aes)", 0, 0);
	if (IS_ERR(ours) || IS_ERR(stock)) {
		err = -ENOENT;
		goto out;
	}
	pr_info("ours %s, stock %s\n", crypto_tfm_alg_driver_name(crypto_aead_tfm(ours)),
		crypto_tfm_alg_driver_name(crypto_aead_tfm(stock)));
	err = bench_key(ours, stock, 16) ?: bench_key(ours, stock, 32);
out:
	if (!IS_ERR_OR_NULL(ours))
		crypto_free_aead(ours);
	if (!IS_ERR_OR_NULL(stock))
		crypto_free_aead(stock);
	return err;
}

static void release(void)
{
	int i;

	kfree(aad);
	kfree(aad2);
	kfree(tag);
	for (i = 0; i < NPG; i++) {
		if (pt[i])
			__free_page(pt[i]);
		if (out[i])
			__free_page(out[i]);
		if (ct[i])
			put_page(ct[i]);	/* back to the pool */
	}
}

static int __init bf_aead_bench_init(void)
{
	int err = bench();

	release();
	pr_info("done %d\n", err);
	return err;
}

static void __exit bf_aead_bench_exit(void)
{
}

module_init(bf_aead_bench_init);
module_exit(bf_aead_bench_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Bifrost guest benchmark: single-pass AEAD vs gcm(aes)");
