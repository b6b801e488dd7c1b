/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * config.h - Bifrost policy file parser.
 *
 * One guest per line; '#' starts a comment; blank lines are ignored:
 *
 *   guest NAME mac XX:XX:XX:XX:XX:XX [queues N] [prpr on|off]
 *         [max-merge BYTES] [max-segs N] [flush-us US] [zced-ports P[,P...]]
 *
 * Defaults: queues 1, prpr on, max-merge 65535, max-segs 64, flush-us 50,
 * no ZCED ports. Errors are reported as "FILE:LINE: message".
 */
#ifndef BIFROST_CONFIG_H
#define BIFROST_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include "bifrost_abi.h"

#define BF_DEFAULT_MAX_SEGS	BF_MAX_MERGE_SEGS	/* like GRO: bytes limit first */
#define BF_DEFAULT_FLUSH_US	50
#define BF_MAX_FLUSH_US		1000000

struct bf_guest_cfg {
	char name[BF_NAME_LEN];
	uint8_t mac[6];
	uint16_t nqueues;
	struct bf_policy pol;	/* generation is filled in by the loader */
};

struct bf_config {
	unsigned int n;
	struct bf_guest_cfg g[BF_MAX_GUESTS];
};

/* Both return 0, or -1 with a "FILE:LINE: message" in err. */
int bf_config_parse_string(const char *text, const char *fname,
			   struct bf_config *cfg, char *err, size_t errlen);
int bf_config_parse_file(const char *path, struct bf_config *cfg,
			 char *err, size_t errlen);

/* "52:54:00:12:34:56" -> bytes; 0 on success. */
int bf_parse_mac(const char *s, uint8_t mac[6]);
void bf_format_mac(const uint8_t mac[6], char out[18]);

#endif /* BIFROST_CONFIG_H */
