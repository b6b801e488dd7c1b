// SPDX-License-Identifier: GPL-2.0
/*
 * zced_tls.c - the kTLS side of ZCED.
 *
 * A kTLS direction of a socket in the ZCED port policy gets the single-pass
 * AEAD (zced_aead.c) instead of the generic gcm(aes); its encrypted records
 * are written into pool pages, so virtio hands them to the device without a
 * bounce. The plaintext never touches the pool (the patched tls_sw keeps it
 * in private pages), and the AEAD never reads back what it wrote there.
 */
#define pr_fmt(fmt) "bifrost_zced: " fmt

#include <crypto/aead.h>
#include <linux/skbuff.h>
#include <linux/skmsg.h>
#include <net/inet_sock.h>
#include <net/sock.h>
#include "bifrost_zced.h"
#include "zced_aead.h"
#include "zced_internal.h"

/**
 * bifrost_zced_tls_aead() - Pick the AEAD of a kTLS direction.
 * @sk: the socket kTLS is being set up on.
 * @cipher_name: the crypto API name kTLS would allocate, e.g. "gcm(aes)".
 *
 * A socket whose local or remote port is in the ZCED policy gets the
 * single-pass AEAD for AES-GCM; other ciphers and other sockets keep
 * @cipher_name. Each choice is counted.
 *
 * Context: Process context (kTLS's setsockopt).
 * Return: the name to pass to crypto_alloc_aead(): BIFROST_ZCED_AEAD_NAME or
 * @cipher_name.
 */
const char *bifrost_zced_tls_aead(struct sock *sk, const char *cipher_name)
{
	const struct inet_sock *inet = inet_sk(sk);

	if (!zced_port_enabled(ntohs(inet->inet_sport)) &&
	    !zced_port_enabled(ntohs(inet->inet_dport))) {
		zced_count(ZS_TLS_NORMAL, 1);
		return cipher_name;
	}
	if (strcmp(cipher_name, "gcm(aes)")) {
		zced_count(ZS_TLS_FALLBACK_CIPHER, 1);
		return cipher_name;
	}
	zced_count(ZS_TLS_ZCED, 1);
	return BIFROST_ZCED_AEAD_NAME;
}
EXPORT_SYMBOL_GPL(bifrost_zced_tls_aead);

/**
 * bifrost_zced_tls_is_zced() - Is a transform the single-pass AEAD?
 * @tfm: an AEAD transform of a kTLS direction.
 *
 * Context: Any context.
 * Return: true when @tfm is the AEAD bifrost_zced_tls_aead() picks for ZCED
 * sockets.
 */
bool bifrost_zced_tls_is_zced(const struct crypto_aead *tfm)
{
	return zced_aead_is_ours(tfm);
}
EXPORT_SYMBOL_GPL(bifrost_zced_tls_is_zced);

/*
 * Does any of the first @len bytes of @skb (its frags, and theirs down its
 * frag_lists) sit in a pool page? Deeper than that is not walked, and
 * counts as yes. The walk stops at @len: kTLS's receive anchor chains the
 * socket's receive queue as its frag_list, whose last skb's next is the
 * queue head, not NULL.
 */
static bool zced_skb_pooled(const struct sk_buff *skb, unsigned int len, int depth)
{
	const struct skb_shared_info *sh = skb_shinfo(skb);
	const struct sk_buff *frag;
	unsigned int left, n;
	int i;

	if (len <= skb_headlen(skb))
		return false;
	left = len - skb_headlen(skb);
	for (i = 0; i < sh->nr_frags && left; i++) {
		if (bifrost_zced_page_in_pool(skb_frag_page(&sh->frags[i])))
			return true;
		left -= min(left, skb_frag_size(&sh->frags[i]));
	}
	if (!left || !sh->frag_list)
		return false;
	if (depth >= 3)
		return true;
	skb_walk_frags(skb, frag) {
		n = min(left, frag->len);
		if (zced_skb_pooled(frag, n, depth + 1))
			return true;
		left -= n;
		if (!left)
			break;
	}
	return false;
}

/**
 * bifrost_zced_tls_rx_copy() - Must a received record leave the pool first?
 * @tfm: the AEAD that decrypts the record.
 * @skb: the skb holding the record (kTLS's receive anchor or a copy).
 * @offset: where the record starts in @skb, in bytes.
 * @len: the record's length in bytes.
 *
 * Yes when @tfm is not the single-pass AEAD (a cipher ZCED does not do,
 * e.g. ChaCha20-Poly1305, on a policy port) and some of the record sits in
 * the pool: such an AEAD may read its source twice (the rfc7539 template
 * hashes the ciphertext, then decrypts it again from the source), and a host
 * rewriting it in between would get plaintext through that was never
 * authenticated. Only the first @offset + @len bytes of @skb are looked at.
 * Copies are counted.
 *
 * Context: Process context, the socket locked (kTLS's receive path).
 * Return: true when kTLS must copy the record to private memory before
 * decrypting it.
 */
bool bifrost_zced_tls_rx_copy(const struct crypto_aead *tfm, const struct sk_buff *skb,
			      unsigned int offset, unsigned int len)
{
	if (bifrost_zced_tls_is_zced(tfm) || !zced_skb_pooled(skb, offset + len, 0))
		return false;
	zced_count(ZS_TLS_RX_COPIED, len);
	return true;
}
EXPORT_SYMBOL_GPL(bifrost_zced_tls_rx_copy);

/**
 * bifrost_zced_msg_alloc() - sk_msg_alloc() for records of ZCED sockets.
 * @sk: the socket.
 * @msg: the encrypted record being built.
 * @len: the size @msg must grow to, in bytes.
 *
 * Grows @msg to @len bytes with pool pages, filling the last one before
 * taking the next (as sk_msg_alloc() fills its page frag); the rest from
 * the socket's private page frag when the pool is empty (counted), and a
 * record that went private stays private.
 *
 * Filling the last page matters: kTLS grows an open record once per
 * sendmsg()/sendpage() call, and a new element each time would end records
 * at MAX_SKB_FRAGS small writes (MSG_MORE, splice of small pipe buffers)
 * with a pool page each, far from the 16 KiB records of stock kTLS.
 *
 * Context: Process context, the socket locked (as for sk_msg_alloc()).
 * Return: 0, -ENOSPC when @msg has no free element, -ENOMEM when the socket
 * may not charge more memory, or what sk_msg_alloc() returns for the
 * private rest.
 */
int bifrost_zced_msg_alloc(struct sock *sk, struct sk_msg *msg, int len)
{
	u32 osize = msg->sg.size;
	int want = len - osize;

	if (want > 0 && sk_msg_elem_used(msg)) {
		u32 i = msg->sg.end;
		struct scatterlist *last;
		int room, use;

		sk_msg_iter_var_prev(i);
		last = sk_msg_elem(msg, i);
		if (!bifrost_zced_page_in_pool(sg_page(last))) {
			zced_count(ZS_TX_FALLBACK_BYTES, want);
			return sk_msg_alloc(sk, msg, len, 0);
		}
		/* the page is this element's alone: its tail is free */
		room = PAGE_SIZE - last->offset - last->length;
		use = min(want, room);
		if (use > 0) {
			if (!sk_wmem_schedule(sk, use))
				return -ENOMEM;
			last->length += use;
			sk_mem_charge(sk, use);
			msg->sg.size += use;
			want -= use;
		}
	}
	while (want > 0) {
		struct scatterlist *sge;
		struct page *page;
		int use;

		if (sk_msg_full(msg))
			return -ENOSPC;
		page = bifrost_zced_alloc_page();
		if (!page) {
			zced_count(ZS_TX_FALLBACK_BYTES, want);
			return sk_msg_alloc(sk, msg, len, 0);
		}
		use = min_t(int, want, PAGE_SIZE);
		if (!sk_wmem_schedule(sk, use)) {
			put_page(page);
			sk_msg_trim(sk, msg, osize);	/* as sk_msg_alloc() does */
			return -ENOMEM;
		}
		sge = &msg->sg.data[msg->sg.end];
		sg_unmark_end(sge);
		sg_set_page(sge, page, use, 0);	/* the pool's reference moves here */
		__clear_bit(msg->sg.end, msg->sg.copy);
		sk_msg_iter_next(msg, end);
		sk_mem_charge(sk, use);
		msg->sg.size += use;
		want -= use;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(bifrost_zced_msg_alloc);
