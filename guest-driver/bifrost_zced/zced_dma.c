// SPDX-License-Identifier: GPL-2.0
/*
 * zced_dma.c - DMA addresses for memory the guest already shares with the
 * host.
 *
 * A ZCED pool page is shared with the host for its whole life (converted
 * with set_memory_decrypted() on SEV-SNP/TDX, or taken from the node the
 * backend maps). Mapping it through the DMA API in a CVM bounces it through
 * swiotlb, which is exactly the copy ZCED exists to remove. The caller that
 * knows a page is shared (virtio_net, which posted it from the pool) asks
 * for its shared DMA address instead.
 *
 * This is the DMA layer's job once it has a way to be told: the
 * DMA_ATTR_CC_SHARED attribute proposed upstream ("dma-mapping: introduce
 * DMA_ATTR_CC_SHARED for shared memory", 2026) makes dma_direct_map_phys()
 * skip swiotlb and encode the unencrypted DMA address for memory its caller
 * says is shared. No kernel this module builds for (6.1, 6.12) has it, so
 * this file takes the same decision for the case it can prove: dma-direct
 * without an IOMMU, where the DMA address of shared memory is
 * phys_to_dma_unencrypted() of its physical address, and nothing is
 * bounced, synced or remembered, so there is nothing to unmap. Every other
 * device (an IOMMU, DMA ops of its own) gets DMA_MAPPING_ERROR and the
 * caller maps the page the ordinary way. On a kernel with the attribute
 * this function becomes dma_map_page_attrs(..., DMA_ATTR_CC_SHARED) and
 * its callers gain the matching unmap.
 */
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include "bifrost_zced.h"

/**
 * bifrost_zced_dma_can_share() - Can a device reach shared memory directly?
 * @dev: the device's DMA device (virtqueue_dma_dev()), or NULL when the
 *       device does not use the DMA API.
 *
 * Context: Any context.
 * Return: true when bifrost_zced_dma_map_shared() gives @dev shared
 * addresses (dma-direct, no IOMMU), false when it needs ordinary mappings.
 */
bool bifrost_zced_dma_can_share(struct device *dev)
{
	return !dev || (!device_iommu_mapped(dev) && !get_dma_ops(dev));
}
EXPORT_SYMBOL_GPL(bifrost_zced_dma_can_share);

/**
 * bifrost_zced_dma_map_shared() - DMA address of part of a shared pool page.
 * @dev: the device's DMA device (virtqueue_dma_dev()), or NULL when the
 *       device does not use the DMA API (no VIRTIO_F_ACCESS_PLATFORM): its
 *       addresses are guest-physical.
 * @page: a page of the ZCED pool.
 * @offset: byte offset in @page.
 * @len: bytes from @offset; @offset + @len <= PAGE_SIZE.
 * @dir: the transfer's direction.
 *
 * Nothing is copied, synced or recorded: the host reads and writes the page
 * itself, and there is no unmap.
 *
 * Context: Any context.
 * Return: the DMA address, or DMA_MAPPING_ERROR when @page is not a pool
 * page, the range leaves it, or the device reaches memory through an IOMMU
 * or DMA ops of its own (the caller then maps it the ordinary way, through
 * swiotlb).
 */
dma_addr_t bifrost_zced_dma_map_shared(struct device *dev, struct page *page,
				       unsigned int offset, size_t len,
				       enum dma_data_direction dir)
{
	phys_addr_t phys = page_to_phys(page) + offset;
	dma_addr_t addr;

	if (!bifrost_zced_page_in_pool(page) || offset >= PAGE_SIZE ||
	    len > PAGE_SIZE - offset)
		return DMA_MAPPING_ERROR;
	if (!dev)
		return (dma_addr_t)phys;
	if (!bifrost_zced_dma_can_share(dev))
		return DMA_MAPPING_ERROR;
	addr = phys_to_dma_unencrypted(dev, phys);
	if (!dma_capable(dev, addr, len, false))
		return DMA_MAPPING_ERROR;
	return addr;
}
EXPORT_SYMBOL_GPL(bifrost_zced_dma_map_shared);
