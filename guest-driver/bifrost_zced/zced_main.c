// SPDX-License-Identifier: GPL-2.0
/*
 * bifrost_zced - owns the ZCED shared pool, its policy and its counters.
 *
 * The pool is taken at load time from one NUMA node whose memory the host
 * may access (QEMU gives the guest such a node: "ZCED NUMA"). On SEV-SNP or
 * TDX the pages would also be converted to shared here; in this emulation
 * the whole node is shared by construction. Pool pages stay with the module
 * while it is loaded, so they never return to the general allocator while
 * shared (invariant 2); they go back only at unload, when none is in use.
 *
 * sysfs, /sys/kernel/bifrost_zced/:
 *   pool_pages_total, pool_pages_in_use, pool_pages_free   (read-only)
 *   pool_node                                              (read-only)
 *   zced_ports: TCP ports whose TLS traffic uses ZCED      (read-write)
 */
#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/kobject.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/sysfs.h>
#include <linux/vmalloc.h>
#include "bifrost_zced.h"

#define ZCED_MAX_PORTS	16

static int node = 1;
module_param(node, int, 0444);
MODULE_PARM_DESC(node, "NUMA node whose memory is shared with the host");
static unsigned int pool_mb = 16;
module_param(pool_mb, uint, 0444);
MODULE_PARM_DESC(pool_mb, "pool size in MiB");

static struct {
	spinlock_t lock;	/* free stack and in_use */
	struct page **pages;	/* every pool page */
	struct page **free;	/* stack of free pool pages */
	unsigned long nr, nfree;
	unsigned long pfn_lo, pfn_hi;	/* bounds of the pool's pfns */
	unsigned long *member;	/* bitmap over [pfn_lo, pfn_hi] */
	u16 ports[ZCED_MAX_PORTS];
	unsigned int nports;
	struct kobject *kobj;
} zp;

struct page *bifrost_zced_alloc_page(void)
{
	struct page *page = NULL;

	spin_lock_bh(&zp.lock);
	if (zp.nfree)
		page = zp.free[--zp.nfree];
	spin_unlock_bh(&zp.lock);
	return page;
}
EXPORT_SYMBOL_GPL(bifrost_zced_alloc_page);

bool bifrost_zced_page_in_pool(const struct page *page)
{
	unsigned long pfn = page_to_pfn(page);

	return zp.member && pfn >= zp.pfn_lo && pfn <= zp.pfn_hi &&
	       test_bit(pfn - zp.pfn_lo, zp.member);
}
EXPORT_SYMBOL_GPL(bifrost_zced_page_in_pool);

void bifrost_zced_free_page(struct page *page)
{
	if (WARN_ON_ONCE(!bifrost_zced_page_in_pool(page)))
		return;
	spin_lock_bh(&zp.lock);
	if (!WARN_ON_ONCE(zp.nfree >= zp.nr))
		zp.free[zp.nfree++] = page;
	spin_unlock_bh(&zp.lock);
}
EXPORT_SYMBOL_GPL(bifrost_zced_free_page);

bool bifrost_zced_port_enabled(u16 port)
{
	unsigned int i, n = READ_ONCE(zp.nports);

	for (i = 0; i < n && i < ZCED_MAX_PORTS; i++)
		if (READ_ONCE(zp.ports[i]) == port)
			return true;
	return false;
}
EXPORT_SYMBOL_GPL(bifrost_zced_port_enabled);

static ssize_t pool_pages_total_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%lu\n", zp.nr);
}

static ssize_t pool_pages_free_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%lu\n", READ_ONCE(zp.nfree));
}

static ssize_t pool_pages_in_use_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%lu\n", zp.nr - READ_ONCE(zp.nfree));
}

static ssize_t pool_node_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%d\n", node);
}

static ssize_t zced_ports_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	unsigned int i;
	int len = 0;

	for (i = 0; i < zp.nports; i++)
		len += sysfs_emit_at(buf, len, "%s%u", i ? "," : "", zp.ports[i]);
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}

/* "443,8443" (or empty): parsed whole into a private copy, then published. */
static ssize_t zced_ports_store(struct kobject *k, struct kobj_attribute *a,
				const char *buf, size_t count)
{
	u16 ports[ZCED_MAX_PORTS];
	unsigned int n = 0, i;
	char *s, *p, *tok;
	u16 v;

	s = kstrndup(buf, count, GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	p = strim(s);
	while ((tok = strsep(&p, ",")) && *tok) {
		if (n == ZCED_MAX_PORTS || kstrtou16(tok, 10, &v) || !v) {
			kfree(s);
			return -EINVAL;
		}
		ports[n++] = v;
	}
	kfree(s);
	WRITE_ONCE(zp.nports, 0);
	for (i = 0; i < n; i++)
		WRITE_ONCE(zp.ports[i], ports[i]);
	WRITE_ONCE(zp.nports, n);
	return count;
}

static struct kobj_attribute attr_total = __ATTR_RO(pool_pages_total);
static struct kobj_attribute attr_free = __ATTR_RO(pool_pages_free);
static struct kobj_attribute attr_in_use = __ATTR_RO(pool_pages_in_use);
static struct kobj_attribute attr_node = __ATTR_RO(pool_node);
static struct kobj_attribute attr_ports = __ATTR_RW(zced_ports);

static struct attribute *zced_attrs[] = {
	&attr_total.attr, &attr_free.attr, &attr_in_use.attr,
	&attr_node.attr, &attr_ports.attr, NULL,
};

static const struct attribute_group zced_group = { .attrs = zced_attrs };

static void pool_release(void)
{
	unsigned long i;

	/* Pages still handed out stay out: never give shared memory back. */
	if (WARN_ON(zp.nfree != zp.nr))
		return;
	for (i = 0; i < zp.nr; i++)
		__free_page(zp.pages[i]);
	vfree(zp.pages);
	vfree(zp.free);
	bitmap_free(zp.member);
	zp.pages = zp.free = NULL;
	zp.member = NULL;
	zp.nr = zp.nfree = 0;
}

static int pool_fill(void)
{
	unsigned long want = (unsigned long)pool_mb << (20 - PAGE_SHIFT), i;

	zp.pages = vzalloc(array_size(want, sizeof(*zp.pages)));
	zp.free = vzalloc(array_size(want, sizeof(*zp.free)));
	if (!zp.pages || !zp.free)
		return -ENOMEM;
	zp.pfn_lo = ULONG_MAX;
	for (i = 0; i < want; i++) {
		struct page *page = alloc_pages_node(node, GFP_KERNEL | __GFP_THISNODE |
						     __GFP_NOWARN | __GFP_ZERO, 0);
		unsigned long pfn;

		if (!page)
			break;
		zp.pages[zp.nr++] = page;
		pfn = page_to_pfn(page);
		zp.pfn_lo = min(zp.pfn_lo, pfn);
		zp.pfn_hi = max(zp.pfn_hi, pfn);
	}
	if (zp.nr < want) {
		pr_err("bifrost_zced: node %d gave %lu of %lu pages\n", node, zp.nr, want);
		zp.nfree = zp.nr;
		return -ENOMEM;
	}
	zp.member = bitmap_zalloc(zp.pfn_hi - zp.pfn_lo + 1, GFP_KERNEL);
	if (!zp.member) {
		zp.nfree = zp.nr;
		return -ENOMEM;
	}
	for (i = 0; i < zp.nr; i++) {
		set_bit(page_to_pfn(zp.pages[i]) - zp.pfn_lo, zp.member);
		zp.free[i] = zp.pages[i];
	}
	zp.nfree = zp.nr;
	return 0;
}

static int __init bifrost_zced_init(void)
{
	int err;

	spin_lock_init(&zp.lock);
	if (node < 0 || node >= MAX_NUMNODES || !node_online(node) ||
	    !node_state(node, N_MEMORY)) {
		pr_err("bifrost_zced: node %d is not an online memory node\n", node);
		return -ENODEV;
	}
	if (!pool_mb || pool_mb > 4096)
		return -EINVAL;
	err = pool_fill();
	if (err) {
		pool_release();
		return err;
	}
	zp.kobj = kobject_create_and_add("bifrost_zced", kernel_kobj);
	if (!zp.kobj || sysfs_create_group(zp.kobj, &zced_group)) {
		kobject_put(zp.kobj);
		pool_release();
		return -ENOMEM;
	}
	pr_info("bifrost_zced: %lu pages (%u MiB) on node %d, pfn %#lx-%#lx\n",
		zp.nr, pool_mb, node, zp.pfn_lo, zp.pfn_hi);
	return 0;
}

static void __exit bifrost_zced_exit(void)
{
	sysfs_remove_group(zp.kobj, &zced_group);
	kobject_put(zp.kobj);
	pool_release();
}

module_init(bifrost_zced_init);
module_exit(bifrost_zced_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Bifrost ZCED shared pool, policy and counters");
