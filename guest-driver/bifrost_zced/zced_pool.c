// SPDX-License-Identifier: GPL-2.0
/*
 * zced_pool.c - the ZCED shared pool.
 *
 * The pool is taken at load, in blocks of up to 2 MiB so it is a few
 * contiguous guest-physical ranges, which is what the backend is told
 * (zced_pool_ranges()). Its memory is ordinary guest memory by default, or
 * one NUMA node (node=N) whose memory the host maps (the paper's "ZCED
 * NUMA" node, which QEMU gives the guest here).
 *
 * Sharing. On SEV-SNP and TDX (cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT))
 * no memory is shared until the guest converts it: each block is converted
 * with set_memory_decrypted() right after allocation and zeroed after it
 * (a conversion does not preserve contents), and converted back with
 * set_memory_encrypted() before it is freed at unload. A block whose
 * conversion fails is in an unknown state: it is leaked (never freed, so
 * never handed to another user while the host may still map it) and
 * counted, as dma-direct and swiotlb do with memory they cannot convert.
 * After ZCED_CONV_MAX_FAILURES failed conversions the load fails. On other
 * platforms (and the emulation here) nothing is converted; conv_test=1 runs
 * the same path there (set_memory_*() succeed as no-ops), and
 * conv_fail_decrypt=N / conv_fail_encrypt=N fail every Nth call of either,
 * to test the leak paths.
 *
 * Every pool page keeps one reference owned by the pool for as long as the
 * module is loaded, so no pool page ever reaches the page allocator while
 * shared (invariant 2). A page handed out carries one more reference for
 * its user, who gives it back with put_page(); a handed-out page whose only
 * reference is the pool's again is free, and is reclaimed lazily when the
 * free stack runs dry (or when sysfs asks). Pool pages are not on the LRU
 * and not movable, so nobody can take a reference without holding one.
 */
#define pr_fmt(fmt) "bifrost_zced: " fmt

#include <linux/bitmap.h>
#include <linux/cc_platform.h>
#include <linux/gfp.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/moduleparam.h>
#include <linux/page_ref.h>
#include <linux/set_memory.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include "bifrost_zced.h"
#include "bifrost_zced_wire.h"
#include "zced_internal.h"

#define ZCED_MAX_ORDER	9	/* 2 MiB blocks */
#define ZCED_CONV_MAX_FAILURES	4

static bool conv_test;
module_param(conv_test, bool, 0444);
MODULE_PARM_DESC(conv_test, "test: convert the pool to shared and back even where the platform does not require it");
static unsigned int conv_fail_decrypt;
module_param(conv_fail_decrypt, uint, 0444);
MODULE_PARM_DESC(conv_fail_decrypt, "test: fail every Nth conversion to shared (0: none)");
static unsigned int conv_fail_encrypt;
module_param(conv_fail_encrypt, uint, 0444);
MODULE_PARM_DESC(conv_fail_encrypt, "test: fail every Nth conversion back to private (0: none)");

static struct {
	spinlock_t lock;	/* free, nfree, out, last_scan */
	struct page **pages;	/* every pool page */
	struct page **free;	/* stack of free pool pages */
	unsigned long *out;	/* over [pfn_lo, pfn_hi]: handed out */
	unsigned long nr, nfree;
	unsigned long last_scan;	/* jiffies of a reclaim that found nothing */
	unsigned long pfn_lo, pfn_hi;	/* bounds of the pool's pfns */
	unsigned long *member;	/* over [pfn_lo, pfn_hi]: in the pool */
	bool convert;		/* pages converted to shared (and back) */
	unsigned long conv_leaked;	/* pages leaked by failed conversions */
	unsigned int ndecrypt, nencrypt, conv_failures;
} zp;

/* set_memory_decrypted() of @n pages from @page, or its injected failure */
static int pool_decrypt(struct page *page, unsigned long n)
{
	if (conv_fail_decrypt && ++zp.ndecrypt % conv_fail_decrypt == 0)
		return -EIO;
	return set_memory_decrypted((unsigned long)page_address(page), n);
}

/* set_memory_encrypted() of @n pages from @page, or its injected failure */
static int pool_encrypt(struct page *page, unsigned long n)
{
	if (conv_fail_encrypt && ++zp.nencrypt % conv_fail_encrypt == 0)
		return -EIO;
	return set_memory_encrypted((unsigned long)page_address(page), n);
}

/* Under zp.lock: put handed-out pages that came back on the free stack. */
static unsigned long pool_reclaim(void)
{
	unsigned long i, n = 0;

	if (!zp.out)
		return 0;
	for_each_set_bit(i, zp.out, zp.pfn_hi - zp.pfn_lo + 1) {
		struct page *page = pfn_to_page(zp.pfn_lo + i);

		if (page_ref_count(page) != 1)
			continue;
		__clear_bit(i, zp.out);
		zp.free[zp.nfree++] = page;
		n++;
	}
	return n;
}

/**
 * bifrost_zced_alloc_page() - Take a free page of the shared pool.
 *
 * Context: Any context; takes a spinlock with interrupts off.
 * Return: a pool page carrying one reference for the caller, which
 * put_page() gives back; NULL when the pool is empty (counted) even after
 * reclaiming the pages their holders put back (a scan that finds none is
 * not repeated within the jiffy).
 */
struct page *bifrost_zced_alloc_page(void)
{
	struct page *page = NULL;
	unsigned long flags;

	spin_lock_irqsave(&zp.lock, flags);
	/* a scan that found nothing is not repeated within the same jiffy */
	if (!zp.nfree && time_after(jiffies, zp.last_scan) && !pool_reclaim())
		zp.last_scan = jiffies;
	if (zp.nfree) {
		page = zp.free[--zp.nfree];
		__set_bit(page_to_pfn(page) - zp.pfn_lo, zp.out);
		page_ref_inc(page);
	}
	spin_unlock_irqrestore(&zp.lock, flags);
	if (!page)
		zced_count(ZS_POOL_EMPTY, 1);
	return page;
}
EXPORT_SYMBOL_GPL(bifrost_zced_alloc_page);

static bool pfn_in_pool(unsigned long pfn)
{
	return zp.member && pfn >= zp.pfn_lo && pfn <= zp.pfn_hi &&
	       test_bit(pfn - zp.pfn_lo, zp.member);
}

/**
 * bifrost_zced_page_in_pool() - Is a page one of the pool's?
 * @page: any page.
 *
 * Context: Any context; lock-free.
 * Return: true when @page belongs to the shared pool.
 */
bool bifrost_zced_page_in_pool(const struct page *page)
{
	return pfn_in_pool(page_to_pfn(page));
}
EXPORT_SYMBOL_GPL(bifrost_zced_page_in_pool);

/**
 * bifrost_zced_phys_in_pool() - Is a physical address in a pool page?
 * @pa: a guest physical address.
 *
 * Context: Any context; lock-free.
 * Return: true when @pa falls in a page of the shared pool.
 */
bool bifrost_zced_phys_in_pool(phys_addr_t pa)
{
	return pfn_in_pool(PHYS_PFN(pa));
}
EXPORT_SYMBOL_GPL(bifrost_zced_phys_in_pool);

/* pages leaked because converting them to shared failed */
unsigned long zced_pool_conv_leaked(void)
{
	return zp.conv_leaked;
}

/* whether the pool's pages were converted to shared */
bool zced_pool_converted(void)
{
	return zp.convert;
}

unsigned long zced_pool_total(void)
{
	return zp.nr;
}

unsigned long zced_pool_free(void)
{
	unsigned long flags, n;

	spin_lock_irqsave(&zp.lock, flags);
	pool_reclaim();
	n = zp.nfree;
	spin_unlock_irqrestore(&zp.lock, flags);
	return n;
}

/*
 * Invariant 2, checked: pool pages that lost the pool's reference or sit in
 * the page allocator (both must never happen while the module is loaded).
 */
unsigned long zced_pool_lost(void)
{
	unsigned long i, n = 0;

	for (i = 0; i < zp.nr; i++)
		if (page_ref_count(zp.pages[i]) < 1 || PageBuddy(zp.pages[i]))
			n++;
	return n;
}

/* The pool as contiguous guest-physical ranges; -E2BIG if more than max. */
int zced_pool_ranges(struct bf_zced_range *r, unsigned int max)
{
	unsigned long bits = zp.pfn_hi - zp.pfn_lo + 1, s, e = 0;
	unsigned int n = 0;

	while ((s = find_next_bit(zp.member, bits, e)) < bits) {
		e = find_next_zero_bit(zp.member, bits, s);
		if (n == max)
			return -E2BIG;
		r[n].gpa = cpu_to_be64(PFN_PHYS(zp.pfn_lo + s));
		r[n].len = cpu_to_be64(PFN_PHYS(e - s));
		n++;
	}
	return n;
}

static int cmp_pfn(const void *a, const void *b)
{
	unsigned long x = page_to_pfn(*(struct page * const *)a);
	unsigned long y = page_to_pfn(*(struct page * const *)b);

	return x < y ? -1 : x > y;
}

static int pool_fill(int node, unsigned long want)
{
	gfp_t gfp = GFP_KERNEL | __GFP_NOWARN | (zp.convert ? 0 : __GFP_ZERO);
	unsigned int order = ZCED_MAX_ORDER;
	unsigned long i;
	int err;

	zp.pages = vzalloc(array_size(want, sizeof(*zp.pages)));
	zp.free = vzalloc(array_size(want, sizeof(*zp.free)));
	if (!zp.pages || !zp.free)
		return -ENOMEM;
	while (zp.nr < want) {
		struct page *page;

		while (order && (1UL << order) > want - zp.nr)
			order--;
		if (node >= 0)
			page = alloc_pages_node(node, gfp | __GFP_THISNODE, order);
		else
			page = alloc_pages(gfp, order);
		if (!page) {
			if (!order)
				break;
			order--;
			continue;
		}
		if (zp.convert) {
			err = pool_decrypt(page, 1UL << order);
			if (err) {
				zp.conv_leaked += 1UL << order;
				pr_err("converting %lu pages at pfn %#lx to shared failed (%d): leaked\n",
				       1UL << order, page_to_pfn(page), err);
				if (++zp.conv_failures >= ZCED_CONV_MAX_FAILURES)
					return -EIO;
				continue;
			}
			memset(page_address(page), 0, PAGE_SIZE << order);
		}
		split_page(page, order);
		for (i = 0; i < (1UL << order); i++)
			zp.pages[zp.nr++] = page + i;
	}
	if (zp.nr < want) {
		pr_err("node %d gave %lu of %lu pages\n", node, zp.nr, want);
		return -ENOMEM;
	}
	if (zp.conv_leaked)
		pr_warn("%lu pages leaked by failed conversions to shared\n",
			zp.conv_leaked);
	sort(zp.pages, zp.nr, sizeof(*zp.pages), cmp_pfn, NULL);
	zp.pfn_lo = page_to_pfn(zp.pages[0]);
	zp.pfn_hi = page_to_pfn(zp.pages[zp.nr - 1]);
	zp.member = bitmap_zalloc(zp.pfn_hi - zp.pfn_lo + 1, GFP_KERNEL);
	zp.out = bitmap_zalloc(zp.pfn_hi - zp.pfn_lo + 1, GFP_KERNEL);
	if (!zp.member || !zp.out)
		return -ENOMEM;
	for (i = 0; i < zp.nr; i++) {
		__set_bit(page_to_pfn(zp.pages[i]) - zp.pfn_lo, zp.member);
		zp.free[i] = zp.pages[zp.nr - 1 - i];	/* low pfns first */
	}
	zp.nfree = zp.nr;
	return 0;
}

/*
 * Free pages[i, i + n) (consecutive pfns), converted back to private first
 * if they were shared; leaked if that fails.
 */
static void pool_free_run(unsigned long i, unsigned long n)
{
	int err;

	if (zp.convert) {
		err = pool_encrypt(zp.pages[i], n);
		if (err) {
			zp.conv_leaked += n;
			pr_err("converting %lu pages at pfn %#lx back to private failed (%d): leaked\n",
			       n, page_to_pfn(zp.pages[i]), err);
			return;
		}
	}
	for (; n; n--)
		__free_page(zp.pages[i++]);
}

void zced_pool_exit(void)
{
	unsigned long i, run = 0, kept = 0;

	/*
	 * Runs of up to 2 MiB of consecutive free pages, so a failed
	 * conversion back leaks no more than that. A page someone still
	 * holds stays out: never free shared memory under them.
	 */
	for (i = 0; i <= zp.nr; i++) {
		bool free = i < zp.nr && page_ref_count(zp.pages[i]) == 1;

		if (run && (!free || run == 1UL << ZCED_MAX_ORDER ||
			    page_to_pfn(zp.pages[i]) !=
			    page_to_pfn(zp.pages[i - 1]) + 1)) {
			pool_free_run(i - run, run);
			run = 0;
		}
		if (free)
			run++;
		else if (i < zp.nr)
			kept++;
	}
	if (kept)
		pr_warn("%lu pool pages still referenced, not freed\n", kept);
	if (zp.conv_leaked)
		pr_warn("%lu pool pages leaked by failed conversions\n", zp.conv_leaked);
	vfree(zp.pages);
	vfree(zp.free);
	bitmap_free(zp.out);
	bitmap_free(zp.member);
	memset(&zp, 0, sizeof(zp));
}

int zced_pool_init(int node, unsigned int pool_mb)
{
	int err;

	spin_lock_init(&zp.lock);
	zp.last_scan = jiffies - 1;
	if (node != NUMA_NO_NODE &&
	    (node < 0 || node >= MAX_NUMNODES || !node_online(node) ||
	     !node_state(node, N_MEMORY))) {
		pr_err("node %d is not an online memory node\n", node);
		return -ENODEV;
	}
	if (!pool_mb || pool_mb > 4096)
		return -EINVAL;
	zp.convert = conv_test || cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT);
	err = pool_fill(node, (unsigned long)pool_mb << (20 - PAGE_SHIFT));
	if (err) {
		zced_pool_exit();	/* every page taken so far is free */
		return err;
	}
	if (node == NUMA_NO_NODE)
		pr_info("%lu pages (%u MiB)%s, pfn %#lx-%#lx\n", zp.nr, pool_mb,
			zp.convert ? " converted to shared" : "", zp.pfn_lo, zp.pfn_hi);
	else
		pr_info("%lu pages (%u MiB) on node %d%s, pfn %#lx-%#lx\n", zp.nr,
			pool_mb, node, zp.convert ? " converted to shared" : "",
			zp.pfn_lo, zp.pfn_hi);
	return 0;
}
