// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bf_tls - TLS 1.2 test traffic with verifiable content, using kernel TLS
 * (OpenSSL's SSL_OP_ENABLE_KTLS) where the kernel offers it.
 *
 *   bf_tls server PORT send|recv BYTES SEED
 *   bf_tls client ADDR PORT send|recv BYTES SEED
 *
 * send|recv is what this side does with the BYTES of the SEED pattern
 * (tests/tools/pattern.h). The server makes a throw-away P-256 key and
 * self-signed certificate at start; the client does not verify it (test
 * traffic between the two ends of one test, not an authentication tool).
 * Cipher: ECDHE-ECDSA-AES128-GCM-SHA256, which Linux kTLS handles in both
 * directions. Prints "ok N bytes ktls_tx X ktls_rx Y secs S" on success (S:
 * the data phase after the handshake, on this side's clock), or the offset
 * of the first bad byte, or the TLS error (e.g. a bad record MAC).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include "pattern.h"

#define CHUNK	(64 * 1024)

static int die_ssl(const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	ERR_error_string_n(e, buf, sizeof(buf));
	printf("tls error: %s: %s\n", what, e ? buf : strerror(errno));
	return 1;
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

static void set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = 60 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int tcp_accept(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timeval tv = { .tv_sec = 120 };
	int one = 1, ls = socket(AF_INET, SOCK_STREAM, 0), fd;

	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(ls, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 1))
		return -1;
	printf("listening\n");
	fflush(stdout);
	fd = accept(ls, NULL, NULL);
	close(ls);
	return fd;
}

static int tcp_connect(const char *addr, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int tries, fd;

	inet_pton(AF_INET, addr, &a.sin_addr);
	for (tries = 0; tries < 100; tries++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (!connect(fd, (struct sockaddr *)&a, sizeof(a)))
			return fd;
		close(fd);
		if (errno != ECONNREFUSED && errno != EHOSTUNREACH)
			break;
		usleep(200000);
	}
	return -1;
}

static int do_send(SSL *ssl, uint64_t bytes, uint64_t seed)
{
	uint8_t *buf = malloc(CHUNK);
	uint64_t off = 0;
	size_t len;
	int n;

	while (off < bytes) {
		len = bytes - off < CHUNK ? bytes - off : CHUNK;
		pattern_fill(seed, off, buf, len);
		n = SSL_write(ssl, buf, (int)len);
		if (n <= 0)
			return die_ssl("write");
		off += (uint64_t)n;
	}
	/* wait for the peer's close_notify: every byte arrived */
	n = SSL_read(ssl, buf, 1);
	free(buf);
	return n < 0 && SSL_get_error(ssl, n) != SSL_ERROR_ZERO_RETURN &&
	       SSL_get_error(ssl, n) != SSL_ERROR_SYSCALL ? die_ssl("final read") : 0;
}

static int do_recv(SSL *ssl, uint64_t bytes, uint64_t seed)
{
	uint8_t *buf = malloc(CHUNK), *want = malloc(CHUNK);
	uint64_t got = 0;
	long long bad;
	int n;

	while (got < bytes) {
		n = SSL_read(ssl, buf, CHUNK);
		if (n <= 0) {
			if (SSL_get_error(ssl, n) == SSL_ERROR_ZERO_RETURN) {
				printf("short: got %llu of %llu bytes\n",
				       (unsigned long long)got, (unsigned long long)bytes);
				return 1;
			}
			return die_ssl("read");
		}
		bad = pattern_check(seed, got, buf, (size_t)n, want);
		if (bad >= 0) {
			printf("mismatch at offset %lld\n", bad);
			return 1;
		}
		got += (uint64_t)n;
	}
	SSL_shutdown(ssl);
	free(buf);
	free(want);
	return 0;
}

int main(int argc, char **argv)
{
	bool server = argc == 6 && !strcmp(argv[1], "server");
	bool client = argc == 7 && !strcmp(argv[1], "client");
	const char *dir;
	uint64_t bytes, seed;
	struct timespec t0, t1;
	SSL_CTX *ctx;
	SSL *ssl;
	int fd, rc;

	if (!server && !client) {
		fprintf(stderr, "usage: bf_tls server PORT send|recv BYTES SEED\n"
				"       bf_tls client ADDR PORT send|recv BYTES SEED\n");
		return 2;
	}
	dir = argv[server ? 3 : 4];
	bytes = strtoull(argv[server ? 4 : 5], NULL, 0);
	seed = strtoull(argv[server ? 5 : 6], NULL, 0);
	ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	if (!ctx)
		return die_ssl("context");
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_ENABLE_KTLS);
	if (SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256") != 1)
		return die_ssl("cipher");
	if (server && make_cert(ctx))
		return die_ssl("certificate");
	fd = server ? tcp_accept(atoi(argv[2])) : tcp_connect(argv[2], atoi(argv[3]));
	if (fd < 0) {
		printf("tcp error: %s\n", strerror(errno));
		return 1;
	}
	set_timeouts(fd);
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	if ((server ? SSL_accept(ssl) : SSL_connect(ssl)) != 1)
		return die_ssl("handshake");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = !strcmp(dir, "send") ? do_send(ssl, bytes, seed) : do_recv(ssl, bytes, seed);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!rc)
		printf("ok %llu bytes ktls_tx %d ktls_rx %d secs %.3f\n", (unsigned long long)bytes,
		       (int)BIO_get_ktls_send(SSL_get_wbio(ssl)),
		       (int)BIO_get_ktls_recv(SSL_get_rbio(ssl)),
		       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	SSL_free(ssl);
	close(fd);
	SSL_CTX_free(ctx);
	return rc;
}
