/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bifrost_zced.h - the ZCED shared pool, for the guest's virtio-net and kTLS
 * patches: pages that live in memory the host may see (the dedicated
 * "ZCED NUMA" node), so ciphertext can be written and read there directly
 * instead of bouncing through swiotlb.
 */
#ifndef _BIFROST_ZCED_H
#define _BIFROST_ZCED_H

#include <linux/mm_types.h>
#include <linux/types.h>

struct page *bifrost_zced_alloc_page(void);
void bifrost_zced_free_page(struct page *page);
bool bifrost_zced_page_in_pool(const struct page *page);
bool bifrost_zced_port_enabled(u16 port);

#endif /* _BIFROST_ZCED_H */
