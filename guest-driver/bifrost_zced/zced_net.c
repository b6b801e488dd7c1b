// SPDX-License-Identifier: GPL-2.0
/*
 * zced_net.c - the virtio-net side of ZCED.
 *
 * Announcement: a device attached by the patched virtio_net (while it is
 * open) tells the backend in band which guest-physical ranges the pool
 * covers (one bifrost_zced_wire.h frame on its TX queue) whenever it comes
 * up or its carrier returns (a restarted backend has forgotten). The pool
 * stays shared until the module unloads, so nothing is withdrawn. Only an
 * announced device posts pool receive buffers, and only while some port is
 * in the ZCED policy.
 *
 * Receive (OTTR): virtio_net copies the first bytes of a packet that landed
 * in a pool buffer (all headers of a plain TCP/IP packet) into the private
 * skb head and never builds the skb around the shared buffer itself. Here
 * the flow is classified from that private copy: ciphertext of a ZCED flow
 * stays in the pool as page frags (kTLS's single-pass AEAD reads it once);
 * every other packet is copied into private pages before the stack sees it,
 * so nothing but ZCED ciphertext is ever read from shared memory.
 */
#define pr_fmt(fmt) "bifrost_zced: " fmt

#include <linux/etherdevice.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/version.h>
#include <net/ip.h>
#include "bifrost_zced.h"
#include "bifrost_zced_wire.h"
#include "zced_internal.h"

#define ZCED_MAX_DEVS	8

static struct zced_dev {
	struct net_device *dev;
	bool announced;
} zdevs[ZCED_MAX_DEVS];
static DEFINE_MUTEX(zdevs_lock);	/* attach/detach; notifier runs under RTNL */

static struct zced_dev *zdev_find(const struct net_device *dev)
{
	unsigned int i;

	for (i = 0; i < ZCED_MAX_DEVS; i++)
		if (READ_ONCE(zdevs[i].dev) == dev)
			return &zdevs[i];
	return NULL;
}

/**
 * bifrost_zced_attach() - Make a virtio-net device a ZCED device.
 * @dev: the device, from virtio_net's open (ndo_open).
 *
 * The device announces the pool to the backend when it comes up; until the
 * announcement is sent, bifrost_zced_rx_active() is false for it.
 *
 * Context: Process context; takes a mutex.
 * Return: 0, or -ENOSPC when the table of devices is full (the device then
 * runs without ZCED).
 */
int bifrost_zced_attach(struct net_device *dev)
{
	struct zced_dev *z;
	int err = -ENOSPC;

	mutex_lock(&zdevs_lock);
	z = zdev_find(NULL);
	if (z) {
		z->announced = false;
		WRITE_ONCE(z->dev, dev);
		err = 0;
	}
	mutex_unlock(&zdevs_lock);
	if (err)
		netdev_warn(dev, "bifrost_zced: too many devices, ZCED off here\n");
	return err;
}
EXPORT_SYMBOL_GPL(bifrost_zced_attach);

/**
 * bifrost_zced_detach() - Forget a device bifrost_zced_attach() took.
 * @dev: the device, from virtio_net's close or its failed open; a device
 *       that was never attached is ignored.
 *
 * Context: Process context; takes a mutex.
 */
void bifrost_zced_detach(struct net_device *dev)
{
	struct zced_dev *z;

	mutex_lock(&zdevs_lock);
	z = zdev_find(dev);
	if (z) {
		WRITE_ONCE(z->announced, false);
		WRITE_ONCE(z->dev, NULL);
	}
	mutex_unlock(&zdevs_lock);
}
EXPORT_SYMBOL_GPL(bifrost_zced_detach);

/**
 * bifrost_zced_rx_active() - May a device post pool pages as receive buffers?
 * @dev: the device.
 *
 * Context: Any context; lock-free.
 * Return: true when @dev is attached, has announced the pool to the backend
 * and some port is in the ZCED policy.
 */
bool bifrost_zced_rx_active(const struct net_device *dev)
{
	struct zced_dev *z = zdev_find(dev);

	return z && READ_ONCE(z->announced) && zced_have_ports();
}
EXPORT_SYMBOL_GPL(bifrost_zced_rx_active);

/* One registration frame: SHARE with the pool's ranges. */
static int zced_announce(struct net_device *dev)
{
	struct bf_zced_range r[BF_ZCED_MAX_RANGES];
	struct bf_zced_msg *m;
	struct sk_buff *skb;
	struct ethhdr *eth;
	unsigned int len;
	int n;

	n = zced_pool_ranges(r, BF_ZCED_MAX_RANGES);
	if (n < 0) {
		netdev_err(dev, "bifrost_zced: pool has more than %d ranges\n",
			   BF_ZCED_MAX_RANGES);
		return n;
	}
	len = max_t(unsigned int, ETH_ZLEN, ETH_HLEN + sizeof(*m) + n * sizeof(r[0]));
	skb = alloc_skb(LL_RESERVED_SPACE(dev) + len, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	skb_reserve(skb, LL_RESERVED_SPACE(dev));
	eth = skb_put_zero(skb, len);
	/* to itself: a backend that does not know the ethertype keeps it local */
	ether_addr_copy(eth->h_dest, dev->dev_addr);
	ether_addr_copy(eth->h_source, dev->dev_addr);
	eth->h_proto = htons(BF_ZCED_ETH_P);
	m = (struct bf_zced_msg *)(eth + 1);
	m->magic = htonl(BF_ZCED_MAGIC);
	m->version = BF_ZCED_VERSION;
	m->op = BF_ZCED_OP_SHARE;
	m->count = htons(n);
	memcpy(m->r, r, n * sizeof(r[0]));
	skb_reset_mac_header(skb);
	skb_reset_network_header(skb);
	skb->protocol = eth->h_proto;
	skb->dev = dev;
	skb->priority = TC_PRIO_CONTROL;
	zced_count(ZS_ANNOUNCES, 1);
	return dev_queue_xmit(skb);
}

static int zced_netdev_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct zced_dev *z = zdev_find(dev);
	int err;

	if (!z)
		return NOTIFY_DONE;
	switch (event) {
	case NETDEV_UP:
	case NETDEV_CHANGE:
		/* a lost carrier (the backend went away) means announce again */
		if (!netif_carrier_ok(dev)) {
			WRITE_ONCE(z->announced, false);
			break;
		}
		if (z->announced)
			break;
		err = zced_announce(dev);
		WRITE_ONCE(z->announced, !err);
		if (err)
			netdev_warn(dev, "bifrost_zced: announcing the pool failed: %d\n", err);
		else
			netdev_info(dev, "bifrost_zced: pool announced to the backend\n");
		break;
	case NETDEV_GOING_DOWN:
		WRITE_ONCE(z->announced, false);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block zced_nb = { .notifier_call = zced_netdev_event };

/*
 * Is this packet's flow a ZCED flow? Its Ethernet, IP and TCP headers are
 * first pulled into the private head (copied out of the pool once: the host
 * chooses each buffer's length, so they may sit in a later, pooled buffer),
 * and both this decision and everything the stack parses later read the
 * same private bytes. *bad is set when the headers do not parse or cannot
 * be pulled.
 */
static bool zced_rx_flow(struct sk_buff *skb, bool *bad)
{
	unsigned int off = ETH_HLEN;
	const struct tcphdr *th;
	__be16 h_proto;
	u8 proto;

	if (!pskb_may_pull(skb, ETH_HLEN))
		goto bad;
	h_proto = ((const struct ethhdr *)skb->data)->h_proto;
	if (h_proto == htons(ETH_P_IP)) {
		const struct iphdr *iph;

		if (!pskb_may_pull(skb, off + sizeof(*iph)))
			goto bad;
		iph = (const struct iphdr *)(skb->data + off);
		if (iph->version != 4 || iph->ihl < 5)
			goto bad;
		if (ip_is_fragment(iph))
			return false;
		proto = iph->protocol;
		off += iph->ihl * 4;
	} else if (h_proto == htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6;

		if (!pskb_may_pull(skb, off + sizeof(*ip6)))
			goto bad;
		ip6 = (const struct ipv6hdr *)(skb->data + off);
		if (ip6->version != 6)
			goto bad;
		proto = ip6->nexthdr;
		off += sizeof(*ip6);
	} else {
		return false;
	}
	if (proto != IPPROTO_TCP)
		return false;
	if (!pskb_may_pull(skb, off + sizeof(*th)))
		goto bad;
	th = (const struct tcphdr *)(skb->data + off);
	if (th->doff < 5 || !pskb_may_pull(skb, off + th->doff * 4))
		goto bad;
	th = (const struct tcphdr *)(skb->data + off);	/* the head may have moved */
	return zced_port_enabled(ntohs(th->source)) || zced_port_enabled(ntohs(th->dest));
bad:
	*bad = true;
	return false;
}

/*
 * One pass over the frags of one skb: adds the bytes in pool pages to
 * *pooled and, with copy, replaces those frags by private copies.
 * 0 or -ENOMEM.
 */
/* frag @f now refers to the start of @page (same size) */
static void zced_frag_set_page(skb_frag_t *f, struct page *page)
{
#if KERNEL_VERSION(6, 5, 0) <= LINUX_VERSION_CODE
	skb_frag_fill_page_desc(f, page, 0, skb_frag_size(f));
#else
	__skb_frag_set_page(f, page);
	skb_frag_off_set(f, 0);
#endif
}

static int zced_rx_frags(struct sk_buff *skb, bool copy, long *pooled)
{
	struct skb_shared_info *sh = skb_shinfo(skb);
	int i;

	for (i = 0; i < sh->nr_frags; i++) {
		skb_frag_t *f = &sh->frags[i];
		struct page *old = skb_frag_page(f), *page;

		if (!bifrost_zced_page_in_pool(old))
			continue;
		*pooled += skb_frag_size(f);
		if (!copy)
			continue;
		/* a pool buffer is one page: no frag crosses a page boundary */
		if (WARN_ON_ONCE(skb_frag_off(f) + skb_frag_size(f) > PAGE_SIZE))
			return -EINVAL;
		page = alloc_page(GFP_ATOMIC | __GFP_NOWARN);
		if (!page)
			return -ENOMEM;
		memcpy(page_address(page), skb_frag_address(f), skb_frag_size(f));
		zced_frag_set_page(f, page);
		put_page(old);
	}
	return 0;
}

/**
 * bifrost_zced_rx_skb() - Check a received packet that sits in the pool.
 * @skb: a packet with at least one buffer in a pool page, skb->data at its
 *       Ethernet header (before eth_type_trans()).
 *
 * Its headers are pulled into the private head first. Ciphertext of a ZCED
 * flow then stays in the pool pages; every other byte is copied out to
 * private pages. The bytes kept and copied are counted.
 *
 * Context: Softirq (virtio_net's NAPI poll); does not sleep.
 * Return: 0 to hand @skb to the stack; -ENOMEM when a copy failed, or
 * -EINVAL for a pool buffer that crosses its page (the caller drops @skb;
 * counted).
 */
int bifrost_zced_rx_skb(struct sk_buff *skb)
{
	struct sk_buff *seg = skb;
	bool bad = false, keep;
	long pooled = 0;
	int err;

	zced_count(ZS_OTTR_HDR_COPIES, 1);
	keep = zced_rx_flow(skb, &bad);
	if (bad)
		zced_count(ZS_OTTR_HDR_INVALID, 1);
	do {
		err = zced_rx_frags(seg, !keep, &pooled);
		if (err) {
			zced_count(ZS_RX_COPY_FAILED, 1);
			return err;
		}
		seg = seg == skb ? skb_shinfo(skb)->frag_list : seg->next;
	} while (seg);
	/* every pool byte of a packet is either kept or copied out */
	zced_count(ZS_RX_POOL_BYTES, pooled);
	zced_count(keep ? ZS_RX_KEPT_BYTES : ZS_RX_COPIED_BYTES, pooled);
	return 0;
}
EXPORT_SYMBOL_GPL(bifrost_zced_rx_skb);

/**
 * bifrost_zced_count_dma() - Count bytes virtio_ring mapped through the DMA API.
 * @len: bytes of a buffer that was not a pool page (swiotlb bounces it).
 *
 * Context: Any context.
 */
void bifrost_zced_count_dma(size_t len)
{
	zced_count(ZS_DMA_BYTES, len);
}
EXPORT_SYMBOL_GPL(bifrost_zced_count_dma);

/**
 * bifrost_zced_count_slot() - Count bytes virtio_net sent from a shared slot.
 * @len: bytes of a small buffer it copied into pool memory instead of
 *	 mapping it (a bounce it did not need swiotlb for).
 *
 * Context: Any context.
 */
void bifrost_zced_count_slot(size_t len)
{
	zced_count(ZS_TX_SLOT_BYTES, len);
}
EXPORT_SYMBOL_GPL(bifrost_zced_count_slot);

int zced_net_init(void)
{
	return register_netdevice_notifier(&zced_nb);
}

void zced_net_exit(void)
{
	unregister_netdevice_notifier(&zced_nb);
}
