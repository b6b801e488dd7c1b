// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bf_tls - TLS 1.2/1.3 test traffic with verifiable content, using kernel
 * TLS (OpenSSL's SSL_OP_ENABLE_KTLS) where the kernel offers it.
 *
 *   bf_tls [OPTIONS] server PORT send|recv BYTES SEED
 *   bf_tls [OPTIONS] client ADDR PORT send|recv BYTES SEED
 *
 * send|recv is what this side does with the BYTES of the SEED pattern
 * (tools/pattern.h). The server makes a throw-away P-256 key and
 * self-signed certificate at start; the client does not verify it (test
 * traffic between the two ends of one test, not an authentication tool).
 *
 * Options:
 *   -v 1.2|1.3         TLS version (default 1.2)
 *   -c aes128|aes256|chacha   cipher (default aes128): ECDHE-ECDSA-*-GCM /
 *                      CHACHA20-POLY1305 in 1.2, TLS_AES_*_GCM_* /
 *                      TLS_CHACHA20_POLY1305_SHA256 in 1.3
 *   -m write|sendfile|splice|more   how send puts the bytes on the socket:
 *                      SSL_write; SSL_sendfile() from a file holding the
 *                      pattern; splice() from a packet-mode pipe (every
 *                      write a pipe buffer of its own, many buffers per
 *                      splice); send(MSG_MORE) on the kTLS socket, the last
 *                      chunk without. All but write need kTLS TX.
 *   -w SIZES           sizes of the writes (or sendfile/splice chunks, sends),
 *                      cycled: a comma list, N*K is N repeated K times
 *                      (default 65536)
 *   -r SIZES           sizes of the reads of recv, cycled (default 65536)
 *   -M MSS             TCP_MAXSEG before connect/listen
 *   -t PIECE:USEC      send: the TLS byte stream goes to TCP in writes of
 *                      PIECE bytes, USEC apart (TCP_NODELAY; user-space TLS
 *                      only): records arrive in pieces
 *   -p BLOCK           TLS 1.3 record padding to a multiple of BLOCK
 *   -k N               send: a TLS 1.3 KeyUpdate after N bytes (update not
 *                      requested); recv: after N bytes, a KeyUpdate that
 *                      requests one from the peer, then one byte to the peer
 *   -g N               send: after N bytes, read one byte from the peer (which
 *                      processes what the peer sent, e.g. a KeyUpdate), then
 *                      go on
 *   -a SECS            how long the server waits for its client (default 120)
 *   -n N               N connections (1-1024, default 1), each in a process of
 *                      its own moving BYTES of the SEED pattern: the server
 *                      accepts N on PORT, the client opens N at once; every
 *                      connection prints its own result line, the exit
 *                      status is 0 only if all N succeeded
 *   -R                 kernel TLS RX set up by this tool for TLS 1.3 (OpenSSL 3.0
 *                      does kTLS RX for 1.2 only): the peer's traffic secret
 *                      from OpenSSL's key log callback, key and IV by
 *                      HKDF-Expand-Label, setsockopt(SOL_TLS, TLS_RX); then
 *                      recvmsg() on the socket (records of other types
 *                      than data come with a TLS_GET_RECORD_TYPE cmsg:
 *                      NewSessionTicket is skipped; a KeyUpdate is reported
 *                      and reading goes on, as an application unaware of the
 *                      kernel's limit would: 6.1's kTLS cannot take new keys,
 *                      so the next record is a decryption error)
 *
 * Prints "ok N bytes ktls_tx X ktls_rx Y secs S proto P cipher C" on success
 * (S: the data phase after the handshake, on this side's clock), or the
 * offset of the first bad byte, or the TLS error (e.g. a bad record MAC)
 * with the number of bytes moved before it ("... after N bytes").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/hmac.h>
#include <linux/tls.h>
#include "pattern.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#define CHUNK		(64 * 1024)
#define MAX_SIZES	1024
#define MAX_SIZE	(1 << 20)

enum send_mode { M_WRITE, M_SENDFILE, M_SPLICE, M_MORE };

struct sizes {
	size_t v[MAX_SIZES];
	unsigned int n, next;
};

static struct {
	int version;
	const char *cipher;
	enum send_mode mode;
	struct sizes w, r;
	int mss;
	size_t piece;
	unsigned int piece_us;
	int padding;
	long long keyupdate, go;
	int accept_secs;
	bool ktls_rx13;
	unsigned int conns;
} opt = {
	.version = TLS1_2_VERSION, .cipher = "aes128", .mode = M_WRITE,
	.keyupdate = -1, .go = -1, .accept_secs = 120, .conns = 1,
};

static uint64_t moved;		/* bytes sent or received so far */
static BIO *trickle_bio;	/* -t: TLS output collects here first */
static int sock_fd = -1;
static char peer_secret[2 * EVP_MAX_MD_SIZE + 1];	/* -R: hex, from the key log */
static bool is_server, own_ktls_rx;

static int die_ssl(const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	ERR_error_string_n(e, buf, sizeof(buf));
	printf("tls error: %s: %s after %llu bytes\n", what, e ? buf : strerror(errno),
	       (unsigned long long)moved);
	return 1;
}

static int die_sys(const char *what)
{
	printf("tls error: %s: %s after %llu bytes\n", what, strerror(errno),
	       (unsigned long long)moved);
	return 1;
}

/* "1,7,100*20,4097" */
static int parse_sizes(struct sizes *s, const char *arg)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	unsigned long v, k;
	char *end;

	s->n = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		v = strtoul(tok, &end, 0);
		k = 1;
		if (*end == '*')
			k = strtoul(end + 1, &end, 0);
		if (*end || !v || v > MAX_SIZE || !k || k > MAX_SIZES - s->n) {
			free(copy);
			return -1;
		}
		while (k--)
			s->v[s->n++] = v;
	}
	free(copy);
	return s->n ? 0 : -1;
}

static size_t next_size(struct sizes *s, uint64_t left)
{
	size_t v = s->v[s->next++ % s->n];

	return v < left ? v : (size_t)left;
}

/* -R: the key log line with the peer's application traffic secret */
static void keylog(const SSL *ssl, const char *line)
{
	const char *want = is_server ? "CLIENT_TRAFFIC_SECRET_0 " : "SERVER_TRAFFIC_SECRET_0 ";
	const char *p;

	(void)ssl;
	if (strncmp(line, want, strlen(want)))
		return;
	p = strrchr(line, ' ');
	if (p && strlen(p + 1) < sizeof(peer_secret))
		strcpy(peer_secret, p + 1);
}

/* HKDF-Expand-Label(secret, label, "", len) for len <= the hash size */
static int hkdf_label(const EVP_MD *md, const uint8_t *secret, int slen, const char *label,
		      uint8_t *out, unsigned int len)
{
	uint8_t info[64], t[EVP_MAX_MD_SIZE];
	unsigned int n = 0, tlen;

	if (len > (unsigned int)EVP_MD_get_size(md))
		return -1;
	info[n++] = 0;
	info[n++] = (uint8_t)len;
	info[n++] = (uint8_t)(6 + strlen(label));
	memcpy(info + n, "tls13 ", 6);
	n += 6;
	memcpy(info + n, label, strlen(label));
	n += strlen(label);
	info[n++] = 0;		/* empty context */
	info[n++] = 1;		/* T(1) */
	if (!HMAC(md, secret, slen, info, n, t, &tlen))
		return -1;
	memcpy(out, t, len);
	return 0;
}

/*
 * -R: TLS_RX on the socket with the peer's TLS 1.3 traffic keys, sequence 0
 * (OpenSSL has read no record under them: the handshake just ended and it
 * does not read ahead).
 */
static int setup_ktls_rx13(SSL *ssl, int fd)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
	const EVP_MD *md = SSL_CIPHER_get_handshake_digest(c);
	uint8_t secret[EVP_MAX_MD_SIZE], key[32], iv[12];
	union {
		struct tls12_crypto_info_aes_gcm_128 g128;
		struct tls12_crypto_info_aes_gcm_256 g256;
		struct tls12_crypto_info_chacha20_poly1305 cc;
	} ci;
	unsigned int slen = (unsigned int)strlen(peer_secret) / 2, i, klen;
	uint16_t type;
	socklen_t cilen;

	if (SSL_version(ssl) != TLS1_3_VERSION || !md || !slen || SSL_has_pending(ssl))
		return -1;
	for (i = 0; i < slen; i++)
		if (sscanf(peer_secret + 2 * i, "%2hhx", &secret[i]) != 1)
			return -1;
	switch (SSL_CIPHER_get_id(c) & 0xffff) {
	case 0x1301:
		type = TLS_CIPHER_AES_GCM_128;
		klen = 16;
		break;
	case 0x1302:
		type = TLS_CIPHER_AES_GCM_256;
		klen = 32;
		break;
	case 0x1303:
		type = TLS_CIPHER_CHACHA20_POLY1305;
		klen = 32;
		break;
	default:
		return -1;
	}
	if (hkdf_label(md, secret, (int)slen, "key", key, klen) ||
	    hkdf_label(md, secret, (int)slen, "iv", iv, sizeof(iv)))
		return -1;
	memset(&ci, 0, sizeof(ci));
	ci.g128.info.version = TLS_1_3_VERSION;
	ci.g128.info.cipher_type = type;
	switch (type) {
	case TLS_CIPHER_AES_GCM_128:
		memcpy(ci.g128.salt, iv, 4);
		memcpy(ci.g128.iv, iv + 4, 8);
		memcpy(ci.g128.key, key, 16);
		cilen = sizeof(ci.g128);
		break;
	case TLS_CIPHER_AES_GCM_256:
		memcpy(ci.g256.salt, iv, 4);
		memcpy(ci.g256.iv, iv + 4, 8);
		memcpy(ci.g256.key, key, 32);
		cilen = sizeof(ci.g256);
		break;
	default:
		memcpy(ci.cc.iv, iv, 12);
		memcpy(ci.cc.key, key, 32);
		cilen = sizeof(ci.cc);
		break;
	}
	/* OpenSSL's kTLS TX already put the socket under the tls ULP */
	if (setsockopt(fd, IPPROTO_TCP, TCP_ULP, "tls", 3) && errno != EEXIST)
		return -1;
	if (setsockopt(fd, SOL_TLS, TLS_RX, &ci, cilen))
		return -1;
	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_cleanse(key, sizeof(key));
	return 0;
}

/* -R: recvmsg() with the record type (23: data); <0: errno */
static ssize_t ktls_recvmsg(uint8_t *buf, size_t len, int *type)
{
	char cbuf[CMSG_SPACE(sizeof(unsigned char))];
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	ssize_t n;

	do {
		n = recvmsg(sock_fd, &m, 0);
	} while (n < 0 && errno == EINTR);
	cm = n > 0 ? CMSG_FIRSTHDR(&m) : NULL;
	*type = cm && cm->cmsg_level == SOL_TLS && cm->cmsg_type == TLS_GET_RECORD_TYPE ?
		*CMSG_DATA(cm) : 23;
	return n;
}

/*
 * -R: data from the kTLS RX socket. >0: data bytes; 0: the peer closed
 * (close_notify or EOF); -1: error (printed). Records of other types are
 * consumed here.
 */
static int ktls_read(uint8_t *buf, size_t len)
{
	static int prev_type = 23;
	int type, t2;
	ssize_t n;

	for (;;) {
		n = ktls_recvmsg(buf, len, &type);
		if (n < 0) {
			die_sys("recvmsg");
			return -1;
		}
		if (n == 0)
			return 0;
		if (type == 23) {
			prev_type = type;
			return (int)n;
		}
		if (type == 21) {	/* alert: close_notify or fatal (read whole) */
			if (n < 2 && (ktls_recvmsg(buf + 1, 1, &t2) != 1 || t2 != 21))
				buf[1] = 255;
			if (!buf[1])
				return 0;
			printf("tls error: alert %d after %llu bytes\n", buf[1],
			       (unsigned long long)moved);
			return -1;
		}
		/* handshake: the first piece of a record starts with its type */
		if (type == 22 && prev_type != 22 && buf[0] == 24)
			printf("key update received after %llu bytes (kTLS cannot rekey)\n",
			       (unsigned long long)moved);
		prev_type = type;
	}
}

static int make_cert(SSL_CTX *ctx)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name;

	if (!key || !x)
		return -1;
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)"bifrost-test", -1, -1, 0);
	X509_set_issuer_name(x, name);
	if (!X509_sign(x, key, EVP_sha256()) || SSL_CTX_use_certificate(ctx, x) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, key) != 1)
		return -1;
	X509_free(x);
	EVP_PKEY_free(key);
	return 0;
}

static int set_ciphers(SSL_CTX *ctx)
{
	static const struct {
		const char *name, *tls12, *tls13;
	} c[] = {
		{ "aes128", "ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256" },
		{ "aes256", "ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_AES_256_GCM_SHA384" },
		{ "chacha", "ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_CHACHA20_POLY1305_SHA256" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (!strcmp(opt.cipher, c[i].name))
			return SSL_CTX_set_cipher_list(ctx, c[i].tls12) == 1 &&
			       SSL_CTX_set_ciphersuites(ctx, c[i].tls13) == 1 ? 0 : -1;
	return -1;
}

static void set_sockopts(int fd)
{
	struct timeval tv = { .tv_sec = 60 };
	int one = 1;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (opt.piece)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void set_mss(int fd)
{
	if (opt.mss && setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &opt.mss, sizeof(opt.mss)))
		perror("TCP_MAXSEG");
}

static int tcp_listen(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timeval tv = { .tv_sec = opt.accept_secs };
	int one = 1, ls = socket(AF_INET, SOCK_STREAM, 0);

	if (ls < 0)
		return -1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(ls, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	set_mss(ls);
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(ls, opt.conns > 128 ? 128 : (int)opt.conns)) {
		close(ls);
		return -1;
	}
	printf("listening\n");
	fflush(stdout);
	return ls;
}

static int tcp_connect(const char *addr, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int tries, fd;

	inet_pton(AF_INET, addr, &a.sin_addr);
	for (tries = 0; tries < 100; tries++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		set_mss(fd);
		if (!connect(fd, (struct sockaddr *)&a, sizeof(a)))
			return fd;
		close(fd);
		if (errno != ECONNREFUSED && errno != EHOSTUNREACH)
			break;
		usleep(200000);
	}
	return -1;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t w;

	while (n) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* -t: what OpenSSL wrote into the memory BIO goes out in small pieces. */
static int trickle_flush(void)
{
	uint8_t buf[CHUNK];
	int n;

	if (!trickle_bio)
		return 0;
	while ((n = BIO_read(trickle_bio, buf, (int)opt.piece)) > 0) {
		if (write_all(sock_fd, buf, (size_t)n))
			return -1;
		if (opt.piece_us)
			usleep(opt.piece_us);
	}
	return 0;
}

static int ssl_write_all(SSL *ssl, const uint8_t *buf, size_t len)
{
	int n;

	while (len) {
		n = SSL_write(ssl, buf, (int)len);
		if (n <= 0)
			return die_ssl("write");
		if (trickle_flush())
			return die_sys("trickle write");
		buf += n;
		len -= (size_t)n;
		moved += (uint64_t)n;
	}
	return 0;
}

/* A file holding bytes [0, bytes) of the pattern (unlinked at once). */
static int pattern_file(uint64_t bytes, uint64_t seed)
{
	char path[] = "/tmp/bf_tls.XXXXXX";
	uint8_t *buf = malloc(CHUNK);
	uint64_t off;
	size_t len;
	int fd = mkstemp(path);

	if (fd < 0 || !buf)
		return -1;
	unlink(path);
	for (off = 0; off < bytes; off += len) {
		len = bytes - off < CHUNK ? (size_t)(bytes - off) : CHUNK;
		pattern_fill(seed, off, buf, len);
		if (write_all(fd, buf, len)) {
			close(fd);
			fd = -1;
			break;
		}
	}
	free(buf);
	return fd;
}

/* -k / -g on the sending side, once `moved` has reached the mark */
static int send_marks(SSL *ssl)
{
	uint8_t b;
	int n;

	if (opt.keyupdate >= 0 && moved >= (uint64_t)opt.keyupdate) {
		opt.keyupdate = -1;
		if (SSL_key_update(ssl, SSL_KEY_UPDATE_NOT_REQUESTED) != 1)
			return die_ssl("key update");
		printf("key update sent after %llu bytes\n", (unsigned long long)moved);
	}
	if (opt.go >= 0 && moved >= (uint64_t)opt.go) {
		opt.go = -1;
		n = SSL_read(ssl, &b, 1);
		if (n != 1)
			return die_ssl("read go");
	}
	return 0;
}

/* the next chunk ends at a -k/-g mark, so the mark falls between writes */
static size_t clip_to_marks(size_t len)
{
	long long m[2] = { opt.keyupdate, opt.go };
	int i;

	for (i = 0; i < 2; i++)
		if (m[i] >= 0 && (uint64_t)m[i] > moved && (uint64_t)m[i] - moved < len)
			len = (size_t)((uint64_t)m[i] - moved);
	return len;
}

static int send_sendfile(SSL *ssl, uint64_t bytes, uint64_t seed)
{
	int fd = pattern_file(bytes, seed);
	ossl_ssize_t n;
	size_t len;

	if (fd < 0)
		return die_sys("pattern file");
	while (moved < bytes) {
		if (send_marks(ssl))
			return 1;
		len = clip_to_marks(next_size(&opt.w, bytes - moved));
		n = SSL_sendfile(ssl, fd, (off_t)moved, len, 0);
		if (n <= 0)
			return die_ssl("sendfile");
		moved += (uint64_t)n;
	}
	close(fd);
	return 0;
}

/*
 * splice() from a packet-mode pipe: each write of a chunk is a pipe buffer
 * of its own, and one splice() hands many of them to kTLS (sendpage, one
 * buffer at a time, all but the last "not last").
 */
static int send_splice(SSL *ssl, uint64_t bytes, uint64_t seed)
{
	int p[2], fd = SSL_get_fd(ssl), cap;
	uint8_t *buf = malloc(MAX_SIZE);
	uint64_t filled = 0;
	unsigned int slots, want;
	size_t pend, len;
	ssize_t n;

	if (!buf || pipe2(p, O_DIRECT))
		return die_sys("pipe");
	fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
	cap = fcntl(p[1], F_GETPIPE_SZ);
	if (cap < 16 * 4096)
		return die_sys("pipe size");
	while (moved < bytes) {
		if (send_marks(ssl))
			return 1;
		/* fill: at most 64 buffers or 256 KiB, and never more than fits */
		slots = 0;
		pend = 0;
		while (filled < bytes && slots < 64 && pend < (256 << 10)) {
			len = next_size(&opt.w, bytes - filled);
			if (opt.keyupdate >= 0 || opt.go >= 0)
				len = clip_to_marks(len);
			want = (unsigned int)((len + 4095) / 4096);
			if ((slots + want) * 4096 > (unsigned int)cap)
				break;
			pattern_fill(seed, filled, buf, len);
			if (write_all(p[1], buf, len))
				return die_sys("pipe write");
			filled += len;
			pend += len;
			slots += want;
			if (opt.keyupdate >= 0 || opt.go >= 0)
				break;
		}
		while (pend) {
			n = splice(p[0], NULL, fd, NULL, pend,
				   filled < bytes ? SPLICE_F_MORE : 0);
			if (n <= 0)
				return die_sys("splice");
			pend -= (size_t)n;
			moved += (uint64_t)n;
		}
	}
	close(p[0]);
	close(p[1]);
	free(buf);
	return 0;
}

/* send(MSG_MORE) straight on the kTLS socket; the last chunk without */
static int send_more(SSL *ssl, uint64_t bytes, uint64_t seed)
{
	int fd = SSL_get_fd(ssl);
	uint8_t *buf = malloc(MAX_SIZE);
	size_t len, done;
	ssize_t n;

	if (!buf)
		return die_sys("malloc");
	while (moved < bytes) {
		if (send_marks(ssl))
			return 1;
		len = clip_to_marks(next_size(&opt.w, bytes - moved));
		pattern_fill(seed, moved, buf, len);
		for (done = 0; done < len; done += (size_t)n) {
			n = send(fd, buf + done, len - done,
				 moved + len < bytes ? MSG_MORE : 0);
			if (n <= 0)
				return die_sys("send");
		}
		moved += len;
	}
	free(buf);
	return 0;
}

static int do_send(SSL *ssl, uint64_t bytes, uint64_t seed)
{
	uint8_t *buf = malloc(MAX_SIZE);
	size_t len;
	int n, rc = 0;

	if (opt.mode != M_WRITE && !BIO_get_ktls_send(SSL_get_wbio(ssl))) {
		printf("tls error: send mode needs kTLS TX, which is off\n");
		return 1;
	}
	switch (opt.mode) {
	case M_SENDFILE:
		rc = send_sendfile(ssl, bytes, seed);
		break;
	case M_SPLICE:
		rc = send_splice(ssl, bytes, seed);
		break;
	case M_MORE:
		rc = send_more(ssl, bytes, seed);
		break;
	case M_WRITE:
		while (!rc && moved < bytes) {
			rc = send_marks(ssl);
			len = clip_to_marks(next_size(&opt.w, bytes - moved));
			pattern_fill(seed, moved, buf, len);
			if (!rc)
				rc = ssl_write_all(ssl, buf, len);
		}
		break;
	}
	if (rc)
		return rc;
	/* wait for the peer's close_notify: every byte arrived */
	n = SSL_read(ssl, buf, 1);
	free(buf);
	return n < 0 && SSL_get_error(ssl, n) != SSL_ERROR_ZERO_RETURN &&
	       SSL_get_error(ssl, n) != SSL_ERROR_SYSCALL ? die_ssl("final read") : 0;
}

static int do_recv(SSL *ssl, uint64_t bytes, uint64_t seed)
{
	uint8_t *buf = malloc(MAX_SIZE), *want = malloc(MAX_SIZE);
	long long bad;
	size_t len;
	int n;

	while (moved < bytes) {
		len = next_size(&opt.r, bytes - moved);
		if (own_ktls_rx) {
			n = ktls_read(buf, len);
			if (n < 0)
				return 1;
			if (!n) {
				printf("short: got %llu of %llu bytes\n",
				       (unsigned long long)moved, (unsigned long long)bytes);
				return 1;
			}
		} else {
			n = SSL_read(ssl, buf, (int)len);
		}
		if (n <= 0) {
			if (SSL_get_error(ssl, n) == SSL_ERROR_ZERO_RETURN) {
				printf("short: got %llu of %llu bytes\n",
				       (unsigned long long)moved, (unsigned long long)bytes);
				return 1;
			}
			return die_ssl("read");
		}
		bad = pattern_check(seed, moved, buf, (size_t)n, want);
		if (bad >= 0) {
			printf("mismatch at offset %lld\n", bad);
			return 1;
		}
		moved += (uint64_t)n;
		if (opt.keyupdate >= 0 && moved >= (uint64_t)opt.keyupdate) {
			opt.keyupdate = -1;
			if (SSL_key_update(ssl, SSL_KEY_UPDATE_REQUESTED) != 1 ||
			    SSL_write(ssl, "g", 1) != 1)
				return die_ssl("key update request");
			printf("key update requested after %llu bytes\n", (unsigned long long)moved);
		}
	}
	SSL_shutdown(ssl);
	trickle_flush();
	free(buf);
	free(want);
	return 0;
}

/*
 * run_conn - one TLS connection on the TCP socket FD (-1: the TCP error in
 * errno): handshake, BYTES of the SEED pattern sent or received as DIR
 * says, one result line on stdout. Returns 0 on success, 1 otherwise.
 */
static int run_conn(SSL_CTX *ctx, int fd, bool server, const char *dir, uint64_t bytes,
		    uint64_t seed)
{
	struct timespec t0, t1;
	const char *cname;
	SSL *ssl;
	int rc;

	if (fd < 0) {
		printf("tcp error: %s\n", strerror(errno));
		return 1;
	}
	sock_fd = fd;
	set_sockopts(fd);
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	if ((server ? SSL_accept(ssl) : SSL_connect(ssl)) != 1)
		return die_ssl("handshake");
	if (opt.ktls_rx13) {
		if (setup_ktls_rx13(ssl, fd))
			return die_sys("kTLS RX for TLS 1.3 (-R)");
		own_ktls_rx = true;
	}
	if (opt.piece) {
		if (BIO_get_ktls_send(SSL_get_wbio(ssl))) {
			printf("tls error: -t needs user-space TLS, kTLS TX is on\n");
			return 1;
		}
		trickle_bio = BIO_new(BIO_s_mem());
		BIO_up_ref(trickle_bio);
		SSL_set0_wbio(ssl, trickle_bio);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = !strcmp(dir, "send") ? do_send(ssl, bytes, seed) : do_recv(ssl, bytes, seed);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cname = SSL_get_cipher_name(ssl);
	if (!rc)
		printf("ok %llu bytes ktls_tx %d ktls_rx %d secs %.3f proto %s cipher %s\n",
		       (unsigned long long)bytes,
		       (int)BIO_get_ktls_send(SSL_get_wbio(ssl)),
		       (int)(own_ktls_rx || BIO_get_ktls_recv(SSL_get_rbio(ssl))),
		       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
		       SSL_get_version(ssl), cname ? cname : "none");
	SSL_free(ssl);
	if (trickle_bio)
		BIO_free(trickle_bio);
	close(fd);
	return rc;
}

static void usage(void)
{
	fprintf(stderr, "usage: bf_tls [-v 1.2|1.3] [-c aes128|aes256|chacha]\n"
			"              [-m write|sendfile|splice|more] [-w SIZES] [-r SIZES]\n"
			"              [-M MSS] [-t PIECE:USEC] [-p BLOCK] [-k N] [-g N] [-a SECS] [-R]\n"
			"              [-n CONNS]\n"
			"              server PORT send|recv BYTES SEED\n"
			"       bf_tls [OPTIONS] client ADDR PORT send|recv BYTES SEED\n");
	exit(2);
}

int main(int argc, char **argv)
{
	bool server, client;
	const char *dir;
	uint64_t bytes, seed;
	unsigned int i, started = 0, failed = 0;
	SSL_CTX *ctx;
	int fd, rc, c, ls = -1;

	parse_sizes(&opt.w, "65536");
	parse_sizes(&opt.r, "65536");
	while ((c = getopt(argc, argv, "+v:c:m:w:r:M:t:p:k:g:a:Rn:")) != -1) {
		switch (c) {
		case 'v':
			if (!strcmp(optarg, "1.2"))
				opt.version = TLS1_2_VERSION;
			else if (!strcmp(optarg, "1.3"))
				opt.version = TLS1_3_VERSION;
			else
				usage();
			break;
		case 'c':
			opt.cipher = optarg;
			break;
		case 'm':
			if (!strcmp(optarg, "write"))
				opt.mode = M_WRITE;
			else if (!strcmp(optarg, "sendfile"))
				opt.mode = M_SENDFILE;
			else if (!strcmp(optarg, "splice"))
				opt.mode = M_SPLICE;
			else if (!strcmp(optarg, "more"))
				opt.mode = M_MORE;
			else
				usage();
			break;
		case 'w':
			if (parse_sizes(&opt.w, optarg))
				usage();
			break;
		case 'r':
			if (parse_sizes(&opt.r, optarg))
				usage();
			break;
		case 'M':
			opt.mss = atoi(optarg);
			break;
		case 't':
			if (sscanf(optarg, "%zu:%u", &opt.piece, &opt.piece_us) != 2 ||
			    !opt.piece || opt.piece > CHUNK)
				usage();
			break;
		case 'p':
			opt.padding = atoi(optarg);
			break;
		case 'k':
			opt.keyupdate = atoll(optarg);
			break;
		case 'g':
			opt.go = atoll(optarg);
			break;
		case 'a':
			opt.accept_secs = atoi(optarg);
			break;
		case 'R':
			opt.ktls_rx13 = true;
			break;
		case 'n':
			opt.conns = (unsigned int)atoi(optarg);
			if (opt.conns < 1 || opt.conns > 1024)
				usage();
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	server = argc == 5 && !strcmp(argv[0], "server");
	client = argc == 6 && !strcmp(argv[0], "client");
	if (!server && !client)
		usage();
	dir = argv[server ? 2 : 3];
	bytes = strtoull(argv[server ? 3 : 4], NULL, 0);
	seed = strtoull(argv[server ? 4 : 5], NULL, 0);
	ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	if (!ctx)
		return die_ssl("context");
	SSL_CTX_set_min_proto_version(ctx, opt.version);
	SSL_CTX_set_max_proto_version(ctx, opt.version);
	SSL_CTX_set_options(ctx, SSL_OP_ENABLE_KTLS);
	if (set_ciphers(ctx))
		return die_ssl("cipher");
	if (opt.padding && SSL_CTX_set_block_padding(ctx, (size_t)opt.padding) != 1)
		return die_ssl("padding");
	if (server && make_cert(ctx))
		return die_ssl("certificate");
	is_server = server;
	if (opt.ktls_rx13)
		SSL_CTX_set_keylog_callback(ctx, keylog);
	if (server) {
		ls = tcp_listen(atoi(argv[1]));
		if (ls < 0) {
			printf("tcp error: %s\n", strerror(errno));
			return 1;
		}
	}
	if (opt.conns == 1) {
		fd = server ? accept(ls, NULL, NULL) : tcp_connect(argv[1], atoi(argv[2]));
		if (server)
			close(ls);
		rc = run_conn(ctx, fd, server, dir, bytes, seed);
		SSL_CTX_free(ctx);
		return rc;
	}
	/* -n: one process per connection; the parent only accepts and waits */
	fflush(stdout);
	for (i = 0; i < opt.conns; i++) {
		pid_t pid;

		fd = server ? accept(ls, NULL, NULL) : -1;
		if (server && fd < 0) {
			printf("tcp error: connection %u: %s\n", i + 1, strerror(errno));
			failed += opt.conns - i;
			break;
		}
		pid = fork();
		if (pid == 0) {
			if (server)
				close(ls);
			else
				fd = tcp_connect(argv[1], atoi(argv[2]));
			rc = run_conn(ctx, fd, server, dir, bytes, seed);
			fflush(stdout);
			_exit(rc);
		}
		if (pid < 0) {
			printf("fork: %s\n", strerror(errno));
			failed++;
		} else {
			started++;
		}
		if (fd >= 0)
			close(fd);
	}
	if (server)
		close(ls);
	while (started > 0) {
		int st;

		if (wait(&st) < 0)
			break;
		started--;
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			failed++;
	}
	SSL_CTX_free(ctx);
	return failed ? 1 : 0;
}
