// SPDX-License-Identifier: GPL-2.0
/*
 * bifrost_zced - the guest half of Bifrost: owns the ZCED shared pool
 * (zced_pool.c), the single-pass AEAD for ZCED sockets (zced_aead.c), the
 * pool announcement and receive-side policy for virtio-net (zced_net.c),
 * the ZCED port policy and the counters (this file).
 *
 * sysfs, /sys/kernel/bifrost_zced/:
 *   zced_ports: TCP ports whose TLS traffic uses ZCED      (read-write)
 *   pool_pages_total, pool_pages_in_use, pool_pages_free, pool_node (-1:
 *   ordinary memory), pool_pages_lost (pool pages found freed or without the
 *   pool's reference: invariant 2 says always 0), pool_converted (1: pages
 *   converted to shared, SEV-SNP/TDX or conv_test), pool_pages_conv_leaked
 *   (pages leaked because converting them to shared failed)
 *   aead_impl (avx, sse, portable, or kernel with ottr=0), ottr (the parameter)
 *   one read-only file per counter (see zced_internal.h, README)
 */
#define pr_fmt(fmt) "bifrost_zced: " fmt

#include <linux/bitmap.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include "bifrost_zced.h"
#include "zced_aead.h"
#include "zced_internal.h"

#define ZCED_MAX_PORTS	16

static int node = NUMA_NO_NODE;
module_param(node, int, 0444);
MODULE_PARM_DESC(node, "NUMA node whose memory the host maps (ZCED NUMA); -1: ordinary memory, converted to shared where the platform requires it");
static unsigned int pool_mb = 16;
module_param(pool_mb, uint, 0444);
MODULE_PARM_DESC(pool_mb, "pool size in MiB");
static char *ports = "";
module_param(ports, charp, 0444);
MODULE_PARM_DESC(ports, "initial zced_ports, e.g. \"443,8443\"");
static bool selftest;
module_param(selftest, bool, 0444);
MODULE_PARM_DESC(selftest, "check the AEAD against the kernel's gcm(aes) at load");
static bool ottr = true;
module_param(ottr, bool, 0444);
MODULE_PARM_DESC(ottr, "0: ZCED sockets' AES-GCM is the kernel's own, reading shared memory as it likes (bifrost-no-ottr)");

DEFINE_PER_CPU(struct zced_stats, zced_stats);

/*
 * The port policy: the list as set (for sysfs), and the same ports as a
 * bitmap, which the per-packet lookup reads (one test_bit(), where a scan of
 * the list cost ~110 instructions a packet with five ports).
 */
static struct {
	u16 ports[ZCED_MAX_PORTS];
	unsigned int nports;
	struct mutex lock;		/* serializes ports_set() */
	struct kobject *kobj;
} zm = {
	.lock = __MUTEX_INITIALIZER(zm.lock),
};
static DECLARE_BITMAP(zced_port_map, 1 << 16);

u64 zced_stat_sum(enum zced_stat s)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(&zced_stats, cpu)->v[s];
	return sum;
}

bool zced_port_enabled(u16 port)
{
	return test_bit(port, zced_port_map);
}

bool zced_have_ports(void)
{
	return READ_ONCE(zm.nports) != 0;
}

/* whether @v is one of the @n ports at @p */
static bool port_listed(const u16 *p, unsigned int n, u16 v)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (p[i] == v)
			return true;
	return false;
}

/* "443,8443" (or empty): parsed whole into a private copy, then published. */
static int ports_set(const char *buf, size_t count)
{
	u16 p[ZCED_MAX_PORTS];
	unsigned int n = 0, i;
	char *s, *cur, *tok;
	u16 v;

	s = kstrndup(buf, count, GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	cur = strim(s);
	while ((tok = strsep(&cur, ",")) && *tok) {
		if (n == ZCED_MAX_PORTS || kstrtou16(tok, 10, &v) || !v) {
			kfree(s);
			return -EINVAL;
		}
		p[n++] = v;
	}
	kfree(s);
	/*
	 * Readers are lock-free: a port in both policies keeps its bit, any
	 * other flips at most once, so a packet sees each port as in the old
	 * policy or in the new one.
	 */
	mutex_lock(&zm.lock);
	for (i = 0; i < zm.nports; i++)
		if (!port_listed(p, n, zm.ports[i]))
			clear_bit(zm.ports[i], zced_port_map);
	for (i = 0; i < n; i++)
		set_bit(p[i], zced_port_map);
	for (i = 0; i < n; i++)
		zm.ports[i] = p[i];
	WRITE_ONCE(zm.nports, n);
	mutex_unlock(&zm.lock);
	return 0;
}

static ssize_t zced_ports_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	unsigned int i;
	int len = 0;

	mutex_lock(&zm.lock);
	for (i = 0; i < zm.nports; i++)
		len += sysfs_emit_at(buf, len, "%s%u", i ? "," : "", zm.ports[i]);
	mutex_unlock(&zm.lock);
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}

static ssize_t zced_ports_store(struct kobject *k, struct kobj_attribute *a,
				const char *buf, size_t count)
{
	int err = ports_set(buf, count);

	return err ? err : count;
}

static ssize_t pool_pages_total_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%lu\n", zced_pool_total());
}

static ssize_t pool_pages_free_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%lu\n", zced_pool_free());
}

static ssize_t pool_pages_in_use_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%lu\n", zced_pool_total() - zced_pool_free());
}

static ssize_t pool_pages_lost_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%lu\n", zced_pool_lost());
}

static ssize_t pool_node_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%d\n", node);
}

static ssize_t pool_converted_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%d\n", zced_pool_converted());
}

static ssize_t pool_pages_conv_leaked_show(struct kobject *k, struct kobj_attribute *a,
					   char *buf)
{
	return sysfs_emit(buf, "%lu\n", zced_pool_conv_leaked());
}

/* One file per counter: name, where the value comes from. */
struct zced_counter {
	struct kobj_attribute attr;
	int stat;			/* enum zced_stat, or -1: AEAD */
	size_t aead_off;		/* offset in struct bifrost_zced_aead_stats */
};

static ssize_t counter_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	struct zced_counter *c = container_of(a, struct zced_counter, attr);
	struct bifrost_zced_aead_stats as;

	if (c->stat >= 0)
		return sysfs_emit(buf, "%llu\n", zced_stat_sum(c->stat));
	bifrost_zced_aead_stats(&as);
	return sysfs_emit(buf, "%llu\n", *(u64 *)((char *)&as + c->aead_off));
}

#define ZSTAT(_name, _stat) { .attr = __ATTR(_name, 0444, counter_show, NULL), .stat = (_stat) }
#define ZAEAD(_name, _field) { .attr = __ATTR(_name, 0444, counter_show, NULL), .stat = -1, \
	.aead_off = offsetof(struct bifrost_zced_aead_stats, _field) }

static struct zced_counter counters[] = {
	ZAEAD(zced_tx_bytes, enc_pool_bytes),
	ZAEAD(zced_rx_bytes, dec_pool_bytes),
	ZAEAD(tls_records_encrypted, enc_records),
	ZAEAD(tls_records_decrypted, dec_records),
	ZAEAD(ottr_auth_failed, dec_auth_failures),
	ZAEAD(aead_portable_ops, portable_ops),
	ZSTAT(rx_pool_bytes, ZS_RX_POOL_BYTES),
	ZSTAT(rx_kept_bytes, ZS_RX_KEPT_BYTES),
	ZSTAT(rx_copied_bytes, ZS_RX_COPIED_BYTES),
	ZSTAT(rx_copy_failed, ZS_RX_COPY_FAILED),
	ZSTAT(ottr_hdr_copies, ZS_OTTR_HDR_COPIES),
	ZSTAT(ottr_hdr_invalid, ZS_OTTR_HDR_INVALID),
	ZSTAT(fallback_pool_empty, ZS_POOL_EMPTY),
	ZSTAT(fallback_tx_private_bytes, ZS_TX_FALLBACK_BYTES),
	ZSTAT(fallback_cipher, ZS_TLS_FALLBACK_CIPHER),
	ZSTAT(fallback_rx_copied_bytes, ZS_TLS_RX_COPIED),
	ZSTAT(tls_zced, ZS_TLS_ZCED),
	ZSTAT(tls_normal, ZS_TLS_NORMAL),
	ZSTAT(bounced_bytes, ZS_DMA_BYTES),
	ZSTAT(tx_slot_bytes, ZS_TX_SLOT_BYTES),
	ZSTAT(announces, ZS_ANNOUNCES),
};

/* which implementation ZCED sockets' AES-GCM runs on: avx, sse, portable, kernel */
static ssize_t aead_impl_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%s\n", bifrost_zced_aead_impl());
}

/* the module parameter: 1 OTTR (our single-pass AEAD), 0 the kernel's AES-GCM */
static ssize_t ottr_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%d\n", ottr);
}

static struct kobj_attribute attr_total = __ATTR_RO(pool_pages_total);
static struct kobj_attribute attr_impl = __ATTR_RO(aead_impl);
static struct kobj_attribute attr_ottr = __ATTR_RO(ottr);
static struct kobj_attribute attr_free = __ATTR_RO(pool_pages_free);
static struct kobj_attribute attr_in_use = __ATTR_RO(pool_pages_in_use);
static struct kobj_attribute attr_lost = __ATTR_RO(pool_pages_lost);
static struct kobj_attribute attr_node = __ATTR_RO(pool_node);
static struct kobj_attribute attr_converted = __ATTR_RO(pool_converted);
static struct kobj_attribute attr_conv_leaked = __ATTR_RO(pool_pages_conv_leaked);
static struct kobj_attribute attr_ports = __ATTR_RW(zced_ports);

static struct attribute *zced_attrs[10 + ARRAY_SIZE(counters) + 1];
static const struct attribute_group zced_group = { .attrs = zced_attrs };

static int zced_sysfs_init(void)
{
	unsigned int i, n = 0;

	zced_attrs[n++] = &attr_total.attr;
	zced_attrs[n++] = &attr_free.attr;
	zced_attrs[n++] = &attr_in_use.attr;
	zced_attrs[n++] = &attr_lost.attr;
	zced_attrs[n++] = &attr_node.attr;
	zced_attrs[n++] = &attr_converted.attr;
	zced_attrs[n++] = &attr_conv_leaked.attr;
	zced_attrs[n++] = &attr_ports.attr;
	zced_attrs[n++] = &attr_impl.attr;
	zced_attrs[n++] = &attr_ottr.attr;
	for (i = 0; i < ARRAY_SIZE(counters); i++)
		zced_attrs[n++] = &counters[i].attr.attr;
	zced_attrs[n] = NULL;
	zm.kobj = kobject_create_and_add("bifrost_zced", kernel_kobj);
	if (!zm.kobj)
		return -ENOMEM;
	if (sysfs_create_group(zm.kobj, &zced_group)) {
		kobject_put(zm.kobj);
		return -ENOMEM;
	}
	return 0;
}

static void zced_sysfs_exit(void)
{
	sysfs_remove_group(zm.kobj, &zced_group);
	kobject_put(zm.kobj);
}

static int __init bifrost_zced_init(void)
{
	int err;

	err = ports_set(ports, strlen(ports));
	if (err) {
		pr_err("bad ports=\"%s\"\n", ports);
		return err;
	}
	err = zced_pool_init(node, pool_mb);
	if (err)
		return err;
	err = bifrost_zced_aead_register(ottr);
	if (err)
		goto out_pool;
	if (selftest) {
		err = bifrost_zced_aead_selftest();
		if (err)
			goto out_aead;
	}
	err = zced_sysfs_init();
	if (err)
		goto out_aead;
	err = zced_net_init();
	if (err)
		goto out_sysfs;
	return 0;

out_sysfs:
	zced_sysfs_exit();
out_aead:
	bifrost_zced_aead_unregister();
out_pool:
	zced_pool_exit();
	return err;
}

static void __exit bifrost_zced_exit(void)
{
	zced_net_exit();
	zced_sysfs_exit();
	bifrost_zced_aead_unregister();
	zced_pool_exit();
}

module_init(bifrost_zced_init);
module_exit(bifrost_zced_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Bifrost ZCED: shared pool, single-pass AEAD, policy and counters");
