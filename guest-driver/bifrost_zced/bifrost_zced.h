/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bifrost_zced.h - the ZCED shared pool, for the guest's virtio_ring,
 * virtio_net and kTLS patches: pages that live in memory the host may see
 * (the dedicated "ZCED NUMA" node), so ciphertext is written and read there
 * directly instead of bouncing through swiotlb, and the host is trusted with
 * nothing (OTTR): headers are copied once into private memory, ciphertext is
 * read or written once by a single-pass AEAD.
 */
#ifndef _BIFROST_ZCED_H
#define _BIFROST_ZCED_H

#include <linux/dma-direction.h>
#include <linux/types.h>

struct crypto_aead;
struct device;
struct net_device;
struct page;
struct sk_buff;
struct sk_msg;
struct sock;

/*
 * Pool. A page from bifrost_zced_alloc_page() carries one reference for the
 * caller; put_page() gives it back (the pool keeps its own reference, so a
 * pool page never reaches the page allocator while the module is loaded).
 */
struct page *bifrost_zced_alloc_page(void);
bool bifrost_zced_page_in_pool(const struct page *page);
bool bifrost_zced_phys_in_pool(phys_addr_t pa);

/*
 * virtio: bytes it mapped through the DMA API (swiotlb bounces), and bytes
 * virtio_net copied into shared slots of pool memory instead.
 */
void bifrost_zced_count_dma(size_t len);
void bifrost_zced_count_slot(size_t len);

/*
 * virtio_net: the DMA address of a pool page, which the host already
 * shares (no bounce, no sync, no unmap), shaped as a DMA_ATTR_CC_SHARED
 * mapping;
 * DMA_MAPPING_ERROR when the device needs an ordinary mapping instead.
 */
bool bifrost_zced_dma_can_share(struct device *dev);
dma_addr_t bifrost_zced_dma_map_shared(struct device *dev, struct page *page,
				       unsigned int offset, size_t len,
				       enum dma_data_direction dir);

/*
 * virtio_net: a device attached to ZCED announces the pool to the backend
 * when it comes up; once announced it may post pool pages as receive
 * buffers, and passes every received skb to bifrost_zced_rx_skb() (which
 * keeps ciphertext of ZCED flows in the pool and copies everything else
 * out; nonzero means drop).
 */
int bifrost_zced_attach(struct net_device *dev);
void bifrost_zced_detach(struct net_device *dev);
bool bifrost_zced_rx_active(const struct net_device *dev);
int bifrost_zced_rx_skb(struct sk_buff *skb);

/*
 * kTLS: the AEAD to allocate for a socket (the single-pass one for ZCED
 * flows), whether a transform is that AEAD, encrypted-record memory from
 * the pool for such sockets, and whether a received record must be copied
 * out of the pool before another AEAD decrypts it.
 */
const char *bifrost_zced_tls_aead(struct sock *sk, const char *cipher_name);
bool bifrost_zced_tls_is_zced(const struct crypto_aead *tfm);
int bifrost_zced_msg_alloc(struct sock *sk, struct sk_msg *msg, int len);
bool bifrost_zced_tls_rx_copy(const struct crypto_aead *tfm, const struct sk_buff *skb,
			      unsigned int offset, unsigned int len);

#endif /* _BIFROST_ZCED_H */
